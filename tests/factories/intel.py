from __future__ import annotations

from datetime import date, timedelta

import factory
from django.utils import timezone

from intel.models import (
    Agency,
    Arrest,
    ArrestCharge,
    CaseReferral,
    Challenge,
    DataImport,
    Group,
    GroupMembership,
    Incident,
    IntelRecord,
    MatchCandidate,
    Person,
    PersonAlias,
    PersonIdentifier,
    Shooting,
    ShootingVictim,
    Zone,
    ZoneLayer,
)

# A predicate long enough for the model's minimum (PREDICATE_MIN_CHARS) and free of screen terms.
PREDICATE = "Arrested twice with members carrying loaded handguns this year."


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency
        django_get_or_create = ("name",)

    name = "Test City Police Department"
    short_name = "TCPD"
    kind = Agency.Kind.POLICE


class ZoneLayerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ZoneLayer
        django_get_or_create = ("name",)

    name = "precincts"
    label = "Precincts"
    key_field = "precinct"


class ZoneFactory(factory.django.DjangoModelFactory):
    """A 0.1° square with its south-west corner at (min_lat, min_lon)."""

    class Meta:
        model = Zone

    class Params:
        size = 0.1

    layer = factory.SubFactory(ZoneLayerFactory)
    key = factory.Sequence(lambda n: str(100 + n))
    name = factory.LazyAttribute(lambda z: f"Precinct {z.key}")
    min_lat = 40.6
    min_lon = -74.0
    max_lat = factory.LazyAttribute(lambda z: z.min_lat + z.size)
    max_lon = factory.LazyAttribute(lambda z: z.min_lon + z.size)
    geometry = factory.LazyAttribute(
        lambda z: {
            "type": "Polygon",
            "coordinates": [
                [
                    [z.min_lon, z.min_lat],
                    [z.max_lon, z.min_lat],
                    [z.max_lon, z.max_lat],
                    [z.min_lon, z.max_lat],
                    [z.min_lon, z.min_lat],
                ]
            ],
        }
    )


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    first_name = factory.Faker("first_name_male")
    last_name = factory.Faker("last_name")
    dob = factory.Faker("date_between", start_date=date(1960, 1, 1), end_date=date(2008, 1, 1))
    sex = "M"


class PersonAliasFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PersonAlias

    person = factory.SubFactory(PersonFactory)
    first_name = factory.Faker("first_name")
    last_name = factory.SelfAttribute("person.last_name")
    kind = PersonAlias.Kind.NICKNAME


class PersonIdentifierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PersonIdentifier

    person = factory.SubFactory(PersonFactory)
    kind = PersonIdentifier.Kind.STATE_ID
    value = factory.Sequence(lambda n: f"NY{n:08d}")


class IncidentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Incident

    source_agency = factory.SubFactory(AgencyFactory)
    source_id = factory.Sequence(lambda n: f"I{n:08d}")
    occurred_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
    offense_code = "120.05"
    offense_description = "ASSAULT 2ND DEGREE"
    category = "violent"
    latitude = 40.65
    longitude = -73.95
    geocode_quality = "ok"


class ArrestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Arrest

    source_agency = factory.SubFactory(AgencyFactory)
    source_id = factory.Sequence(lambda n: f"A{n:08d}")
    arrested_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=6))
    person = factory.SubFactory(PersonFactory)
    name_as_recorded = factory.LazyAttribute(
        lambda a: f"{a.person.last_name.upper()}, {a.person.first_name.upper()}"
    )
    dob_as_recorded = factory.SelfAttribute("person.dob")
    sex = "M"


class ArrestChargeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ArrestCharge

    arrest = factory.SubFactory(ArrestFactory)
    sequence = factory.Sequence(lambda n: n + 1)
    statute = "PL 265.03"
    description = "CRIM POSS WEAPON 2ND DEGREE"
    category = "weapons"
    severity = "felony"


class ShootingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Shooting

    source_agency = factory.SubFactory(AgencyFactory)
    source_id = factory.Sequence(lambda n: f"S{n:08d}")
    occurred_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=2))
    victim_count = 1
    latitude = 40.65
    longitude = -73.95


class ShootingVictimFactory(factory.django.DjangoModelFactory):
    """A named victim of a shooting, not yet resolved to a person."""

    class Meta:
        model = ShootingVictim

    shooting = factory.SubFactory(ShootingFactory)
    sequence = 1
    name_as_recorded = "DOE, JANE"
    sex = "F"


class CaseReferralFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CaseReferral

    source_agency = factory.SubFactory(
        AgencyFactory, name="Test County District Attorney", kind=Agency.Kind.PROSECUTOR
    )
    source_id = factory.Sequence(lambda n: f"C{n:08d}")
    case_number = factory.Sequence(lambda n: f"2026-{n:05d}")
    referred_at = factory.LazyFunction(timezone.now)
    arrest = factory.SubFactory(ArrestFactory)
    defendant = factory.SelfAttribute("arrest.person")


