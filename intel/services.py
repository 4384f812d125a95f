"""Writes on records. Imports, entity resolution and zone assignment land here in later issues;
the demo generator (``intel.demo``) writes in bulk on its own, as it is not a user's write."""

from __future__ import annotations
