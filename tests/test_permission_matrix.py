"""Every page and endpoint × every role: anonymous, wrong role, out of scope, allowed."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.permission_matrix import ALL_ROLES, PAGES, Page

pytestmark = pytest.mark.django_db


def _url(page: Page, personas: dict, role: str | None, args: tuple | None = None) -> str:
    resolved = []
    for arg in (page.args if args is None else args):
        if arg == "{self}":
            arg = personas[role].pk if role else personas["admin"].pk
        elif arg == "{other}":
            arg = personas["analyst"].pk
        elif isinstance(arg, str) and arg.startswith("{"):
            arg = OBJECT_MAKERS[arg.strip("{}")](personas).pk
        resolved.append(arg)
    return reverse(page.url_name, args=resolved)


def _an_import(personas: dict):  # type: ignore[no-untyped-def]
    """A finished import to view: rolling it back twice is refused, so each call makes one."""
    from intel.models import Agency, DataImport

    agency, _ = Agency.objects.get_or_create(name="Matrix PD")
    return DataImport.objects.create(kind="incidents", agency=agency, original_name="m.csv",
                                     stored_name="m.csv", sha256="0" * 64, status="failed",
                                     rejects=[[2, "Date", "no date"]])


def _a_person(personas: dict):  # type: ignore[no-untyped-def]
    from intel.models import Person

    return Person.objects.create(first_name="Matrix", last_name="Person")


def _a_merge(personas: dict):  # type: ignore[no-untyped-def]
    """A merge in effect, made by the real service (un-merging it twice is refused)."""
    from intel.resolution.services import person_merge

    return person_merge(actor=personas["analyst"], survivor=_a_person(personas),
                        merged=_a_person(personas), reason="permission matrix merge")


def _a_match(personas: dict):  # type: ignore[no-untyped-def]
    """An open review candidate: an unlinked arrest that may be a known person."""
    import uuid

    from django.utils import timezone

    from intel.models import Agency, Arrest, MatchCandidate

    agency, _ = Agency.objects.get_or_create(name="Matrix PD")
    arrest = Arrest.objects.create(source_agency=agency, source_id=uuid.uuid4().hex,
                                   arrested_at=timezone.now(), name_as_recorded="PERSON, MATRIX")
    return MatchCandidate.objects.create(arrest=arrest, person=_a_person(personas), score=0.7,
                                         factors=[{"factor": "last name", "detail": "exact",
                                                   "weight": 4.0}])


def _an_associate(personas: dict):  # type: ignore[no-untyped-def]
    """A person arrested with someone else in one incident: the network has a link to draw."""
    import uuid

    from django.utils import timezone

    from intel.models import Agency, Arrest, Incident

    agency, _ = Agency.objects.get_or_create(name="Matrix PD")
    incident = Incident.objects.create(source_agency=agency, source_id=uuid.uuid4().hex,
                                       occurred_at=timezone.now())
    person = _a_person(personas)
    for who in (person, _a_person(personas)):
        Arrest.objects.create(source_agency=agency, source_id=uuid.uuid4().hex, person=who,
                              incident=incident, arrested_at=timezone.now())
    return person


def _a_group(personas: dict):  # type: ignore[no-untyped-def]
    import uuid

    from intel.models import Group

    return Group.objects.create(name=f"Matrix crew {uuid.uuid4().hex[:8]}",
                                created_by=personas["analyst"])


def _a_membership(personas: dict):  # type: ignore[no-untyped-def]
    """A membership pending review, proposed by the analyst (so the supervisor may approve)."""
    from intel.models import GroupMembership

    return GroupMembership.objects.create(
        group=_a_group(personas), person=_a_person(personas), level="associate",
        predicate_category="weapons", source_type="officer", lawfully_obtained=True,
        predicate_narrative="Arrested twice with members carrying loaded handguns this year.",
        submitted_by=personas["analyst"])


def _a_challenge(personas: dict):  # type: ignore[no-untyped-def]
    """An open challenge to a membership, as counsel filed it."""
    from django.utils import timezone

    from intel.models import Challenge

    membership = _a_membership(personas)
    return Challenge.objects.create(person=membership.person, membership=membership,
                                    filed_by="Counsel for the matrix person",
                                    received_at=timezone.localdate(),
                                    grounds="He has never been part of this group at all.",
                                    recorded_by=personas["analyst"])


def _an_intel_record(personas: dict, *, status: str = "approved",
                     sensitivity: str = "confidential"):  # type: ignore[no-untyped-def]
    """An intelligence record by the analyst, made by the real services, taken to ``status``;
    "Matrix State Police" (law enforcement, agreement on file) may receive it."""
    from django.utils import timezone

    from intel import intelligence
    from intel.models import Agency

    agency, _ = Agency.objects.get_or_create(
        name="Matrix State Police", defaults={"agreement_signed_at": timezone.localdate()})
    analyst = personas["analyst"]
    record = intelligence.intel_record_create(
        actor=analyst, subject_kind="person", subject_person=_a_person(personas),
        narrative="Seen handing a handgun to a juvenile on Elm St.", predicate_category="weapons",
        predicate_narrative="Arrested twice this year with a loaded handgun; named by witnesses.",
        source_type="officer", source_reliability="B", content_validity="2",
        sensitivity=sensitivity, submitting_agency=agency, lawfully_obtained=True)
    if status != "draft":
        intelligence.intel_record_submit(actor=analyst, record=record)
    if status == "approved":
        intelligence.intel_record_approve(actor=personas["supervisor"], record=record)
    return record


def _a_restricted_intel_record(personas: dict):  # type: ignore[no-untyped-def]
    """A restricted record the supervisor and the prosecutor were named on."""
    from guardian.shortcuts import assign_perm

    record = _an_intel_record(personas, sensitivity="restricted")
    for role in ("supervisor", "prosecutor"):
        assign_perm("view_intelrecord", personas[role], record)
    return record


# "{name}" in a Page's args: a fresh object made for each request by OBJECT_MAKERS[name].
OBJECT_MAKERS = {
    "import": _an_import,
    "person": _a_person,
    "merge": _a_merge,
    "match": _a_match,
    "match_arrest": lambda personas: _a_match(personas).arrest,
    "associate": _an_associate,
    "group": _a_group,
    "membership": _a_membership,
    "challenge": _a_challenge,
    "intel_record": _an_intel_record,
    "intel_draft": lambda personas: _an_intel_record(personas, status="draft"),
    "intel_pending": lambda personas: _an_intel_record(personas, status="pending"),
    "intel_restricted": _a_restricted_intel_record,
}


def _call(client: Client, page: Page, url: str):  # type: ignore[no-untyped-def]
    return getattr(client, page.method)(url, page.data)


@pytest.mark.parametrize("page", PAGES, ids=lambda p: f"{p.method}:{p.url_name}")
def test_anonymous_is_sent_to_sign_in(page: Page, personas) -> None:
    response = _call(Client(), page, _url(page, personas, None))

    if page.api:
        assert response.status_code in (401, 403)
    else:
        assert response.status_code == 302 and reverse("csu:login") in response["Location"]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: f"{p.method}:{p.url_name}")
def test_each_role_gets_exactly_what_the_matrix_allows(page: Page, personas, client_for) -> None:
    results = {}
    for role in ALL_ROLES:
        client = client_for(personas[role])
        results[role] = _call(client, page, _url(page, personas, role)).status_code

    expected = {r: (page.ok_status if r in page.allowed else 403) for r in ALL_ROLES}
    assert results == expected


@pytest.mark.parametrize("page", [p for p in PAGES if p.missing_args],
                         ids=lambda p: f"{p.method}:{p.url_name}")
def test_an_object_out_of_scope_is_not_found(page: Page, personas, client_for) -> None:
    client = client_for(personas[page.allowed[0]])

    response = _call(client, page, _url(page, personas, page.allowed[0], page.missing_args))

    assert response.status_code == 404


def test_every_named_view_is_in_the_matrix() -> None:
    from django.urls import get_resolver

    names = set()
    for key in get_resolver().reverse_dict:
        if isinstance(key, str):
            names.add(key)
    for ns, (_, resolver) in get_resolver().namespace_dict.items():
        if ns == "admin":
            continue
        names |= {f"{ns}:{k}" for k in resolver.reverse_dict if isinstance(k, str)}
    public = {"csu:login", "csu:mfa", "csu:logout", "healthz", "csu:user-set-role",
              "csu:account-token", "api-root", "audit-event-detail"}
    covered = {p.url_name for p in PAGES}
    missing = sorted(n for n in names - covered - public if not n.startswith("admin"))
    assert missing == [], f"views missing from tests/permission_matrix.py: {missing}"


@pytest.mark.parametrize("page", [p for p in PAGES if p.method == "post"],
                         ids=lambda p: f"{p.method}:{p.url_name}")
def test_state_changing_requests_without_a_csrf_token_are_refused(page: Page, personas) -> None:
    from tests.conftest import sign_in

    role = page.allowed[0]
    client = sign_in(Client(), personas[role])
    client.handler.enforce_csrf_checks = True  # as a browser on another site would post

    response = _call(client, page, _url(page, personas, role))

    assert response.status_code == 403
