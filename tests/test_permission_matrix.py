"""Every page and endpoint × every role: anonymous, wrong role, out of scope, allowed."""

from __future__ import annotations

import itertools

import pytest
from django.test import Client
from django.urls import reverse

from tests.permission_matrix import ALL_ROLES, CASE_ROLES, PAGES, Page

# The analysis endpoints group by a boundary layer that must exist (ANALYSIS_LAYER).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("analysis_layer")]


def _url(page: Page, personas: dict, role: str | None, args: tuple | None = None) -> str:
    resolved = []
    for arg in page.args if args is None else args:
        if arg == "{self}":
            arg = personas[role].pk if role else personas["admin"].pk
        elif arg == "{other}":
            arg = personas["analyst"].pk
        elif isinstance(arg, str) and arg.strip("{}") in OWN_OBJECT_MAKERS:
            arg = OWN_OBJECT_MAKERS[arg.strip("{}")](personas[role or "admin"]).pk
        elif isinstance(arg, str) and arg.startswith("{"):
            arg = OBJECT_MAKERS[arg.strip("{}")](personas).pk
        resolved.append(arg)
    return reverse(page.url_name, args=resolved)


def _an_import(personas: dict):  # type: ignore[no-untyped-def]
    """A finished import to view: rolling it back twice is refused, so each call makes one."""
    from intel.models import Agency
    from tests.factories import DataImportFactory

    agency, _ = Agency.objects.get_or_create(name="Matrix PD")
    return DataImportFactory(agency=agency, status="failed", rejects=[[2, "Date", "no date"]])


def _a_person(personas: dict):  # type: ignore[no-untyped-def]
    from intel.models import Person

    return Person.objects.create(first_name="Matrix", last_name="Person")


def _a_merge(personas: dict):  # type: ignore[no-untyped-def]
    """A merge in effect, made by the real service (un-merging it twice is refused)."""
    from intel.people.services import person_merge

    return person_merge(
        actor=personas["analyst"],
        survivor=_a_person(personas),
        merged=_a_person(personas),
        reason="permission matrix merge",
    )


def _a_match(personas: dict):  # type: ignore[no-untyped-def]
    """An open review candidate: an unlinked arrest that may be a known person."""
    from tests.factories import MatchCandidateFactory

    return MatchCandidateFactory(
        person=_a_person(personas),
        factors=[{"factor": "last name", "detail": "exact", "weight": 4.0}],
    )


def _a_victim_match(personas: dict):  # type: ignore[no-untyped-def]
    """An open review candidate for a named shooting victim; returns the victim."""
    import uuid

    from django.utils import timezone

    from intel.models import Agency, MatchCandidate, Shooting, ShootingVictim

    agency, _ = Agency.objects.get_or_create(name="Matrix PD")
    shooting = Shooting.objects.create(
        source_agency=agency, source_id=uuid.uuid4().hex, occurred_at=timezone.now()
    )
    victim = ShootingVictim.objects.create(shooting=shooting, name_as_recorded="PERSON, MATRIX")
    MatchCandidate.objects.create(
        shooting_victim=victim, person=_a_person(personas), score=0.7, factors=[]
    )
    return victim


def _a_case_match(personas: dict):  # type: ignore[no-untyped-def]
    """An open review candidate for a case's defendant; returns the case."""
    import uuid

    from django.utils import timezone

    from intel.models import Agency, CaseReferral, MatchCandidate

    agency, _ = Agency.objects.get_or_create(name="Matrix PD")
    case = CaseReferral.objects.create(
        source_agency=agency,
        source_id=uuid.uuid4().hex,
        case_number="M-1",
        referred_at=timezone.now(),
        defendant_name_as_recorded="PERSON, MATRIX",
    )
    MatchCandidate.objects.create(case=case, person=_a_person(personas), score=0.7, factors=[])
    return case


