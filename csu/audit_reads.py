"""One mechanism for auditing reads of case data (CJIS AU-2, 28 CFR 23.20(g)).

``ReadAuditMiddleware`` looks at the route a request resolved to once the response is ready and
writes exactly one ``AuditEvent`` for:

- every list, search, detail, export or download of case data (``reads`` methods of the route),
  outcome *success*, or *failure* when the request was answered with another 4xx (a bad search);
- every refused request on an audited route (401, 403, 404, or the Django admin sending a
  signed-in user back to its sign-in page), outcome *denied*, unless the service already
  recorded the refusal.

Writes (the other methods of a route) are audited by their service with the act's own detail;
the middleware adds nothing for them unless they were refused. Events carry ids and metadata
only: the route name, the object type and id from the URL, the status, and for searches the
terms typed (so a supervisor can answer "who searched for this name"; admins see them redacted,
see ``csu.selectors.audit_event_shown``).

Every URL pattern is classified here: audited (``ReadRoute``) or exempt with a reason. The test
``tests/test_audit_coverage.py`` walks the root resolver and fails on a route that is neither, so
a new page cannot be forgotten. At run time an unclassified named route is audited as a read.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.http.request import RawPostDataException
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from csu.audit import AUDIT_VIEW, audit_record
from csu.models import AuditEvent

GET = frozenset({"GET", "HEAD"})
NONE: frozenset[str] = frozenset()  # only refusals are recorded; the service audits the act
REFUSED = (401, 403, 404)
UNCLASSIFIED = "unclassified.read"

# Search terms and filters are kept, cut short, never more than this many.
MAX_TERMS = 20
MAX_TERM_LENGTH = 200
NOT_TERMS = {"csrfmiddlewaretoken", "format"}


@dataclass(frozen=True)
class ReadRoute:
    """An audited route: the action its reads are recorded as, and what its ``pk`` names."""

    action: str
    object_type: str = ""
    reads: frozenset[str] = GET
    # Only some requests to the route read case data (the home page of some roles).
    when: Callable[[HttpRequest], bool] | None = None
    # The URL argument naming the object, when it is not ``pk``, ``object_id`` or ``id``.
    object_kwarg: str = ""


def _lists_arrests(request: HttpRequest) -> bool:
    from csu.roles import Role

    return getattr(request.user, "primary_role", None) == Role.PROSECUTOR


def _form(action: str, object_type: str = "") -> ReadRoute:
    """A form page: its GET shows the object the form is about; its POST is a service write."""
    return ReadRoute(action, object_type)


# The registry of read actions. Existing names are kept: tests and supervisors' saved filters
# rely on them ("person.viewed", "group.viewed", ...).
ROUTES: dict[str, ReadRoute] = {
    # csu: the pages that show case data or the audit trail.
    # A prosecutor's home shows recent arrests and the designated people in their zones and
    # cases (their ids are noted on the event); the action keeps its name.
    "csu:home": ReadRoute("arrest.recent_list", when=_lists_arrests),
    "csu:audit-list": ReadRoute(AUDIT_VIEW),
    "csu:audit-export": ReadRoute("audit.export", reads=NONE),  # the service records the export
    # intel: every route is case data.
    "intel:boundary-list": ReadRoute("boundary.list"),
    "intel:offense-list": ReadRoute("offense_mapping.list"),
    "intel:import-list": ReadRoute("import.list"),
    "intel:import-detail": ReadRoute("import.viewed", "intel.dataimport"),
    "intel:import-start": ReadRoute("import.start", "intel.dataimport", reads=NONE),
    # Polled every few seconds while an import runs; status and counts only, no row content.
    "intel:import-progress": ReadRoute("import.progress", "intel.dataimport", reads=NONE),
    "intel:import-rejects": ReadRoute("import.rejects_downloaded", "intel.dataimport"),
    "intel:import-rollback": ReadRoute("import.rollback", "intel.dataimport", reads=NONE),
    "intel:person-list": ReadRoute("person.searched", reads=GET | {"POST"}),
    "intel:person-detail": ReadRoute("person.viewed", "intel.person"),
    "intel:person-merge": ReadRoute("person.merge", "intel.person", reads=NONE),
    "intel:person-unmerge": ReadRoute("person.unmerge", "intel.personmerge", reads=NONE),
    "intel:match-list": ReadRoute("match.list"),
    "intel:match-link": ReadRoute("person.match_decide", "intel.matchcandidate", reads=NONE),
    "intel:match-reject": ReadRoute("person.match_decide", "intel.matchcandidate", reads=NONE),
    "intel:match-new-person": ReadRoute("person.match_decide", "intel.arrest", reads=NONE),
    "intel:match-new-person-victim": ReadRoute(
        "person.match_decide", "intel.shootingvictim", reads=NONE
    ),
    "intel:match-new-person-case": ReadRoute(
        "person.match_decide", "intel.casereferral", reads=NONE
    ),
    "intel:person-network": ReadRoute("person.network_viewed", "intel.person"),
    "intel:group-list": ReadRoute("group.list"),
    "intel:group-create": _form("group.create_form"),
    "intel:group-detail": ReadRoute("group.viewed", "intel.group"),
    "intel:membership-submit": _form("membership.submit_form", "intel.group"),
    "intel:membership-approve": ReadRoute(
        "membership.approve", "intel.groupmembership", reads=NONE
    ),
    "intel:membership-remove": ReadRoute("membership.remove", "intel.groupmembership", reads=NONE),
    "intel:challenge-list": ReadRoute("challenge.list"),
    "intel:challenge-file": _form("challenge.file_form"),
    "intel:challenge-detail": ReadRoute("challenge.viewed", "intel.challenge"),
    "intel:challenge-decide": ReadRoute("challenge.decide", "intel.challenge", reads=NONE),
    "intel:record-list": ReadRoute("intel.record_list"),
    "intel:record-create": _form("intel.create_form"),
    "intel:record-export": ReadRoute("intel.export", reads=NONE),  # the service records it
    "intel:record-detail": ReadRoute("intel.record_viewed", "intel.intelrecord"),
    "intel:record-submit": ReadRoute("intel.submit", "intel.intelrecord", reads=NONE),
    "intel:record-approve": ReadRoute("intel.approve", "intel.intelrecord", reads=NONE),
    "intel:record-revalidate": ReadRoute("intel.revalidate", "intel.intelrecord", reads=NONE),
    "intel:record-purge": ReadRoute("intel.purge", "intel.intelrecord", reads=NONE),
    "intel:record-share": ReadRoute("intel.disseminate", "intel.intelrecord", reads=NONE),
    "intel:record-identifier-add": ReadRoute(
        "intel.identifier_add", "intel.intelrecord", reads=NONE
    ),
    "intel:record-grant": ReadRoute("intel.grant", "intel.intelrecord", reads=NONE),
    "intel:record-revoke": ReadRoute("intel.revoke", "intel.intelrecord", reads=NONE),
    # priority offenders, scoring: the ranked candidates are case data; the weights are policy
    # (listed anyway, so who read them is known); a new version is audited by its service.
    "intel:candidate-list": ReadRoute("priority.candidate_list"),
    "intel:score-config-list": ReadRoute("priority.score_config_list"),
    "intel:score-config-create": _form("priority.score_config_form"),
    # priority designations (issue 12): the pages read people; the actions are services.
    "intel:designation-propose": _form("designation.propose_form", "intel.person"),
    "intel:person-priority": ReadRoute("person.designation_viewed", "intel.person"),
    "intel:designation-list": ReadRoute("designation.list"),
    "intel:designation-detail": ReadRoute("designation.viewed", "intel.prioritydesignation"),
    **{
        f"intel:designation-{slug}": ReadRoute(
            f"designation.{slug.replace('-', '_')}", "intel.prioritydesignation", reads=NONE
        )
        for slug in (
            "approve",
            "reject",
            "renewal-request",
            "renew",
            "renewal-refuse",
            "challenge-record",
            "challenge-decide",
            "remove",
        )
    },
    "intel:list-health": ReadRoute("designation.list_health"),
    "intel:supervision-add": _form("supervision.add_form", "intel.person"),
    # Who covers which zone: its POST assigns (the service records it).
    "intel:zone-assignment-list": ReadRoute("zone_assignment.list"),
    "intel:zone-assignment-delete": ReadRoute(
        "zone_assignment.delete", "intel.zoneassignment", reads=NONE
    ),
    # priority: the prosecutor's brief (viewed, printed, downloaded) and treatment rules.
    "intel:person-brief": ReadRoute("brief.viewed", "intel.person"),
    "intel:person-brief-pdf": ReadRoute("brief.downloaded", "intel.person"),
    # The Print button posts here before the print dialog opens: the POST is the read.
    "intel:person-brief-printed": ReadRoute(
        "brief.printed", "intel.person", reads=frozenset({"POST"})
    ),
    "intel:treatment-rule-list": ReadRoute("treatment_rule.list"),
    "intel:treatment-rule-create": _form("treatment_rule.create_form"),
    "intel:treatment-rule-edit": _form("treatment_rule.edit_form", "intel.treatmentrule"),
    # alerts: watch lists and entries (who is watched, and why, is case data).
    "alerts:list-list": ReadRoute("watchlist.list"),
    "alerts:list-create": _form("watchlist.create_form"),
    "alerts:list-detail": ReadRoute("watchlist.viewed", "alerts.watchlist"),
    "alerts:list-member-set": ReadRoute("watchlist.member_set", "alerts.watchlist", reads=NONE),
    "alerts:list-member-remove": ReadRoute(
        "watchlist.member_remove", "alerts.watchlist", reads=NONE
    ),
    "alerts:list-pause": ReadRoute("watchlist.pause", "alerts.watchlist", reads=NONE),
    "alerts:list-resume": ReadRoute("watchlist.resume", "alerts.watchlist", reads=NONE),
    "alerts:entry-add": ReadRoute("watchentry.add", "alerts.watchlist", reads=NONE),
    "alerts:entry-renew": ReadRoute("watchentry.renew", "alerts.watchentry", reads=NONE),
    "alerts:entry-remove": ReadRoute("watchentry.remove", "alerts.watchentry", reads=NONE),
    "alerts:entry-add-person": _form("watchentry.add_person_form", "intel.person"),
    # The API mirrors the pages: its reads are recorded like theirs.
    "audit-event-list": ReadRoute(AUDIT_VIEW),
    "audit-event-detail": ReadRoute(AUDIT_VIEW, "csu.auditevent"),
    "import-list": ReadRoute("import.list"),  # POST uploads: the service records it
    "import-detail": ReadRoute("import.viewed", "intel.dataimport"),
    "person-priority-score": ReadRoute("priority.score_viewed", "intel.person"),
    # dashboards: the analysis counts case data by zone and place; the filters are kept.
    "analysis-compstat": ReadRoute("analysis.compstat"),
    "analysis-spikes": ReadRoute("analysis.spikes"),
    "analysis-hotspots": ReadRoute("analysis.hotspots"),
    # alerts: the recipient's own alerts name arrests and people (case data); ``since`` kept.
    "alert-list": ReadRoute("alert.list"),
    "dashboards:map": ReadRoute("analysis.map"),
    "dashboards:hotspots-csv": ReadRoute("analysis.hotspots_export"),
    # The analysis pages and their CSV downloads, filters kept like the API's.
    "dashboards:trends": ReadRoute("analysis.trends"),
    "dashboards:trends-csv": ReadRoute("analysis.trends_exported"),
    "dashboards:compstat-csv": ReadRoute("analysis.compstat_exported"),
    "dashboards:gunstat": ReadRoute("analysis.gunstat"),
    "dashboards:gunstat-csv": ReadRoute("analysis.gunstat_exported"),
    "dashboards:zone-timeline": ReadRoute(
        "analysis.zone_timeline", "intel.zone", object_kwarg="zone_id"
    ),
    # alerts (issue 13, part F): the inbox and an alert show arrests and people; the writes
    # (acknowledge, snooze, pause) are audited by their services.
    "alerts:inbox": ReadRoute("alert.inbox"),
    "alerts:alert-detail": ReadRoute("alert.viewed", "alerts.alert"),
    "alerts:alert-acknowledge": ReadRoute("alert.acknowledge", "alerts.alert", reads=NONE),
    "alerts:preferences": ReadRoute("alert.preferences"),
    "alerts:snooze-list": ReadRoute("alert.snooze_list"),
    "alerts:snooze-cancel": ReadRoute("alert.snooze_cancel", "alerts.snooze", reads=NONE),
    "alerts:fatigue": ReadRoute("alert.fatigue_report"),
    "alerts:fatigue-pause": ReadRoute("watchlist.pause", "alerts.watchlist", reads=NONE),
}

# Routes that show no case data, with the reason. Account pages are the user's own metadata;
# their changes (password, tokens, factors) are audited by the services.
EXEMPT: dict[str, str] = {
    "healthz": "liveness probe; no data",
    "api-root": "links to the API's endpoints; no data",
    "api-me": "the caller's own account",
    "api-schema": "the OpenAPI description; no data",
    "api-docs": "the Swagger UI page; no data",
    "admin:index": "list of admin sections; no data",
    "admin:app_list": "list of an app's models; no data",
    "admin:login": "redirects to the application's sign-in",
    "admin:logout": "signing out (audited as auth.logout)",
    "admin:password_change": "the admin's own password (audited by the service)",
    "admin:password_change_done": "a confirmation page",
    "admin:jsi18n": "translations for the admin's scripts",
    "admin:view_on_site": "a redirect to the object's own page, which is audited",
}
# Exempt by the start of their name, so new account pages need no entry here.
EXEMPT_PREFIXES: dict[str, str] = {
    "csu:login": "signing in (audited as auth.login / auth.login_failed)",
    "csu:mfa": "the second factor step (audited by the sign-in flow)",
    "csu:logout": "signing out (audited as auth.logout)",
    "csu:account": "the user's own account page",
    "csu:password": "the user's own password (audited by the service)",
    "csu:enrol": "second factor enrolment (audited as auth.mfa_enroll)",
    "api-token": "the caller's own API tokens (audited by the services)",
}
# User management is account metadata, not case data: changes are audited by the services and
# a refused attempt is recorded here (someone probing for admin functions).
USER_ROUTES = ReadRoute("user.manage", "csu.user", reads=NONE)

ADMIN_METHODS = frozenset({"GET", "HEAD", "POST"})
ADMIN_ROUTES = {
    "admin:autocomplete": ReadRoute("admin.autocomplete"),
    # Django's UserAdmin names its password page after auth.User whatever the user model.
    "admin:auth_user_password_change": ReadRoute(
        "admin.password_change", "csu.user", reads=ADMIN_METHODS
    ),
}


def _admin_route(route: str) -> ReadRoute | None:
    """Every model page of the Django admin (``admin:<app>_<model>_<view>``: changelist, change,
    history, delete, add and a model admin's own pages). Reads and writes there bypass the
    services, so each request is one event (the admin's own LogEntry has names; this has ids)."""
    from django.contrib import admin

    if route in ADMIN_ROUTES:
        return ADMIN_ROUTES[route]
    name = route.removeprefix("admin:")
    for model in admin.site._registry:
        prefix = f"{model._meta.app_label}_{model._meta.model_name}_"
        if name.startswith(prefix) and name != prefix:
            return ReadRoute(
                f"admin.{name.removeprefix(prefix)}", model._meta.label_lower, reads=ADMIN_METHODS
            )
    return None


def classify(route: str) -> ReadRoute | str | None:
    """The rule of a route name (``namespace:name``): a ``ReadRoute``, the reason it is exempt,
    or ``None`` when nobody classified it."""
    if route in ROUTES:
        return ROUTES[route]
    if route in EXEMPT:
        return EXEMPT[route]
    for prefix, reason in EXEMPT_PREFIXES.items():
        if route.startswith(prefix):
            return reason
    if route.startswith("csu:user-"):
        return USER_ROUTES
    if route.startswith("admin:"):
        return _admin_route(route)
    return None


def iter_routes(
    patterns: list[Any] | None = None, namespaces: tuple[str, ...] = (), prefix: str = ""
) -> Iterator[tuple[str | None, str]]:
    """Every URL pattern under the root resolver: (``namespace:name`` or None, full pattern)."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = (*namespaces, pattern.namespace) if pattern.namespace else namespaces
            yield from iter_routes(pattern.url_patterns, inner, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            name = ":".join((*namespaces, pattern.name)) if pattern.name else None
            yield name, prefix + str(pattern.pattern)


def note(request: HttpRequest, **detail: Any) -> None:
    """Add ids or counts to the event this request's read will be recorded with (the number of
    results, the intel records a page showed). Never record content."""
    request.__dict__.setdefault("csu_read_notes", {}).update(detail)


def _terms(request: HttpRequest) -> dict[str, str]:
    """What the reader asked for: search terms and filters, from the query string and, for a
    search sent by POST, the form."""
    sources = [request.GET]
    if request.method == "POST":
        # A body the API already read as a stream has no form to give.
        with contextlib.suppress(RawPostDataException):
            sources.append(request.POST)
    terms: dict[str, str] = {}
    for source in sources:
        for key, value in source.items():
            if key in NOT_TERMS or not value or len(terms) >= MAX_TERMS:
                continue
            # PostgreSQL's jsonb cannot hold NUL: a hostile term must not stop the audit.
            terms[key[:50].replace("\x00", "")] = str(value)[:MAX_TERM_LENGTH].replace("\x00", "")
    return terms


def _admin_refused(route: str, response: HttpResponse) -> bool:
    """The admin answers a user without access by sending them to its sign-in page."""
    if not route.startswith("admin:") or response.status_code != 302:
        return False
    return response.get("Location", "").startswith(reverse("admin:login"))


def _already_denied(request: HttpRequest) -> bool:
    return AuditEvent.Outcome.DENIED in request.__dict__.get("csu_audit_outcomes", ())


def read_audit(request: HttpRequest, response: HttpResponse) -> AuditEvent | None:
    """Record the request's read or refusal, if its route is audited; return the event."""
    match = getattr(request, "resolver_match", None)
    if match is None or not match.url_name:
        return None  # not a route (static files, a 404 for an unknown path) or a bare redirect
    route = match.view_name
    rule = classify(route)
    if isinstance(rule, str):
        return None
    if rule is None:
        rule = ReadRoute(UNCLASSIFIED)
    status = response.status_code
    refused = status in REFUSED or _admin_refused(route, response)
    user = request.user if request.user.is_authenticated else None
    if refused:
        if _already_denied(request):
            return None
        outcome = AuditEvent.Outcome.DENIED
    elif user is None or request.method not in rule.reads:
        return None  # anonymous pages go to sign-in; writes are recorded by their service
    elif rule.when is not None and not rule.when(request):
        return None
    else:
        outcome = AuditEvent.Outcome.SUCCESS if status < 400 else AuditEvent.Outcome.FAILURE
    keys = (rule.object_kwarg, "pk", "object_id", "id")  # an empty object_kwarg never matches
    object_id = next((match.kwargs[k] for k in keys if k in match.kwargs), "")
    detail: dict[str, Any] = {}
    if request.method in rule.reads:
        detail.update(_terms(request))
    detail.update(request.__dict__.get("csu_read_notes", {}))
    detail.update(route=route, status=status)
    return audit_record(
        actor=user,
        action=rule.action,
        outcome=outcome,
        request=request,
        object_type=rule.object_type if object_id != "" else "",
        object_id=str(object_id)[:64],
        detail=detail,
    )


class ReadAuditMiddleware:
    """Writes the read/refusal event of every audited route (see the module docstring). Sits
    after authentication; DRF sets the token's user on the request before this runs."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        read_audit(request, response)
        return response
