"""One audit mechanism for reads (``csu.audit_reads``): every route is classified, and every
page/endpoint × role of the permission matrix leaves exactly the events it should."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from csu.audit_reads import ReadRoute, classify, iter_routes
from csu.models import AuditEvent
from tests.conftest import sign_in
from tests.permission_matrix import ALL_ROLES, PAGES, Page
from tests.test_permission_matrix import _call, _url

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("analysis_layer")]

# What the matrix's pages are, written out here rather than read back from the registry, so a
# route that drops out of the audit fails this test.
NOT_CASE_DATA = {"csu:account", "csu:password-change", "api-me", "api-schema", "api-docs"}
ACCOUNT_ADMIN = {"csu:user-list", "csu:user-unlock", "csu:user-reset-mfa", "csu:user-set-role"}
# Searches go by POST (no names in URLs); the brief's Print button posts before printing.
READ_BY_POST = {"intel:person-list", "intel:record-list", "intel:person-brief-printed"}
# Polled every few seconds while an import runs (status and counts): only refusals recorded.
POLLED = {"intel:import-progress"}
REFUSED = (401, 403, 404)


def _expected(page: Page, role: str | None, status: int) -> int:
    """How many events the read audit should add for one request."""
    name, refused = page.url_name, status in REFUSED
    if name in NOT_CASE_DATA or name.startswith("csu:account"):
        return 0
    if role is None:  # pages send the anonymous to sign-in; the API refuses and that counts
        return int(page.api and refused)
    if refused:
        return 1
    if name == "csu:home":
        return int(role == "prosecutor")  # the only home page that lists records (arrests)
    if name in ACCOUNT_ADMIN or name in POLLED:
        return 0  # account metadata, audited by the services; or a status poll
    return int(page.method == "get" or name in READ_BY_POST)


def _new_events(since: int) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(pk__gt=since).order_by("pk"))


def _last_id() -> int:
    last = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
    return last or 0


def test_every_url_pattern_is_audited_or_exempt_with_a_reason() -> None:
    audited, exempt, unclassified, unnamed = [], [], [], []
    for name, pattern in iter_routes():
        if name is None:
            unnamed.append(pattern)
            continue
        rule = classify(name)
        if isinstance(rule, ReadRoute):
            audited.append(name)
            assert rule.action, name
            if "<int:pk>" in pattern or "<path:object_id>" in pattern:
                assert rule.object_type, f"{name}: an object route must name its object type"
        elif isinstance(rule, str) and rule.strip():
            exempt.append(name)
        else:
            unclassified.append(name)

    total = len(audited) + len(exempt) + len(unclassified)
    print(
        f"routes classified: {len(audited) + len(exempt)} of {total} "
        f"({len(audited)} audited, {len(exempt)} exempt with a reason)"
    )
    assert unclassified == [], f"classify these routes in csu/audit_reads.py: {unclassified}"
    # Every route of the records is case data; the Django admin's model pages are audited too.
    assert not [n for n in exempt if n.startswith("intel:")]
    assert "admin:intel_person_change" in audited and "admin:intel_arrest_changelist" in audited
    assert "admin:intel_personidentifier_changelist" in audited
    # Unnamed patterns are the admin's redirects and catch-all only (they show no data).
    assert all(p.startswith("admin/") for p in unnamed), unnamed


def test_audit_coverage_over_every_route_and_role(personas) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    clients: dict[str | None, Client] = {
        role: sign_in(Client(), personas[role]) for role in ALL_ROLES
    }
    clients[None] = Client()

    def client(role: str | None) -> Client:
        # The matrix resets the analyst's second factor (csu:user-reset-mfa), which ends their
        # session: sign in again, as the person would.
        if role and not TOTPDevice.objects.filter(user=personas[role], confirmed=True).exists():
            clients[role] = sign_in(Client(), personas[role])
        return clients[role]

    requests = []
    for page in PAGES:
        for role in (*ALL_ROLES, None):
            requests.append((page, role, None))
        if page.missing_args:  # an object that does not exist: refused as 404, and recorded
            requests.append((page, page.allowed[0], page.missing_args))

    matched, wrong = 0, []
    for page, role, args in requests:
        url = _url(page, personas, role, args)  # may write the events of making the object
        since = _last_id()
        response = _call(client(role), page, url)
        events = _new_events(since)
        ours = [e for e in events if "route" in e.detail]
        expected = _expected(page, role, response.status_code)
        ok = len(ours) == expected
        for event in ours:
            refused = response.status_code in REFUSED
            ok &= event.detail["route"] == page.url_name
            ok &= event.outcome == ("denied" if refused else "success")
            ok &= event.actor_username == (personas[role].username if role else "anonymous")
            object_arg = (args or page.args)[:1]
            if object_arg and refused is False:
                ok &= event.object_id != "" and event.object_type != ""
            if args:
                ok &= event.object_id == str(args[0])
        if ok:
            matched += 1
        else:
            wrong.append(
                (
                    page.method,
                    page.url_name,
                    role,
                    response.status_code,
                    expected,
                    [(e.action, e.outcome, e.object_id) for e in ours],
                )
            )

    print(
        f"audit coverage over every route x role: events == expected for {matched} of "
        f"{len(requests)} requests"
    )
    assert wrong == [], "\n".join(map(str, wrong))


def test_django_admin_reads_of_people_arrests_and_identifiers_are_audited(make_user) -> None:
    from tests.factories import ArrestFactory, PersonFactory

    root = make_user("admin", "root.admin")
    root.is_staff = root.is_superuser = True
    root.save(update_fields=["is_staff", "is_superuser"])
    client = sign_in(Client(), root)
    person = PersonFactory(last_name="ZEBULON", first_name="QUIMBY")
    arrest = ArrestFactory(person=person)
    reads = [
        ("admin:intel_person_changelist", (), "admin.changelist", "intel.person", ""),
        ("admin:intel_person_change", (person.pk,), "admin.change", "intel.person", str(person.pk)),
        ("admin:intel_arrest_changelist", (), "admin.changelist", "intel.arrest", ""),
        ("admin:intel_arrest_change", (arrest.pk,), "admin.change", "intel.arrest", str(arrest.pk)),
        (
            "admin:intel_personidentifier_changelist",
            (),
            "admin.changelist",
            "intel.personidentifier",
            "",
        ),
    ]

    recorded = 0
    for name, args, action, object_type, object_id in reads:
        since = _last_id()
        response = client.get(reverse(name, args=args), {"q": "ZEBULON"} if not args else {})
        assert response.status_code == 200, name
        events = _new_events(since)
        assert [(e.action, e.object_id) for e in events] == [(action, object_id)], name
        event = events[0]
        assert event.detail["route"] == name and event.outcome == "success"
        assert event.object_type == (object_type if object_id else "")
        assert "ZEBULON" not in event.object_repr.upper()
        recorded += 1
    print(f"Django admin reads of people/arrests/identifiers audited: {recorded} of {len(reads)}")

    # Someone without the admin is sent to its sign-in: a refusal, recorded as denied.
    prosecutor = make_user("prosecutor", "nosy.prosecutor")
    since = _last_id()
    response = sign_in(Client(), prosecutor).get(
        reverse("admin:intel_person_change", args=[person.pk])
    )
    assert response.status_code == 302
    denied = [e for e in _new_events(since) if e.action == "admin.change"]
    assert [(e.outcome, e.object_id) for e in denied] == [("denied", str(person.pk))]


def test_a_search_term_with_a_nul_byte_is_still_recorded(prosecutor, client_for) -> None:
    """PostgreSQL's jsonb refuses NUL: the term is recorded without it rather than failing."""
    since = _last_id()

    response = client_for(prosecutor).post(reverse("intel:person-list"), {"q": "SMI\x00TH"})

    assert response.status_code == 400
    event = AuditEvent.objects.get(pk__gt=since, action="person.searched")
    assert (event.outcome, event.detail["q"]) == ("failure", "SMITH")
