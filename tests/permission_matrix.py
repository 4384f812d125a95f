"""The page/endpoint permission matrix: one line per view, checked for every role.

Each ``Page`` names a URL, the method, and the roles allowed. The suite in
``tests/test_permission_matrix.py`` asserts: anonymous → sign-in (pages) or 401/403 (API); a role
not listed → 403; an object that does not exist → 404; an object that exists but is out of the
role's scope → 404, the object unchanged (NetBox's constrained-permission test); a listed role →
200. New views join by adding one line to ``PAGES``; a view on one object also names the
existing objects out of scope for its roles (``out_of_scope``), or says why it has none
(``no_object_scope``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

ALL_ROLES = ("prosecutor", "analyst", "supervisor", "admin")
CASE_ROLES = ("prosecutor", "analyst", "supervisor")


@dataclass(frozen=True)
class OutOfScope:
    """An existing object (made by ``OUT_OF_SCOPE_MAKERS[maker]`` in the suite) that ``roles``
    may not see: each of them allowed on the route gets 404 there, and the object stays as it
    was."""

    maker: str
    roles: tuple[str, ...]


@dataclass(frozen=True)
class Page:
    url_name: str
    allowed: tuple[str, ...]
    method: str = "get"
    args: tuple = ()
    data: dict = field(default_factory=dict)
    api: bool = False
    ok_status: int = 200
    # For views on one object: the same view on an object that does not exist must be 404.
    missing_args: tuple | None = None
    # For views on one object: existing objects some allowed roles may not see (404)...
    out_of_scope: tuple[OutOfScope, ...] = ()
    # ...or why the route has no object-level scope at all.
    no_object_scope: str = ""

    @property
    def is_object_route(self) -> bool:
        return any(isinstance(a, str) and a.startswith("{") for a in self.args)


# Why some object routes have no object-level scope (every allowed role sees every object).
_IMPORTS = "imports are the unit's shared data work: every analyst and supervisor sees each one"
_PEOPLE = (
    "people are open to every case-data role; what a person page shows is narrowed item "
    "by item (challenges, memberships, intel), tested in tests/intel/test_need_to_know.py"
)
_MATCHES = "the match review queue is shared by every analyst"
_GROUPS = (
    "groups are open to every role that reads intelligence; pending memberships inside "
    "are narrowed to their submitter and supervisors"
)
_MEMBERSHIP_REVIEW = (
    "every supervisor reviews every membership (memberships have no "
    "sensitivity); pending ones are hidden from other roles"
)
_ACCOUNTS = "admins manage every account; accounts hold no case data"
_ZONES = (
    "zones are boundaries every role reading them sees whole (no zone is restricted); the "
    "timeline's records are the analysis roles' to read in every zone"
)

_DESIGNATIONS = (
    "designations are open to every role reading people, as the people are; what each may do "
    "to one is the workflow's rule, tested in tests/intel/test_priority_designations.py"
)
_ZONE_ASSIGNMENTS = "who covers which zone is open to everyone who assigns zones"
_FRESH = "Arrested again last month with a loaded pistol near the Pier 4 school."
_WATCH_PERSON = (
    "watching is offered on every person page a case-data role may read; the lists offered "
    "are narrowed to the user's own (tests/alerts/test_entries.py)"
)
# A watch list (or its entry) another analyst keeps, nobody else holding a role on it.
_OTHERS_LIST = OutOfScope("watch_list_other", CASE_ROLES)
_OTHERS_ENTRY = OutOfScope("watch_entry_other", CASE_ROLES)

# Existing objects out of scope (makers in tests/test_permission_matrix.py): a restricted
# record nobody granted, another analyst's draft and pending records, a challenge to such.
_RESTRICTED = OutOfScope("intel_restricted_other", CASE_ROLES)
_OTHERS_DRAFT = OutOfScope("intel_draft_other", CASE_ROLES)
_OTHERS_PENDING = OutOfScope("intel_pending_other", ("prosecutor", "analyst"))

_ANALYSIS = ("analyst", "supervisor")
# alerts (part F): an alert and a snooze are their recipient's alone.
_OTHERS_ALERT = OutOfScope("alert_other", CASE_ROLES)
_FATIGUE = "supervisors review alert fatigue across every list, and may pause any of them"
ANALYSIS_LAYER = "matrix-precincts"  # made by the analysis_layer fixture (tests/conftest.py)


PAGES: list[Page] = [
    Page("csu:home", ALL_ROLES),
    Page("csu:account", ALL_ROLES),
    Page("csu:password-change", ALL_ROLES),
    Page(
        "csu:account-token",
        ALL_ROLES,
        method="post",
        data={"name": "permission matrix", "scope": "read", "hours": 1},
    ),
    # Revoking goes by the owner's token key: a key that is not one's own is 404 for everyone
    # (tests/csu/test_tokens.py revokes a real one, and another user's).
    Page(
        "csu:account-token-revoke",
        ALL_ROLES,
        method="post",
        args=("csu_0000000000",),
        ok_status=404,
    ),
    Page("csu:audit-list", ("supervisor", "admin")),
    Page(
        "csu:audit-export",
        ("supervisor", "admin"),
        method="post",
        data={"purpose": "permission matrix check"},
    ),
    Page("csu:user-list", ("admin",)),
    Page("intel:boundary-list", ("analyst", "supervisor")),
    Page("intel:import-list", ("analyst", "supervisor")),
    Page("intel:offense-list", ("analyst",)),
    Page(
        "intel:import-detail",
        ("analyst", "supervisor"),
        args=("{import}",),
        missing_args=(999999,),
        no_object_scope=_IMPORTS,
    ),
    Page(
        "intel:import-progress",
        ("analyst", "supervisor"),
        args=("{import}",),
        missing_args=(999999,),
        no_object_scope=_IMPORTS,
    ),
    Page(
        "intel:import-rejects",
        ("analyst", "supervisor"),
        args=("{import}",),
        missing_args=(999999,),
        no_object_scope=_IMPORTS,
    ),
    Page(
        "intel:import-start",
        ("analyst",),
        method="post",
        args=("{import}",),
        ok_status=302,
        missing_args=(999999,),
        no_object_scope=_IMPORTS,
    ),
    Page(
        "intel:import-rollback",
        ("analyst",),
        method="post",
        args=("{import}",),
        ok_status=302,
        missing_args=(999999,),
        no_object_scope=_IMPORTS,
    ),
    Page("intel:person-list", ("prosecutor", "analyst", "supervisor")),
    Page(
        "intel:person-detail",
        ("prosecutor", "analyst", "supervisor"),
        args=("{person}",),
        missing_args=(999999,),
        no_object_scope=_PEOPLE,
    ),
    Page(
        "intel:person-merge",
        ("analyst",),
        method="post",
        args=("{person}",),
        ok_status=302,
        missing_args=(999999,),
        no_object_scope=_PEOPLE,
    ),
    Page(
        "intel:person-unmerge",
        ("analyst",),
        method="post",
        args=("{merge}",),
        ok_status=302,
        data={"reason": "permission matrix check"},
        missing_args=(999999,),
        no_object_scope="a merge is visible with both its people: " + _PEOPLE,
    ),
    Page("intel:match-list", ("analyst", "supervisor")),
    Page(
        "intel:match-link",
        ("analyst",),
        method="post",
        args=("{match}",),
        ok_status=302,
        missing_args=(999999,),
        no_object_scope=_MATCHES,
    ),
    Page(
        "intel:match-reject",
        ("analyst",),
        method="post",
        args=("{match}",),
        ok_status=302,
        missing_args=(999999,),
        no_object_scope=_MATCHES,
    ),
    Page(
        "intel:match-new-person",
        ("analyst",),
        method="post",
        args=("{match_arrest}",),
        ok_status=302,
        missing_args=(999999,),
        no_object_scope=_MATCHES,
    ),
    Page(
        "intel:match-new-person-victim",
        ("analyst",),
        method="post",
        args=("{match_victim}",),
        ok_status=302,
        missing_args=(999999,),
        no_object_scope=_MATCHES,
    ),
    Page(
        "intel:match-new-person-case",
        ("analyst",),
        method="post",
        args=("{match_case}",),
        ok_status=302,
        missing_args=(999999,),
        no_object_scope=_MATCHES,
    ),
    Page(
        "intel:person-network",
        ("prosecutor", "analyst", "supervisor"),
        args=("{associate}",),
        missing_args=(999999,),
        no_object_scope=_PEOPLE,
    ),
    # priority (issue 12, part C): the brief reads people and designations (admins see no case
    # data); treatment rules are policy, read by every role, kept by supervisors and admins.
    Page(
        "intel:person-brief",
        CASE_ROLES,
        args=("{person}",),
        missing_args=(999999,),
        no_object_scope=_PEOPLE,
    ),
    Page(
        "intel:person-brief-pdf",
        CASE_ROLES,
        args=("{person}",),
        missing_args=(999999,),
        no_object_scope=_PEOPLE,
    ),
    Page(
        "intel:person-brief-printed",
        CASE_ROLES,
        method="post",
        args=("{person}",),
        ok_status=204,
        missing_args=(999999,),
        no_object_scope=_PEOPLE,
    ),
    Page("intel:treatment-rule-list", ALL_ROLES),
    Page("intel:treatment-rule-create", ("supervisor", "admin")),
    Page(
        "intel:treatment-rule-edit",
        ("supervisor", "admin"),
        args=("{treatment_rule}",),
        missing_args=(999999,),
        no_object_scope="treatment rules are the office's policy: every rule is open to those "
        "who keep them",
    ),
    Page("intel:group-list", ("prosecutor", "analyst", "supervisor")),
    Page("intel:group-create", ("analyst",)),
    Page(
        "intel:group-detail",
        ("prosecutor", "analyst", "supervisor"),
        args=("{group}",),
        missing_args=(999999,),
        no_object_scope=_GROUPS,
    ),
    Page(
        "intel:membership-submit",
        ("analyst",),
        args=("{group}",),
        missing_args=(999999,),
        no_object_scope=_GROUPS,
    ),
    Page(
        "intel:membership-approve",
        ("supervisor",),
        method="post",
        args=("{membership}",),
        ok_status=302,
        missing_args=(999999,),
        no_object_scope=_MEMBERSHIP_REVIEW,
    ),
    Page(
        "intel:membership-remove",
        ("supervisor",),
        method="post",
        args=("{membership}",),
        ok_status=302,
        data={"reason": "permission matrix check: removal reason"},
        missing_args=(999999,),
        no_object_scope=_MEMBERSHIP_REVIEW,
    ),
    Page("intel:challenge-list", ("prosecutor", "analyst", "supervisor")),
    Page("intel:challenge-file", ("analyst", "supervisor")),
    Page(
        "intel:challenge-detail",
        ("prosecutor", "analyst", "supervisor"),
        args=("{challenge}",),
        missing_args=(999999,),
        out_of_scope=(
            OutOfScope("challenge_restricted", CASE_ROLES),
            OutOfScope("challenge_pending_membership", ("prosecutor", "analyst")),
        ),
    ),
    Page(
        "intel:challenge-decide",
        ("supervisor",),
        method="post",
        args=("{challenge}",),
        ok_status=302,
        data={"outcome": "denied", "reason": "permission matrix check: denied"},
        missing_args=(999999,),
        out_of_scope=(OutOfScope("challenge_restricted", ("supervisor",)),),
    ),
    Page("intel:record-list", ("prosecutor", "analyst", "supervisor")),
    Page("intel:record-create", ("analyst",)),
    Page(
        "intel:record-detail",
        ("prosecutor", "analyst", "supervisor"),
        args=("{intel_record}",),
        missing_args=(999999,),
        out_of_scope=(_RESTRICTED, _OTHERS_DRAFT, _OTHERS_PENDING),
    ),
    Page(
        "intel:record-submit",
        ("analyst",),
        method="post",
        args=("{intel_draft}",),
        ok_status=302,
        missing_args=(999999,),
        out_of_scope=(OutOfScope("intel_draft_other", ("analyst",)),),
    ),
    Page(
        "intel:record-approve",
        ("supervisor",),
        method="post",
        args=("{intel_pending}",),
        ok_status=302,
        missing_args=(999999,),
        out_of_scope=(
            OutOfScope("intel_draft", ("supervisor",)),
            OutOfScope("intel_pending_restricted_other", ("supervisor",)),
        ),
    ),
    Page(
        "intel:record-revalidate",
        ("supervisor",),
        method="post",
        args=("{intel_record}",),
        ok_status=302,
        data={"explanation": "permission matrix check: still valid"},
        missing_args=(999999,),
        out_of_scope=(_RESTRICTED, OutOfScope("intel_draft", ("supervisor",))),
    ),
    Page(
        "intel:record-purge",
        ("supervisor",),
        method="post",
        args=("{intel_record}",),
        ok_status=302,
        data={"explanation": "permission matrix check: purge it now"},
        missing_args=(999999,),
        out_of_scope=(_RESTRICTED, OutOfScope("intel_draft", ("supervisor",))),
    ),
    Page(
        "intel:record-share",
        ("analyst", "supervisor"),
        method="post",
        args=("{intel_record}",),
        ok_status=302,
        missing_args=(999999,),
        data={
            "recipient": "Det. Matrix",
            "recipient_agency": "Matrix State Police",
            "reason": "permission matrix check",
        },
        out_of_scope=(_RESTRICTED, _OTHERS_DRAFT, _OTHERS_PENDING),
    ),
    Page(
        "intel:record-identifier-add",
        ("analyst",),
        method="post",
        args=("{intel_draft}",),
        ok_status=302,
        missing_args=(999999,),
        data={"name": "Matrix Owner", "relationship": "registered owner of the car"},
        out_of_scope=(
            OutOfScope("intel_draft_other", ("analyst",)),
            OutOfScope("intel_pending_other", ("analyst",)),
        ),
    ),
    Page(
        "intel:record-grant",
        ("analyst", "supervisor"),
        method="post",
        args=("{intel_restricted}",),
        ok_status=302,
        data={"user": "pat.prosecutor"},
        missing_args=(999999,),
        out_of_scope=(_RESTRICTED,),
    ),
    Page(
        "intel:record-revoke",
        ("analyst", "supervisor"),
        method="post",
        args=("{intel_restricted}",),
        ok_status=302,
        data={"user": "pat.prosecutor"},
        missing_args=(999999,),
        out_of_scope=(_RESTRICTED,),
    ),
    # Without a recipient agency on file the export is refused and the list shown again (302).
    Page(
        "intel:record-export",
        ("analyst", "supervisor"),
        method="post",
        ok_status=302,
        data={
            "recipient": "Det. Matrix",
            "recipient_agency": "Matrix State Police",
            "reason": "permission matrix check",
        },
    ),
    # Priority designations (issue 12): every designation route, its actions and reports.
    Page(
        "intel:designation-propose",
        ("prosecutor", "analyst"),
        args=("{person}",),
        missing_args=(999999,),
        no_object_scope=_PEOPLE,
    ),
    Page(
        "intel:person-priority",
        CASE_ROLES,
        args=("{person}",),
        missing_args=(999999,),
        no_object_scope=_PEOPLE,
    ),
    Page("intel:designation-list", CASE_ROLES),
    Page(
        "intel:designation-detail",
        CASE_ROLES,
        args=("{designation}",),
        missing_args=(999999,),
        no_object_scope=_DESIGNATIONS,
    ),
    *(
        Page(
            f"intel:designation-{name}",
            allowed,
            method="post",
            args=(f"{{{maker}}}",),
            ok_status=302,
            data=data,
            missing_args=(999999,),
            no_object_scope=_DESIGNATIONS,
        )
        for name, allowed, maker, data in (
            ("approve", ("supervisor",), "designation", {}),
            ("reject", ("supervisor",), "designation", {"reason": _FRESH}),
            ("renewal-request", CASE_ROLES, "designation_active", {"reason": _FRESH}),
            ("renew", ("supervisor",), "designation_renewal", {}),
            ("renewal-refuse", ("supervisor",), "designation_renewal", {"reason": _FRESH}),
            (
                "challenge-record",
                CASE_ROLES,
                "designation_active",
                {"filed_by": "Counsel", "grounds": _FRESH},
            ),
            (
                "challenge-decide",
                ("supervisor",),
                "designation_challenged",
                {"outcome": "denied", "reason": _FRESH},
            ),
            ("remove", ("supervisor",), "designation_active", {"reason": _FRESH}),
        )
    ),
    Page("intel:list-health", ("supervisor",)),
    Page(
        "intel:supervision-add",
        ("analyst", "supervisor"),
        args=("{person}",),
        missing_args=(999999,),
        no_object_scope=_PEOPLE,
    ),
    Page("intel:zone-assignment-list", ("supervisor", "admin")),
    Page(
        "intel:zone-assignment-delete",
        ("supervisor", "admin"),
        method="post",
        args=("{zone_assignment}",),
        ok_status=302,
        missing_args=(999999,),
        no_object_scope=_ZONE_ASSIGNMENTS,
    ),
    Page(
        "csu:user-unlock",
        ("admin",),
        method="post",
        args=("{self}",),
        ok_status=302,
        missing_args=(999999,),
        no_object_scope=_ACCOUNTS,
    ),
    # 200: the page shows the new enrolment code once instead of redirecting.
    Page(
        "csu:user-reset-mfa",
        ("admin",),
        method="post",
        args=("{other}",),
        ok_status=200,
        missing_args=(999999,),
        no_object_scope=_ACCOUNTS,
    ),
    Page("api-me", ALL_ROLES, api=True),
    Page("audit-event-list", ("supervisor", "admin"), api=True),
    Page("api-schema", ALL_ROLES, api=True),
    Page("import-list", ("analyst", "supervisor"), api=True),
    Page(
        "import-detail",
        ("analyst", "supervisor"),
        api=True,
        args=("{import}",),
        missing_args=(999999,),
        no_object_scope=_IMPORTS,
    ),
    Page("api-docs", ALL_ROLES, api=True),
    # Priority offenders, scoring: the ranked candidates are the analysts' and supervisors'
    # (intel.list_candidates); the weights are policy, open to every role (csu.roles gives
    # view_scoreconfig to each: the score is transparent) and set by admins; a person's score
    # is read by every role reading priority designations.
    Page("intel:candidate-list", ("analyst", "supervisor")),
    Page("intel:score-config-list", ALL_ROLES),
    Page("intel:score-config-create", ("admin",)),
    Page(
        "person-priority-score",
        CASE_ROLES,
        api=True,
        args=("{person}",),
        missing_args=(999999,),
        no_object_scope=_PEOPLE,
    ),
    # The recipient's own alerts (``alerts.view_alert``: the roles that keep watch lists).
    Page("alert-list", ("prosecutor", "analyst", "supervisor"), api=True),
    # The analysis counts incidents, arrests and shootings: only roles reading all of them
    # (dashboards.permissions). The layer is made by the suite (ANALYSIS_LAYER).
    Page("analysis-compstat", _ANALYSIS, api=True, data={"layer": ANALYSIS_LAYER}),
    Page("analysis-spikes", _ANALYSIS, api=True, data={"layer": ANALYSIS_LAYER, "window_days": 28}),
    Page("analysis-hotspots", _ANALYSIS, api=True, data={"resolution": 8, "confidence": 0.95}),
    # The crime map page and its hotspot CSV: the same analysis roles.
    Page("dashboards:map", _ANALYSIS, data={"layer": ANALYSIS_LAYER}),
    Page("dashboards:hotspots-csv", _ANALYSIS, data={"confidence": "0.99"}),
    # The analysis pages and downloads: the same rule as the API (dashboards.permissions).
    Page("dashboards:trends", _ANALYSIS, data={"layer": ANALYSIS_LAYER}),
    Page("dashboards:trends-csv", _ANALYSIS, data={"layer": ANALYSIS_LAYER, "interval": "month"}),
    Page("dashboards:compstat-csv", _ANALYSIS, data={"layer": ANALYSIS_LAYER}),
    Page("dashboards:gunstat", _ANALYSIS, data={"layer": ANALYSIS_LAYER}),
    Page("dashboards:gunstat-csv", _ANALYSIS, data={"layer": ANALYSIS_LAYER}),
    Page(
        "dashboards:zone-timeline",
        _ANALYSIS,
        args=("{zone}",),
        missing_args=(999999,),
        no_object_scope=_ZONES,
    ),
    # alerts, part F (issue 13): each recipient's own alerts and snoozes; another user's is 404.
    Page("alerts:inbox", CASE_ROLES),
    Page(
        "alerts:alert-detail",
        CASE_ROLES,
        args=("{own_alert}",),
        missing_args=(999999,),
        out_of_scope=(_OTHERS_ALERT,),
    ),
    Page(
        "alerts:alert-acknowledge",
        CASE_ROLES,
        method="post",
        args=("{own_alert}",),
        data={"action": "bail_argued", "note": "permission matrix"},
        ok_status=302,
        missing_args=(999999,),
        out_of_scope=(_OTHERS_ALERT,),
    ),
    Page("alerts:preferences", CASE_ROLES),
    Page("alerts:snooze-list", CASE_ROLES),
    Page(
        "alerts:snooze-cancel",
        CASE_ROLES,
        method="post",
        args=("{own_snooze}",),
        ok_status=302,
        missing_args=(999999,),
        out_of_scope=(OutOfScope("snooze_other", CASE_ROLES),),
    ),
    Page("alerts:fatigue", ("supervisor",)),
    Page(
        "alerts:fatigue-pause",
        ("supervisor",),
        method="post",
        args=("{watch_list}",),
        data={"reason": "permission matrix: nobody reads it"},
        ok_status=302,
        missing_args=(999999,),
        no_object_scope=_FATIGUE,
    ),
    # alerts: watch lists and entries (issue 13, part D). "{kept_watch_list}" is a fresh list the
    # three case roles own; out of scope, one only another analyst holds a role on.
    Page("alerts:list-list", CASE_ROLES),
    Page("alerts:list-create", CASE_ROLES),
    Page(
        "alerts:list-detail",
        CASE_ROLES,
        args=("{kept_watch_list}",),
        missing_args=(999999,),
        out_of_scope=(_OTHERS_LIST,),
    ),
    Page(
        "alerts:list-member-set",
        CASE_ROLES,
        method="post",
        args=("{kept_watch_list}",),
        ok_status=302,
        data={"username": "oli.other", "role": "viewer"},
        missing_args=(999999,),
        out_of_scope=(_OTHERS_LIST,),
    ),
    Page(
        "alerts:list-member-remove",
        CASE_ROLES,
        method="post",
        args=("{kept_watch_list}",),
        ok_status=302,
        data={"username": "ann.analyst"},
        missing_args=(999999,),
        out_of_scope=(_OTHERS_LIST,),
    ),
    Page(
        "alerts:list-pause",
        CASE_ROLES,
        method="post",
        args=("{kept_watch_list}",),
        ok_status=302,
        data={"reason": "permission matrix check"},
        missing_args=(999999,),
        out_of_scope=(_OTHERS_LIST,),
    ),
    Page(
        "alerts:list-resume",
        CASE_ROLES,
        method="post",
        args=("{kept_watch_list_paused}",),
        ok_status=302,
        missing_args=(999999,),
        out_of_scope=(_OTHERS_LIST,),
    ),
    Page(
        "alerts:entry-add",
        CASE_ROLES,
        method="post",
        args=("{kept_watch_list}",),
        ok_status=302,
        data={
            "kind": "charge",
            "charge-kind": "charge",
            "charge-charge": "PL 265.03",
            "charge-reason": "permission matrix check",
        },
        missing_args=(999999,),
        out_of_scope=(_OTHERS_LIST,),
    ),
    Page(
        "alerts:entry-renew",
        CASE_ROLES,
        method="post",
        args=("{kept_watch_entry}",),
        ok_status=302,
        data={"reason": "permission matrix check: renewed"},
        missing_args=(999999,),
        out_of_scope=(_OTHERS_ENTRY,),
    ),
    Page(
        "alerts:entry-remove",
        CASE_ROLES,
        method="post",
        args=("{kept_watch_entry}",),
        ok_status=302,
        missing_args=(999999,),
        out_of_scope=(_OTHERS_ENTRY,),
    ),
    Page(
        "alerts:entry-add-person",
        CASE_ROLES,
        args=("{person}",),
        missing_args=(999999,),
        no_object_scope=_WATCH_PERSON,
    ),
]