# The 28 CFR Part 23 entries and what refers to them. They are built directly, as a row in a
# given state (an approved membership, an open challenge) for tests of reading and permissions;
# tests of the workflow itself go through the services. Users are never made up here: pass the
# persona (``submitted_by=analyst``), as every such row names who submitted or recorded it.


class IntelRecordFactory(factory.django.DjangoModelFactory):
    """A draft intelligence record about a person. Pass ``submitted_by``; for an approved one
    also ``status="approved"`` and ``approved_by`` (another user: the database checks)."""

    class Meta:
        model = IntelRecord

    subject_kind = IntelRecord.SubjectKind.PERSON
    subject_person = factory.SubFactory(PersonFactory)
    narrative = "Seen handing a handgun to a member of the crew outside 12 Elm Street."
    predicate_category = "weapons"
    predicate_narrative = PREDICATE
    source_type = IntelRecord.SourceType.OFFICER
    source_reliability = IntelRecord.Reliability.USUALLY
    content_validity = IntelRecord.Validity.PROBABLE
    sensitivity = IntelRecord.Sensitivity.CONFIDENTIAL
    submitting_agency = factory.SubFactory(AgencyFactory)
    lawfully_obtained = True
    status = IntelRecord.Status.DRAFT


class GroupFactory(factory.django.DjangoModelFactory):
    """A crew. Pass ``created_by``."""

    class Meta:
        model = Group
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Crew {n}")
    kind = Group.Kind.CREW


class GroupMembershipFactory(factory.django.DjangoModelFactory):
    """A pending membership of a new person in a new crew (created by its submitter). Pass
    ``submitted_by``; for an approved one also ``status="approved"`` and ``approved_by``."""

    class Meta:
        model = GroupMembership

    group = factory.SubFactory(GroupFactory, created_by=factory.SelfAttribute("..submitted_by"))
    person = factory.SubFactory(PersonFactory)
    level = GroupMembership.Level.ASSOCIATE
    predicate_category = "weapons"
    predicate_narrative = PREDICATE
    source_type = GroupMembership.SourceType.OFFICER
    lawfully_obtained = True
    status = GroupMembership.Status.PENDING


class ChallengeFactory(factory.django.DjangoModelFactory):
    """An open challenge, received today, to the ``membership`` or ``intel_record`` given
    (exactly one: the database checks), by that entry's person. Pass ``recorded_by``."""

    class Meta:
        model = Challenge

    intel_record = None
    membership = None
    person = factory.LazyAttribute(
        lambda c: c.membership.person if c.membership else c.intel_record.subject_person
    )
    filed_by = "Counsel for the subject"
    received_at = factory.LazyFunction(timezone.localdate)
    grounds = "The record relies on dates my client was in custody."
    status = Challenge.Status.OPEN


class DataImportFactory(factory.django.DjangoModelFactory):
    """An import row with no file behind it (a failed one by default): for pages and
    permissions, not for running. Imports that run go through ``import_create``."""

    class Meta:
        model = DataImport

    kind = "incidents"
    agency = factory.SubFactory(AgencyFactory)
    original_name = factory.Sequence(lambda n: f"extract-{n}.csv")
    stored_name = factory.SelfAttribute("original_name")
    sha256 = factory.Sequence(lambda n: f"{n:064x}")
    status = DataImport.Status.FAILED


class MatchCandidateFactory(factory.django.DjangoModelFactory):
    """An open review-queue candidate: an arrest not yet linked, and a person it may be."""

    class Meta:
        model = MatchCandidate

    arrest = factory.SubFactory(
        ArrestFactory, person=None, name_as_recorded="DOE, JOHN", dob_as_recorded=None
    )
    person = factory.SubFactory(PersonFactory)
    score = 0.7
    factors = factory.LazyFunction(list)


# An intelligence record made the way users make one (create, submit, approve through the
# services), for tests about what happens to approved records afterwards.
INTEL_PREDICATE = (
    "Arrested twice this year with two confirmed members, each time carrying a loaded "
    "handgun; named by a witness in the Elm Street shooting."
)


def approved_intel_record(analyst, supervisor, **overrides):  # type: ignore[no-untyped-def]
    from intel.intelligence import intel_record_approve, intel_record_create, intel_record_submit

    agency, _ = Agency.objects.get_or_create(name="Harbor County PD")
    values = {
        "subject_kind": "person",
        "subject_person": PersonFactory(),
        "narrative": "Seen handing a firearm to a juvenile outside 12 Elm St on 3 March.",
        "predicate_category": "weapons",
        "predicate_narrative": INTEL_PREDICATE,
        "source_type": "officer",
        "source_reliability": "A",
        "content_validity": "2",
        "sensitivity": "confidential",
        "submitting_agency": agency,
        "lawfully_obtained": True,
        **overrides,
    }
    record = intel_record_create(actor=analyst, **values)
    intel_record_submit(actor=analyst, record=record)
    return intel_record_approve(actor=supervisor, record=record)
