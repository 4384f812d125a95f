from __future__ import annotations

from datetime import date, timedelta

import factory
from django.utils import timezone

from intel.models import (
    Agency,
    Arrest,
    ArrestCharge,
    CaseReferral,
    Incident,
    Person,
    PersonAlias,
    PersonIdentifier,
    Zone,
    ZoneLayer,
)


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
    geometry = factory.LazyAttribute(lambda z: {
        "type": "Polygon",
        "coordinates": [[[z.min_lon, z.min_lat], [z.max_lon, z.min_lat], [z.max_lon, z.max_lat],
                         [z.min_lon, z.max_lat], [z.min_lon, z.min_lat]]],
    })


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


class CaseReferralFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CaseReferral

    source_agency = factory.SubFactory(AgencyFactory, name="Test County District Attorney",
                                       kind=Agency.Kind.PROSECUTOR)
    source_id = factory.Sequence(lambda n: f"C{n:08d}")
    case_number = factory.Sequence(lambda n: f"2026-{n:05d}")
    referred_at = factory.LazyFunction(timezone.now)
    arrest = factory.SubFactory(ArrestFactory)
    defendant = factory.SelfAttribute("arrest.person")