def _an_associate(personas: dict):  # type: ignore[no-untyped-def]
    """A person arrested with someone else in one incident: the network has a link to draw."""
    import uuid

    from django.utils import timezone

    from intel.models import Agency, Arrest, Incident

    agency, _ = Agency.objects.get_or_create(name="Matrix PD")
    incident = Incident.objects.create(
        source_agency=agency, source_id=uuid.uuid4().hex, occurred_at=timezone.now()
    )
    person = _a_person(personas)
    for who in (person, _a_person(personas)):
        Arrest.objects.create(
            source_agency=agency,
            source_id=uuid.uuid4().hex,
            person=who,
            incident=incident,
            arrested_at=timezone.now(),
        )
    return person


def _a_group(personas: dict):  # type: ignore[no-untyped-def]
    from tests.factories import GroupFactory

    return GroupFactory(created_by=personas["analyst"])


def _a_membership(personas: dict, submitter=None, **fields):  # type: ignore[no-untyped-def]
    """A membership pending review, proposed by the analyst (so the supervisor may approve);
    ``fields`` override the factory's (an approved one for a challenge)."""
    from tests.factories import GroupMembershipFactory

    return GroupMembershipFactory(
        group=_a_group(personas), submitted_by=submitter or personas["analyst"], **fields
    )


def _a_challenge(personas: dict):  # type: ignore[no-untyped-def]
    """An open challenge to an approved membership (every reader sees it), as counsel filed it.
    A challenge to a pending one is out of scope for prosecutors (``OUT_OF_SCOPE_MAKERS``)."""
    from tests.factories import ChallengeFactory

    membership = _a_membership(personas, status="approved", approved_by=personas["supervisor"])
    return ChallengeFactory(
        membership=membership,
        filed_by="Counsel for the matrix person",
        grounds="He has never been part of this group at all.",
        recorded_by=personas["analyst"],
    )


def _an_intel_record(
    personas: dict,
    *,
    status: str = "approved",  # type: ignore[no-untyped-def]
    sensitivity: str = "confidential",
    submitter=None,
):
    """An intelligence record by the analyst (or ``submitter``), made by the real services,
    taken to ``status``; "Matrix State Police" (law enforcement, agreement on file) may
    receive it."""
    from django.utils import timezone

    from intel import intelligence
    from intel.models import Agency

    agency, _ = Agency.objects.get_or_create(
        name="Matrix State Police", defaults={"agreement_signed_at": timezone.localdate()}
    )
    analyst = submitter or personas["analyst"]
    record = intelligence.intel_record_create(
        actor=analyst,
        subject_kind="person",
        subject_person=_a_person(personas),
        narrative="Seen handing a handgun to a juvenile on Elm St.",
        predicate_category="weapons",
        predicate_narrative="Arrested twice this year with a loaded handgun; named by witnesses.",
        source_type="officer",
        source_reliability="B",
        content_validity="2",
        sensitivity=sensitivity,
        submitting_agency=agency,
        lawfully_obtained=True,
    )
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


def _a_zone(personas: dict):  # type: ignore[no-untyped-def]
    """A zone of the analysis layer, for an area's timeline."""
    from intel.models import ZoneLayer
    from tests.factories import ZoneFactory
    from tests.permission_matrix import ANALYSIS_LAYER

    return ZoneFactory(layer=ZoneLayer.objects.get(name=ANALYSIS_LAYER))


def _a_designation(personas: dict, stage: str = "proposed"):  # type: ignore[no-untyped-def]
    """A designation proposed by the analyst, made by the real services and taken to
    ``stage``: approved by the supervisor, with a renewal asked for by the analyst, or with a
    challenge recorded."""
    from intel.priority import designations
    from tests.permission_matrix import _FRESH

    designation = designations.designation_propose(
        actor=personas["analyst"],
        person=_a_person(personas),
        reason="Three violent arrests this year, two with a recovered handgun.",
    )
    if stage == "proposed":
        return designation
    designation = designations.designation_approve(
        actor=personas["supervisor"], designation=designation
    )
    if stage == "renewal":
        designations.designation_renewal_request(
            actor=personas["analyst"], designation=designation, reason=_FRESH
        )
    elif stage == "challenged":
        designations.designation_challenge_record(
            actor=personas["analyst"], designation=designation, filed_by="Counsel", grounds=_FRESH
        )
    return designation


