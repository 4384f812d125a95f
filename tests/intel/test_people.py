"""Person search, the person page's data and the timeline: every result says why it matched,
merged people never show up, every timeline entry cites its source."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from intel.models import (
    Agency,
    Arrest,
    Person,
    PersonIdentifier,
    PersonLink,
    PersonNameKey,
    Shooting,
)
from intel.people.resolution.names import parse_name
from intel.people.resolution.store import name_key
from intel.people.search import person_search
from intel.people.selectors import person_get, person_profile, person_timeline
from intel.people.services import person_merge
from tests.factories.intel import (
    AgencyFactory,
    ArrestChargeFactory,
    ArrestFactory,
    CaseReferralFactory,
    GroupMembershipFactory,
    IncidentFactory,
    IntelRecordFactory,
)

pytestmark = pytest.mark.django_db
T0 = datetime(2024, 3, 1, 12, tzinfo=UTC)
KIND = PersonNameKey.Kind


def person(
    name: str,
    dob: date | None = None,
    *,
    aliases: tuple[str, ...] = (),
    recorded: tuple[str, ...] = (),
) -> Person:
    """A person as entity resolution leaves them: a primary name key, plus alias and recorded
    name keys (each recorded name on an arrest of theirs)."""
    parsed = parse_name(name)
    found = Person.objects.create(
        last_name=parsed.last.title(), first_name=parsed.first.title(), dob=dob, sex="M"
    )
    keys = [name_key(found.pk, parsed, KIND.PRIMARY)]
    keys += [name_key(found.pk, parse_name(a), KIND.ALIAS) for a in aliases]
    keys += [name_key(found.pk, parse_name(r), KIND.RECORDED) for r in recorded]
    PersonNameKey.objects.bulk_create(keys)
    return found


def arrest_of(who: Person, recorded: str, n: int, **extra) -> Arrest:  # type: ignore[no-untyped-def]
    return ArrestFactory(
        person=who,
        name_as_recorded=recorded,
        source_id=f"A{n:05d}",
        arrested_at=T0 + timedelta(days=n),
        **extra,
    )


def found(results) -> dict[int, object]:  # type: ignore[no-untyped-def]
    return {m.person.pk: m for m in results}


@pytest.fixture
def smiths(db):  # type: ignore[no-untyped-def]
    jon = person("SMITH, JON", date(1990, 1, 2), recorded=("SMYTH, JON",))
    arrest_of(jon, "SMITH, JON", 1)
    arrest_of(jon, "SMYTH, JON", 2)
    robert = person("SMITH, ROBERT", date(1985, 6, 7), aliases=("SMITTY, ROB",))
    smithers = person("SMITHERS, WAYLON", date(1970, 1, 1))
    jones = person("JONES, MARY", date(1990, 1, 2))
    return {"jon": jon, "robert": robert, "smithers": smithers, "jones": jones}


def test_a_name_in_either_order_finds_the_person_and_says_where_it_was_recorded(
    smiths, analyst
) -> None:
    for q in ("smith, jon", "Jon Smith", "SMITH, JON"):
        results = found(person_search(actor=analyst, q=q))
        match = results[smiths["jon"].pk]
        assert match.route == "name", q
        assert match.reasons[0].startswith("name SMITH, JON as recorded on arrest TCPD A00001")
        assert smiths["jones"].pk not in results

    recorded = found(person_search(actor=analyst, q="Smyth, Jon"))[smiths["jon"].pk]
    assert recorded.route == "name"
    assert recorded.reasons[0] == "name recorded as SMYTH, JON on arrest TCPD A00002 (2024-03-03)"
    print("name route:", recorded.reasons)


def test_a_surname_prefix_finds_every_surname_that_starts_with_it(smiths, analyst) -> None:
    results = found(person_search(actor=analyst, q="SMI"))

    assert {smiths["jon"].pk, smiths["robert"].pk, smiths["smithers"].pk} <= set(results)
    assert smiths["jones"].pk not in results
    assert results[smiths["smithers"].pk].route == "prefix"
    assert "starts with SMI" in results[smiths["smithers"].pk].reasons[0]
    ranked = [(m.route, m.person.last_name) for m in person_search(actor=analyst, q="SMITH")]
    assert ranked == [("name", "Smith"), ("name", "Smith"), ("prefix", "Smithers")]


def test_a_spelling_that_sounds_alike_finds_the_person(analyst) -> None:
    smith = person("SMITH, ROBERT", date(1985, 6, 7))
    person("SMALL, ROBERT")

    results = found(person_search(actor=analyst, q="Smythe, Robert"))

    assert list(results) == [smith.pk]
    assert results[smith.pk].route == "sound-alike"
    assert (
        results[smith.pk]
        .reasons[0]
        .startswith("sound-alike: SMYTHE, ROBERT sounds like SMITH, ROBERT")
    )


def test_a_nickname_finds_the_formal_name_and_an_alias_is_named(smiths, analyst) -> None:
    bob = found(person_search(actor=analyst, q="Bob Smith"))
    assert bob[smiths["robert"].pk].route == "nickname"
    assert "BOB and ROBERT are forms of one name" in bob[smiths["robert"].pk].reasons[0]

    alias = found(person_search(actor=analyst, q="Smitty, Rob"))[smiths["robert"].pk]
    assert alias.route == "alias" and alias.reasons[0] == "alias SMITTY, ROB"


def test_a_surname_typed_first_without_a_comma_is_found_as_swapped(smiths, analyst) -> None:
    results = found(person_search(actor=analyst, q="SMITH ROBERT"))

    assert results[smiths["robert"].pk].route == "swapped"


def test_identifiers_match_exactly_and_name_their_issuer(smiths, analyst) -> None:
    pd = AgencyFactory()
    PersonIdentifier.objects.create(person=smiths["jon"], kind="state_id", value="NY1234567")
    PersonIdentifier.objects.create(person=smiths["jon"], kind="fbi_number", value="123456AB7")
    PersonIdentifier.objects.create(
        person=smiths["robert"], kind="booking_number", value="B-0099", issuing_agency=pd
    )

    for value, pk in (
        ("NY1234567", smiths["jon"].pk),
        ("ny1234567", smiths["jon"].pk),
        ("123456AB7", smiths["jon"].pk),
        ("B-0099", smiths["robert"].pk),
    ):
        results = person_search(actor=analyst, identifier=value)
        assert [m.person.pk for m in results] == [pk], value
        assert results[0].route == "identifier"
    booking = person_search(actor=analyst, identifier="B-0099")[0]
    assert booking.reasons == [
        "identifier: Booking number B-0099, issued by Test City Police Department"
    ]
    assert person_search(actor=analyst, identifier="NY12345") == []  # exact, never a prefix


def test_a_date_of_birth_alone_or_with_a_name_narrows_exactly(smiths, analyst) -> None:
    born = found(person_search(actor=analyst, dob=date(1990, 1, 2)))
    assert set(born) == {smiths["jon"].pk, smiths["jones"].pk}
    assert born[smiths["jones"].pk].reasons == ["date of birth 1990-01-02"]

    both = person_search(actor=analyst, q="SMI", dob=date(1990, 1, 2))
    assert [m.person.pk for m in both] == [smiths["jon"].pk]
    assert both[0].reasons[-1] == "date of birth 1990-01-02"
    assert person_search(actor=analyst, q="Jones", identifier="NOPE") == []


def test_each_person_is_listed_once_and_a_merged_person_only_as_the_survivor(
    smiths, analyst
) -> None:
    duplicate = person("SMITH, JON", date(1990, 1, 2))
    PersonIdentifier.objects.create(person=duplicate, kind="state_id", value="NY7654321")
    person_merge(
        actor=analyst,
        survivor=smiths["jon"],
        merged=duplicate,
        reason="same state ID on both records",
    )

    by_name = [m.person.pk for m in person_search(actor=analyst, q="Smith, Jon")]
    by_id = person_search(actor=analyst, identifier="NY7654321")

    assert by_name.count(smiths["jon"].pk) == 1 and duplicate.pk not in by_name
    assert [m.person.pk for m in by_id] == [smiths["jon"].pk]


def test_keys_left_on_a_merged_record_lead_to_its_survivor(smiths, analyst) -> None:
    """Even if a merged record kept a name key, the search shows the survivor and says so."""
    old = person("SMITH, JONNY")
    Person.objects.filter(pk=old.pk).update(merged_into=smiths["jon"])

    match = found(person_search(actor=analyst, q="Smith, Jonny"))[smiths["jon"].pk]

    assert old.pk not in found(person_search(actor=analyst, q="Smith, Jonny"))
    assert f"(on person #{old.pk}, since merged into this person)" in match.reasons[0]


def test_a_role_without_people_finds_no_one(smiths, admin_user) -> None:
    assert person_search(actor=admin_user, q="SMITH") == []
    assert person_search(actor=admin_user, dob=date(1990, 1, 2)) == []


def test_search_runs_a_fixed_number_of_queries(
    smiths, analyst, django_assert_max_num_queries
) -> None:
    for n in range(40):
        arrest_of(
            person(f"SMITH, JOHN{chr(65 + n % 26)}", recorded=(f"SMYTHE, JON{n}",)),
            f"SMYTHE, JON{n}",
            100 + n,
        )
    PersonIdentifier.objects.create(person=smiths["jon"], kind="state_id", value="NY1234567")

    analyst.has_perm("intel.view_person")  # the role's permissions load once per request

    with django_assert_max_num_queries(3):  # name keys (one UNION), people, arrests cited
        many = person_search(actor=analyst, q="Smith, J")
    with django_assert_max_num_queries(4):  # + identifiers
        person_search(actor=analyst, q="Smith, Jon", identifier="NY1234567", dob=date(1990, 1, 2))
    with django_assert_max_num_queries(4):  # + the people born that day
        person_search(actor=analyst, q="Smith", dob=date(1990, 1, 2))
    assert len(many) == 41
    print(f"search: {len(many)} people in at most 3 queries")


# --------------------------------------------------------------------------- timeline


@pytest.fixture
def history(analyst, supervisor):  # type: ignore[no-untyped-def]
    """One man's record across every source, each dated differently."""
    jon = person("SMITH, JON", date(1990, 1, 2))
    pd = AgencyFactory()
    incident = IncidentFactory(
        source_id="I-1",
        occurred_at=T0 - timedelta(days=1),
        offense_description="ROBBERY 2ND DEGREE",
    )
    first = arrest_of(jon, "SMITH, JON", 1, incident=incident, data_import_id=41)
    ArrestChargeFactory(
        arrest=first, sequence=1, statute="PL 160.10", description="ROBBERY 2ND DEGREE"
    )
    PersonLink.objects.create(arrest=first, person=jon, method="new", factors=[])
    CaseReferralFactory(
        arrest=first,
        defendant=jon,
        source_id="C-1",
        case_number="2024-00001",
        referred_at=T0 + timedelta(days=5),
    )
    Shooting.objects.create(
        source_agency=pd, source_id="S-1", victim=jon, occurred_at=T0 + timedelta(days=30)
    )
    common = {
        "subject_person": jon,
        "sensitivity": "sensitive",
        "submitting_agency": pd,
        "submitted_by": analyst,
    }
    approved = IntelRecordFactory(
        **common, status="approved", approved_by=supervisor, approved_at=T0 + timedelta(days=60)
    )
    IntelRecordFactory(**common, status="pending")
    GroupMembershipFactory(
        person=jon,
        status="approved",
        submitted_by=analyst,
        approved_by=supervisor,
        approved_at=T0 + timedelta(days=90),
    )
    return {"jon": jon, "intel": approved}


