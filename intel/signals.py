"""Signals the intel app sends for other apps to follow, without intel importing them.

``records_changed``: police records (incidents, arrests, shootings and their parts) were
written outside the ORM's own ``save``/``delete`` (an import, a rollback, zones reassigned
after a boundary import, the demo seeded or reset). Sent inside the writing transaction; a
receiver that keeps anything derived from those records (``dashboards.analysis.cache``) acts
now and again when the transaction commits. ``sender`` is the service's name.
"""

from django.dispatch import Signal

records_changed = Signal()
