"""The navigation: one registry, filtered by what each user may use. Features add a line here."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    permission: str | None = None  # None: every signed-in user

    @property
    def url(self) -> str:
        return reverse(self.url_name)


NAV_ITEMS = [
    NavItem("Home", "csu:home"),
    NavItem("People", "intel:person-list", "intel.view_person"),
    NavItem("Groups", "intel:group-list", "intel.view_group"),
    NavItem("Intelligence", "intel:record-list", "intel.view_intelrecord"),
    NavItem("Challenges", "intel:challenge-list", "intel.view_challenge"),
    # Priority offenders, scoring: the ranked candidates (analysts, supervisors).
    NavItem("Candidates", "intel:candidate-list", "intel.list_candidates"),
    NavItem("Designations", "intel:designation-list", "intel.view_prioritydesignation"),
    NavItem("Zones", "intel:zone-assignment-list", "intel.view_zoneassignment"),
    NavItem("Watch lists", "alerts:list-list", "alerts.view_watchlist"),
    NavItem("Imports", "intel:import-list", "intel.view_dataimport"),
    NavItem("Boundaries", "intel:boundary-list", "intel.view_zonelayer"),
    # The analysis needs every record kind (dashboards.permissions); shootings are the last
    # of them a role gets, so their permission stands for the set here.
    NavItem("Crime map", "dashboards:map", "intel.view_shooting"),
    # Crime analysis: the roles reading shootings are those reading everything it counts
    # (analysts, supervisors; dashboards.permissions); the pages check the whole rule.
    NavItem("Trends", "dashboards:trends", "intel.view_shooting"),
    NavItem("GunStat", "dashboards:gunstat", "intel.view_shooting"),
    # Alternative-treatment rules: kept by supervisors and admins (prosecutors read them on
    # each brief).
    NavItem("Treatment rules", "intel:treatment-rule-list", "intel.change_treatmentrule"),
    NavItem("Alerts", "alerts:inbox", "alerts.view_alert"),
    NavItem("Alert fatigue", "alerts:fatigue", "alerts.review_fatigue"),
    NavItem("Audit trail", "csu:audit-list", "csu.view_auditevent"),
    NavItem("Users", "csu:user-list", "csu.view_user"),
    NavItem("API", "api-docs"),
    NavItem("My account", "csu:account"),
]


def nav_for(user) -> list[NavItem]:  # type: ignore[no-untyped-def]
    if not user.is_authenticated:
        return []
    return [item for item in NAV_ITEMS if item.permission is None or user.has_perm(item.permission)]
