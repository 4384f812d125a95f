"""The four roles and their least-privilege model permissions: the permission matrix.

``ROLE_PERMISSIONS`` is the approved matrix kept in the repository. The groups are created by a
migration and every ``migrate`` re-applies the matrix exactly (``sync_role_permissions``), so the
database can never drift from this file without a test noticing. Later issues add their models'
permissions here, in one place.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any


class Role(StrEnum):
    PROSECUTOR = "prosecutor"
    ANALYST = "analyst"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


ROLE_LABELS = {
    Role.PROSECUTOR.value: "Prosecutor",
    Role.ANALYST.value: "Crime analyst",
    Role.SUPERVISOR.value: "Supervisor",
    Role.ADMIN.value: "Administrator",
}

ROLE_DESCRIPTIONS = {
    Role.PROSECUTOR.value: "Priority-offender briefs, arrest alerts, person timelines.",
    Role.ANALYST.value: "Police data extracts, mapping, crime-trend analysis, intelligence.",
    Role.SUPERVISOR.value: "Reviews maps and trends, approves intelligence, reviews the audit.",
    Role.ADMIN.value: "Users, roles and MFA, retention and access rules. No case data.",
}

_RECORDS = ["incident", "arrest", "person", "casereferral", "shooting", "callforservice"]
_READ_RECORDS = {f"intel.view_{m}" for m in [*_RECORDS, "zone", "zonelayer", "agency"]}

# People, groups and the intelligence around them: what every case-data role may read.
_READ_PEOPLE = {
    "intel.view_person",
    "intel.view_group",
    "intel.view_groupmembership",
    "intel.view_challenge",
    "intel.view_personmerge",
    "intel.view_intelrecord",
}

# Priority offenders (issue 12): who may read designations, scores and briefs, and who may
# propose. Deciding is the supervisor's; weights, windows and treatment rules are policy, set by
# admins (who see no case data) and supervisors.
_READ_PRIORITY = {
    "intel.view_prioritydesignation",
    "intel.view_designationevent",
    "intel.view_priorityscore",
    "intel.view_supervisionstatus",
    "intel.view_treatmentrule",
    "intel.view_scoreconfig",
}
# Watch lists and alerts (issue 13): prosecutors and analysts keep lists and receive alerts;
# which lists and entries each user sees is decided per list (guardian grants, inherited
# downward), so these are the doors, not the rooms.
_WATCH = {
    "alerts.view_watchlist",
    "alerts.add_watchlist",
    "alerts.change_watchlist",
    "alerts.view_watchentry",
    "alerts.add_watchentry",
    "alerts.change_watchentry",
    "alerts.view_alert",
    "alerts.change_alert",
}
_LIST_CANDIDATES = {"intel.list_candidates"}  # the ranked list: analysts and supervisors
_PROPOSE_DESIGNATION = {"intel.add_prioritydesignation", "intel.change_prioritydesignation"}

ROLE_PERMISSIONS: dict[str, set[str]] = {
    Role.PROSECUTOR.value: _READ_PEOPLE
    | {
        "intel.view_person",
        "intel.view_arrest",
        "intel.view_incident",
        "intel.view_casereferral",
        "intel.view_zone",
    }
    | _READ_PRIORITY
    | _PROPOSE_DESIGNATION
    | _WATCH,
    Role.ANALYST.value: _READ_RECORDS
    | {f"intel.{verb}_{m}" for verb in ("add", "change") for m in _RECORDS}
    | {"intel.add_zone", "intel.change_zone", "intel.add_zonelayer", "intel.change_zonelayer"}
    | {
        "intel.view_dataimport",
        "intel.add_dataimport",
        "intel.rollback_dataimport",
        "intel.view_mappingprofile",
        "intel.add_mappingprofile",
        "intel.change_mappingprofile",
        "intel.view_offensemapping",
        "intel.add_offensemapping",
        "intel.change_offensemapping",
    }
    | _READ_PEOPLE
    | {
        "intel.add_intelrecord",
        "intel.change_intelrecord",
        "intel.view_matchcandidate",
        "intel.change_matchcandidate",
        "intel.merge_person",
        "intel.add_group",
        "intel.change_group",
        "intel.add_groupmembership",
        "intel.add_challenge",
        "intel.add_disseminationlog",
    }
    | _READ_PRIORITY
    | _PROPOSE_DESIGNATION
    | _LIST_CANDIDATES
    | _WATCH
    | {"intel.add_supervisionstatus", "intel.change_supervisionstatus"},
    Role.SUPERVISOR.value: _READ_RECORDS
    | _READ_PEOPLE
    | {
        "csu.view_auditevent",
        "csu.export_auditevent",
        "intel.view_dataimport",
        "intel.approve_intelrecord",
        "intel.view_disseminationlog",
        "intel.view_matchcandidate",
        "intel.approve_groupmembership",
        "intel.decide_challenge",
        "intel.add_challenge",
        "intel.add_disseminationlog",
    }
    | _READ_PRIORITY
    | _LIST_CANDIDATES
    | _WATCH
    | {"alerts.review_fatigue"}
    | {
        "intel.change_prioritydesignation",
        "intel.decide_prioritydesignation",
        "intel.add_supervisionstatus",
        "intel.change_supervisionstatus",
        "intel.add_treatmentrule",
        "intel.change_treatmentrule",
        "intel.view_zoneassignment",
        "intel.add_zoneassignment",
        "intel.delete_zoneassignment",
    },
    Role.ADMIN.value: {
        "csu.view_user",
        "csu.add_user",
        "csu.change_user",
        "csu.unlock_user",
        "csu.reset_mfa_user",
        "csu.view_auditevent",
        "csu.export_auditevent",
        "auth.view_group",
        "django_celery_beat.view_periodictask",
        "django_celery_beat.change_periodictask",
        # Policy, not case data: the score's weights and windows, treatment rules, who covers
        # which zone.
        "intel.view_scoreconfig",
        "intel.add_scoreconfig",
        "intel.view_treatmentrule",
        "intel.add_treatmentrule",
        "intel.change_treatmentrule",
        "intel.view_zone",
        "intel.view_zoneassignment",
        "intel.add_zoneassignment",
        "intel.delete_zoneassignment",
    },
}


def sync_role_permissions(sender: Any = None, **kwargs: Any) -> None:
    """Make each role group hold exactly the permissions in ``ROLE_PERMISSIONS``.

    Connected to ``post_migrate`` (permissions exist only after their app migrated); runs once per
    app, and only finishes the job once every named permission exists.
    """
    from django.contrib.auth.models import Group, Permission

    using = kwargs.get("using", "default")
    wanted = {perm for perms in ROLE_PERMISSIONS.values() for perm in perms}
    found: dict[str, Permission] = {}
    for perm in Permission.objects.using(using).select_related("content_type"):
        key = f"{perm.content_type.app_label}.{perm.codename}"
        if key in wanted:
            found[key] = perm
    if set(found) != wanted:
        return  # some app has not migrated yet; a later post_migrate call will finish
    for role, perms in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.using(using).get_or_create(name=role)
        group.permissions.set([found[p] for p in perms])
