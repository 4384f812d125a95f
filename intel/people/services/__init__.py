"""What analysts do with people: decide the review queue (an arrest, a shooting victim or a
case's defendant that may be a known person), merge two records, un-merge them; and what follows
an import of arrests, shootings or cases (``people_resolve_import``).

A merge moves every row that points at the merged person to the survivor and keeps, in the
``PersonMerge`` row, exactly what it moved and what it changed, so that un-merge puts every row
and every field back as it was.
"""

from __future__ import annotations

from intel.people.services.common import MIN_REASON
from intel.people.services.merge import person_merge, person_unmerge
from intel.people.services.review import (
    RESOLVED_KINDS,
    match_link,
    match_new_person,
    match_reject,
    people_resolve,
    people_resolve_import,
)

__all__ = [
    "MIN_REASON",
    "RESOLVED_KINDS",
    "match_link",
    "match_new_person",
    "match_reject",
    "people_resolve",
    "people_resolve_import",
    "person_merge",
    "person_unmerge",
]
