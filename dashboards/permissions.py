"""Who may run the crime analysis: the roles that may read every kind of record it counts.

The analysis counts incidents, arrests and shootings by zone of a boundary layer. A role that
cannot read one of them would get tables where that kind silently reads zero, so the analysis
is open only to roles holding all of these (``csu.roles``: analysts and supervisors).
"""

from __future__ import annotations

from csu.models import User

ANALYSIS_PERMISSIONS = (
    "intel.view_incident",
    "intel.view_arrest",
    "intel.view_shooting",
    "intel.view_zone",
    "intel.view_zonelayer",
)


def may_analyse(actor: User) -> bool:
    """May ``actor`` run CompStat, spike detection and hotspots?"""
    return actor.has_perms(ANALYSIS_PERMISSIONS)
