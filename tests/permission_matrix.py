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
