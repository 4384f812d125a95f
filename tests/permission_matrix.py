"""The page/endpoint permission matrix: one line per view, checked for every role.

Each ``Page`` names a URL, the method, and the roles allowed. The suite in
``tests/test_permission_matrix.py`` asserts: anonymous → sign-in (pages) or 401/403 (API); a role
not listed → 403; an object outside what exists or is in scope → 404; a listed role → 200.
New views join by adding one line to ``PAGES``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

ALL_ROLES = ("prosecutor", "analyst", "supervisor", "admin")


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


PAGES: list[Page] = [
    Page("csu:home", ALL_ROLES),
    Page("csu:account", ALL_ROLES),
    Page("csu:password-change", ALL_ROLES),
    Page("csu:audit-list", ("supervisor", "admin")),
    Page("csu:audit-export", ("supervisor", "admin"), method="post",
         data={"purpose": "permission matrix check"}),
    Page("csu:user-list", ("admin",)),
    Page("intel:boundary-list", ("analyst", "supervisor")),
    Page("intel:import-list", ("analyst", "supervisor")),
    Page("intel:offense-list", ("analyst",)),
    Page("intel:import-detail", ("analyst", "supervisor"), args=("{import}",),
         missing_args=(999999,)),
    Page("intel:import-progress", ("analyst", "supervisor"), args=("{import}",),
         missing_args=(999999,)),
    Page("intel:import-rejects", ("analyst", "supervisor"), args=("{import}",),
         missing_args=(999999,)),
    Page("intel:import-start", ("analyst",), method="post", args=("{import}",), ok_status=302,
         missing_args=(999999,)),
    Page("intel:import-rollback", ("analyst",), method="post", args=("{import}",),
         ok_status=302, missing_args=(999999,)),
    Page("intel:person-list", ("prosecutor", "analyst", "supervisor")),
    Page("intel:person-detail", ("prosecutor", "analyst", "supervisor"), args=("{person}",),
         missing_args=(999999,)),
    Page("intel:person-merge", ("analyst",), method="post", args=("{person}",), ok_status=302,
         missing_args=(999999,)),
    Page("intel:person-unmerge", ("analyst",), method="post", args=("{merge}",), ok_status=302,
         data={"reason": "permission matrix check"}, missing_args=(999999,)),
    Page("intel:match-list", ("analyst", "supervisor")),
    Page("intel:match-link", ("analyst",), method="post", args=("{match}",), ok_status=302,
         missing_args=(999999,)),
    Page("intel:match-reject", ("analyst",), method="post", args=("{match}",), ok_status=302,
         missing_args=(999999,)),
    Page("intel:match-new-person", ("analyst",), method="post", args=("{match_arrest}",),
         ok_status=302, missing_args=(999999,)),
    Page("intel:person-network", ("prosecutor", "analyst", "supervisor"),
         args=("{associate}",), missing_args=(999999,)),
    Page("intel:group-list", ("prosecutor", "analyst", "supervisor")),
    Page("intel:group-create", ("analyst",)),
    Page("intel:group-detail", ("prosecutor", "analyst", "supervisor"), args=("{group}",),
         missing_args=(999999,)),
    Page("intel:membership-submit", ("analyst",), args=("{group}",), missing_args=(999999,)),
    Page("intel:membership-approve", ("supervisor",), method="post", args=("{membership}",),
         ok_status=302, missing_args=(999999,)),
    Page("intel:membership-remove", ("supervisor",), method="post", args=("{membership}",),
         ok_status=302, data={"reason": "permission matrix check: removal reason"},
         missing_args=(999999,)),
    Page("intel:challenge-list", ("prosecutor", "analyst", "supervisor")),
    Page("intel:challenge-file", ("analyst", "supervisor")),
    Page("intel:challenge-detail", ("prosecutor", "analyst", "supervisor"),
         args=("{challenge}",), missing_args=(999999,)),
    Page("intel:challenge-decide", ("supervisor",), method="post", args=("{challenge}",),
         ok_status=302, data={"outcome": "denied", "reason": "permission matrix check: denied"},
         missing_args=(999999,)),
    Page("intel:record-list", ("prosecutor", "analyst", "supervisor")),
    Page("intel:record-create", ("analyst",)),
    Page("intel:record-detail", ("prosecutor", "analyst", "supervisor"),
         args=("{intel_record}",), missing_args=(999999,)),
    Page("intel:record-submit", ("analyst",), method="post", args=("{intel_draft}",),
         ok_status=302, missing_args=(999999,)),
    Page("intel:record-approve", ("supervisor",), method="post", args=("{intel_pending}",),
         ok_status=302, missing_args=(999999,)),
    Page("intel:record-revalidate", ("supervisor",), method="post", args=("{intel_record}",),
         ok_status=302, data={"explanation": "permission matrix check: still valid"},
         missing_args=(999999,)),
    Page("intel:record-purge", ("supervisor",), method="post", args=("{intel_record}",),
         ok_status=302, data={"explanation": "permission matrix check: purge it now"},
         missing_args=(999999,)),
    Page("intel:record-share", ("analyst", "supervisor"), method="post",
         args=("{intel_record}",), ok_status=302, missing_args=(999999,),
         data={"recipient": "Det. Matrix", "recipient_agency": "Matrix State Police",
               "reason": "permission matrix check"}),
    Page("intel:record-identifier-add", ("analyst",), method="post", args=("{intel_draft}",),
         ok_status=302, missing_args=(999999,),
         data={"name": "Matrix Owner", "relationship": "registered owner of the car"}),
    Page("intel:record-grant", ("analyst", "supervisor"), method="post",
         args=("{intel_restricted}",), ok_status=302, data={"user": "pat.prosecutor"},
         missing_args=(999999,)),
    Page("intel:record-revoke", ("analyst", "supervisor"), method="post",
         args=("{intel_restricted}",), ok_status=302, data={"user": "pat.prosecutor"},
         missing_args=(999999,)),
    # Without a recipient agency on file the export is refused and the list shown again (302).
    Page("intel:record-export", ("analyst", "supervisor"), method="post", ok_status=302,
         data={"recipient": "Det. Matrix", "recipient_agency": "Matrix State Police",
               "reason": "permission matrix check"}),
    Page("csu:user-unlock", ("admin",), method="post", args=("{self}",), ok_status=302,
         missing_args=(999999,)),
    Page("csu:user-reset-mfa", ("admin",), method="post", args=("{other}",), ok_status=302,
         missing_args=(999999,)),
    Page("api-me", ALL_ROLES, api=True),
    Page("audit-event-list", ("supervisor", "admin"), api=True),
    Page("api-schema", ALL_ROLES, api=True),
    Page("import-list", ("analyst", "supervisor"), api=True),
    Page("import-detail", ("analyst", "supervisor"), api=True, args=("{import}",),
         missing_args=(999999,)),
    Page("api-docs", ALL_ROLES, api=True),
]