def _a_zone_assignment(personas: dict):  # type: ignore[no-untyped-def]
    from intel.priority.supervision import zone_assignment_add

    return zone_assignment_add(
        actor=personas["supervisor"], user=personas["prosecutor"], zone=_a_zone(personas)
    )


def _a_treatment_rule(personas: dict):  # type: ignore[no-untyped-def]
    from intel.models import TreatmentRule
    from tests.factories.priority import drug_rule

    return drug_rule(personas["supervisor"], name=f"Matrix rule {TreatmentRule.objects.count()}")


_WATCH_LISTS = itertools.count(1)


def _a_kept_watch_list(personas: dict, owners: tuple = ()):  # type: ignore[no-untyped-def]
    """A fresh category owned by the three case roles (or by ``owners``)."""
    from alerts.services.lists import watchlist_create, watchlist_member_set

    owners = owners or tuple(personas[r] for r in CASE_ROLES)
    watch_list = watchlist_create(actor=owners[0], name=f"Matrix list {next(_WATCH_LISTS)}")
    for user in owners[1:]:
        watchlist_member_set(actor=owners[0], watch_list=watch_list, user=user, role="owner")
    return watch_list


def _a_watch_entry(personas: dict, owners: tuple = ()):  # type: ignore[no-untyped-def]
    from alerts.services.entries import watch_entry_add

    watch_list = _a_kept_watch_list(personas, owners)
    return watch_entry_add(
        actor=watch_list.owner,
        watch_list=watch_list,
        kind="charge",
        charge="PL 265.03",
        reason="permission matrix check",
    )


def _a_paused_watch_list(personas: dict):  # type: ignore[no-untyped-def]
    from alerts.services.lists import watchlist_pause

    watch_list = _a_kept_watch_list(personas)
    return watchlist_pause(actor=watch_list.owner, watch_list=watch_list, reason="matrix")


# "{name}" in a Page's args: a fresh object made for each request by OBJECT_MAKERS[name].
OBJECT_MAKERS = {
    "zone": _a_zone,
    "import": _an_import,
    "person": _a_person,
    "merge": _a_merge,
    "match": _a_match,
    "match_arrest": lambda personas: _a_match(personas).arrest,
    "match_victim": _a_victim_match,
    "match_case": _a_case_match,
    "associate": _an_associate,
    "group": _a_group,
    "membership": _a_membership,
    "challenge": _a_challenge,
    "intel_record": _an_intel_record,
    "intel_draft": lambda personas: _an_intel_record(personas, status="draft"),
    "intel_pending": lambda personas: _an_intel_record(personas, status="pending"),
    "intel_restricted": _a_restricted_intel_record,
    "designation": _a_designation,
    "designation_active": lambda personas: _a_designation(personas, "active"),
    "designation_renewal": lambda personas: _a_designation(personas, "renewal"),
    "designation_challenged": lambda personas: _a_designation(personas, "challenged"),
    "zone_assignment": _a_zone_assignment,
    "treatment_rule": lambda personas: _a_treatment_rule(personas),
    "watch_list": lambda personas: _a_watch_list(personas["prosecutor"]),
    "kept_watch_list": _a_kept_watch_list,
    "kept_watch_list_paused": _a_paused_watch_list,
    "kept_watch_entry": _a_watch_entry,
}


# alerts (part F): objects that belong to the user asking (their alert, their snooze).
def _a_watch_list(owner):  # type: ignore[no-untyped-def]
    from alerts.models import WatchList

    return WatchList.objects.get_or_create(
        name=f"Matrix list of {owner.username}",
        parent=None,
        defaults={"owner": owner, "created_by": owner},
    )[0]


