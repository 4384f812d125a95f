"""Signals the intel app sends for other apps to follow, without intel importing them.

``records_changed``: police records (incidents, arrests, shootings and their parts) were
written outside the ORM's own ``save``/``delete`` (an import, a rollback, zones reassigned
after a boundary import, the demo seeded or reset). Sent inside the writing transaction; a
receiver that keeps anything derived from those records (``dashboards.analysis.cache``) acts
now and again when the transaction commits. ``sender`` is the service's name.
"""

from django.dispatch import Signal

records_changed = Signal()

# ``arrests_imported``: an arrest import succeeded and its arrests were resolved to people
# (``intel.ingest.services.import_follow_ups``, for the worker, the command and the API alike).
# Sent inside the follow-up's transaction with ``actor`` (who ran the import), ``data_import``
# and ``arrest_ids``; a receiver (``alerts`` matching) writes what follows from the arrests in
# that transaction. Exceptions propagate: the follow-up fails rather than lose alerts.
arrests_imported = Signal()