def test_the_timeline_is_newest_first_and_every_entry_cites_its_source(history, supervisor) -> None:
    timeline = person_timeline(actor=supervisor, person=history["jon"])

    assert [e.kind for e in timeline] == [
        "membership",
        "intel",
        "shooting",
        "case",
        "arrest",
        "incident",
    ]
    assert all(e.source.agency and e.source.source_id for e in timeline)
    arrest = timeline[4]
    assert (arrest.source.agency, arrest.source.source_id, arrest.source.import_id) == (
        "TCPD",
        "A00001",
        41,
    )
    assert "PL 160.10 ROBBERY 2ND DEGREE (Felony)" in arrest.details
    assert timeline[1].title == f"Intelligence record #{history['intel'].pk} approved"
    assert timeline[5].title == "ROBBERY 2ND DEGREE"
    print("timeline:", [(e.kind, e.source.agency, e.source.source_id) for e in timeline])


def test_only_approved_intel_and_memberships_reach_the_timeline(history, prosecutor) -> None:
    timeline = person_timeline(actor=prosecutor, person=history["jon"])

    assert [e.obj.pk for e in timeline if e.kind == "intel"] == [history["intel"].pk]
    assert [e.kind for e in timeline].count("membership") == 1
    # The prosecutor role has no view of shootings (csu.roles): the timeline leaves them out.
    assert "shooting" not in {e.kind for e in timeline}


def test_the_person_page_data_comes_in_a_fixed_number_of_queries(
    history, prosecutor, django_assert_max_num_queries
) -> None:
    jon = history["jon"]

    def load() -> int:
        with CaptureQueriesContext(connection) as queries:
            profile = person_profile(
                actor=prosecutor, person=person_get(actor=prosecutor, pk=jon.pk)
            )
            assert all(a.person_link and list(a.charges.all()) for a in profile.arrests)
        return len(queries)

    load()  # the role's permissions and content types are cached after the first request
    with django_assert_max_num_queries(14):
        one = load()
    for n in range(2, 12):
        a = arrest_of(jon, "SMITH, JON", n)
        ArrestChargeFactory(arrest=a)
        PersonLink.objects.create(
            arrest=a,
            person=jon,
            method="auto",
            score=0.97,
            factors=[{"factor": "date of birth", "detail": "same", "weight": 6.0}],
        )
    eleven = load()

    assert one == eleven
    print(f"person page data: {one} queries with 1 arrest, {eleven} with 11")


def test_a_missing_person_is_not_found(analyst) -> None:
    with pytest.raises(Person.DoesNotExist):
        person_get(actor=analyst, pk=999999)
    assert Agency.objects.count() == 0