def _an_alert(recipient):  # type: ignore[no-untyped-def]
    from django.utils import timezone

    from alerts.models import Alert, AlertDelivery
    from tests.factories import ArrestFactory

    watch_list = _a_watch_list(recipient)
    alert = Alert.objects.create(
        arrest=ArrestFactory(),
        recipient=recipient,
        matches=[
            {
                "list": watch_list.name,
                "list_id": watch_list.pk,
                "entry_id": None,
                "type": "person",
                "reason": "permission matrix",
                "note": "",
                "how": "state ID",
                "score": 1.0,
            }
        ],
    )
    AlertDelivery.objects.create(
        alert=alert, channel="in_app", status="sent", due_at=timezone.now(), sent_at=timezone.now()
    )
    return alert


def _a_snooze(user):  # type: ignore[no-untyped-def]
    from datetime import timedelta

    from django.utils import timezone

    from alerts.models import Snooze

    return Snooze.objects.create(
        user=user, watch_list=_a_watch_list(user), until=timezone.now() + timedelta(days=3)
    )


OWN_OBJECT_MAKERS = {"own_alert": _an_alert, "own_snooze": _a_snooze}


def _other_analyst(personas: dict):  # type: ignore[no-untyped-def]
    """A second analyst: the author of drafts, pending and restricted records nobody else in
    the personas may see."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    user, created = get_user_model().objects.get_or_create(
        username="oli.other", defaults={"first_name": "Oli", "last_name": "Other"}
    )
    if created:
        from django.utils import timezone

        from tests.conftest import PASSWORD

        user.set_password(PASSWORD)
        user.password_changed_at = timezone.now()
        user.save()
        user.groups.set([Group.objects.get(name="analyst")])
    return user


def _a_challenge_to(personas: dict, *, intel_record=None, membership=None):  # type: ignore[no-untyped-def]
    from tests.factories import ChallengeFactory

    return ChallengeFactory(
        intel_record=intel_record, membership=membership, recorded_by=personas["supervisor"]
    )


def _restricted_other(personas: dict):  # type: ignore[no-untyped-def]
    """An approved restricted record by another analyst, nobody named on it."""
    return _an_intel_record(personas, sensitivity="restricted", submitter=_other_analyst(personas))


# Existing objects out of scope for some roles allowed on a route (Page.out_of_scope).
OUT_OF_SCOPE_MAKERS = {
    "alert_other": lambda personas: _an_alert(_other_analyst(personas)),
    "snooze_other": lambda personas: _a_snooze(_other_analyst(personas)),
    "intel_restricted_other": _restricted_other,
    "intel_draft_other": lambda personas: _an_intel_record(
        personas, status="draft", submitter=_other_analyst(personas)
    ),
    "intel_pending_other": lambda personas: _an_intel_record(
        personas, status="pending", submitter=_other_analyst(personas)
    ),
    "intel_pending_restricted_other": lambda personas: _an_intel_record(
        personas, status="pending", sensitivity="restricted", submitter=_other_analyst(personas)
    ),
    "intel_draft": lambda personas: _an_intel_record(personas, status="draft"),
    "challenge_restricted": lambda personas: _a_challenge_to(
        personas, intel_record=_restricted_other(personas)
    ),
    "challenge_pending_membership": lambda personas: _a_challenge_to(
        personas, membership=_a_membership(personas, submitter=_other_analyst(personas))
    ),
    "watch_list_other": lambda personas: _a_kept_watch_list(personas, (_other_analyst(personas),)),
    "watch_entry_other": lambda personas: _a_watch_entry(personas, (_other_analyst(personas),)),
}


def _state(obj) -> tuple:  # type: ignore[no-untyped-def]
    """The object's row and what hangs off a record: a refused request must change none."""
    from intel.models import (
        DisseminationLog,
        IntelIdentifier,
        IntelRecord,
        IntelRecordUserObjectPermission,
        ReviewDecision,
    )

    row = type(obj)._default_manager.filter(pk=obj.pk).values().first()
    parts: dict = {}
    if isinstance(obj, IntelRecord):
        parts = {
            "grants": IntelRecordUserObjectPermission.objects.filter(content_object=obj).count(),
            "logs": DisseminationLog.objects.filter(record=obj).count(),
            "reviews": ReviewDecision.objects.filter(record=obj).count(),
            "identifiers": IntelIdentifier.objects.filter(record=obj).count(),
        }
    return row, parts


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


@pytest.mark.parametrize(
    "page", [p for p in PAGES if p.missing_args], ids=lambda p: f"{p.method}:{p.url_name}"
)
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
    public = {
        "csu:login",
        "csu:mfa",
        "csu:logout",
        "healthz",
        "csu:user-set-role",
        "csu:account-token",
        "api-root",
        "audit-event-detail",
    }
    covered = {p.url_name for p in PAGES}
    missing = sorted(n for n in names - covered - public if not n.startswith("admin"))
    assert missing == [], f"views missing from tests/permission_matrix.py: {missing}"


@pytest.mark.parametrize(
    "page", [p for p in PAGES if p.method == "post"], ids=lambda p: f"{p.method}:{p.url_name}"
)
def test_state_changing_requests_without_a_csrf_token_are_refused(page: Page, personas) -> None:
    from tests.conftest import sign_in

    role = page.allowed[0]
    client = sign_in(Client(), personas[role])
    client.handler.enforce_csrf_checks = True  # as a browser on another site would post

    response = _call(client, page, _url(page, personas, role))

    assert response.status_code == 403


def test_every_object_route_names_objects_out_of_scope_or_why_it_has_none() -> None:
    undeclared, wrong = [], []
    for page in PAGES:
        if not page.is_object_route:
            assert not page.out_of_scope, page.url_name
            continue
        if bool(page.out_of_scope) == bool(page.no_object_scope):
            undeclared.append(page.url_name)  # neither, or both
        for scope in page.out_of_scope:
            if scope.maker not in OUT_OF_SCOPE_MAKERS or not set(scope.roles) & set(page.allowed):
                wrong.append((page.url_name, scope))

    assert undeclared == [], f"object routes without out_of_scope or no_object_scope: {undeclared}"
    assert wrong == []


def test_an_existing_object_out_of_scope_is_not_found_and_left_unchanged(
    personas, client_for
) -> None:
    """NetBox's constrained-permission test: the role may use the route, the object exists,
    but it is not theirs to see. 404 (as if it did not exist), and nothing about it changes."""
    clients = {role: client_for(personas[role]) for role in CASE_ROLES}
    requests, unexpected = 0, []
    for page in PAGES:
        for scope in page.out_of_scope:
            for role in (r for r in scope.roles if r in page.allowed):
                obj = OUT_OF_SCOPE_MAKERS[scope.maker](personas)
                before = _state(obj)
                response = _call(clients[role], page, reverse(page.url_name, args=[obj.pk]))
                requests += 1
                if response.status_code != 404 or _state(obj) != before:
                    unexpected.append((page.url_name, scope.maker, role, response.status_code))

    print(
        f"out-of-scope existing objects over every object route x role: {requests} requests, "
        f"{len(unexpected)} unexpected"
    )
    assert unexpected == []
    assert requests >= 30


def test_the_out_of_scope_objects_are_open_to_their_author(personas, client_for) -> None:
    """The control: the same objects answer 200 to the analyst who wrote them, so the 404s
    above come from scope, not from a broken object."""
    client = client_for(_other_analyst(personas))
    for maker in (
        "intel_restricted_other",
        "intel_draft_other",
        "intel_pending_other",
        "intel_pending_restricted_other",
    ):
        record = OUT_OF_SCOPE_MAKERS[maker](personas)
        assert client.get(reverse("intel:record-detail", args=[record.pk])).status_code == 200
    challenge = OUT_OF_SCOPE_MAKERS["challenge_restricted"](personas)
    assert client.get(reverse("intel:challenge-detail", args=[challenge.pk])).status_code == 200
    alert = OUT_OF_SCOPE_MAKERS["alert_other"](personas)
    assert client.get(reverse("alerts:alert-detail", args=[alert.pk])).status_code == 200
