"""The list health report: is the designation list what it claims to be, and who is on it?

Earlier lists failed in public because nobody inside measured them: many "chronic offenders"
had zero or one violent arrest, many had no conviction, and the make-up of the list was never
set against the people actually arrested. This selector computes those figures for supervisors,
with every definition stated (``DEFINITIONS``) so the page can print it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from dateutil.relativedelta import relativedelta
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import (
    Case,
    Count,
    F,
    Func,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncDate

from csu.models import User
from intel.choices import CaseStatus, OffenseCategory, Race, Sex
from intel.models import Arrest, CaseReferral, PriorityDesignation
from intel.priority.designations import DECIDE, Status

STALE_MONTHS = 12
AGE_GROUPS = ("<18", "18–24", "25–34", "35–44", "45+", "Unknown")

DEFINITIONS = {
    "designated": "People whose designation was approved on or before the report date and had "
    "not expired, been removed or ended by then.",
    "violent": "Arrests with at least one charge in the violent category, all time up to the "
    "report date (not only the period).",
    "no_conviction": "No case naming the person as defendant has the status convicted or "
    "pleaded: designated on arrests without a conviction.",
    "stale": f"Designated, but no arrest, no incident the person was arrested for, and no case "
    f"referral in the {STALE_MONTHS} months before the report date.",
    "expired": "Designations that expired within the period.",
    "pending_renewals": "Active designations with a renewal request awaiting a supervisor now.",
    "arrestees": "Distinct people arrested in the period (arrests resolved to a person), each "
    "described by their latest arrest in the period: race and sex as the arresting agency "
    "recorded them, age at that arrest.",
    "list_makeup": "Designated people by the person's race, sex and age on the report date; "
    "where the person record says unknown, their latest arrest's (age from the date of birth "
    "that arrest recorded, else the age it recorded).",
    "ratio": "Share on the list divided by the share among arrestees: above 1, the group is "
    "over-represented on the list; — when the group has no arrestee in the period.",
}


def age_group(age: int | None) -> str:
    if age is None:
        return "Unknown"
    if age < 18:
        return "<18"
    if age < 25:
        return "18–24"
    if age < 35:
        return "25–34"
    if age < 45:
        return "35–44"
    return "45+"


def _years_between(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass
class MakeupRow:
    """One category (a race, a sex, an age group): on the list and among arrestees."""

    label: str
    on_list: int
    on_list_share: float | None
    arrestees: int
    arrestee_share: float | None
    ratio: float | None  # on_list_share / arrestee_share; None when a share is undefined


@dataclass
class ListHealth:
    as_of: datetime
    period_start: datetime
    period_days: int
    designated: int
    violent_0_1: int
    no_conviction: int
    stale: int
    expired_in_period: int
    pending_renewals: int
    arrestees: int
    arrests_unresolved: int
    race: list[MakeupRow] = field(default_factory=list)
    sex: list[MakeupRow] = field(default_factory=list)
    age: list[MakeupRow] = field(default_factory=list)
    definitions: dict[str, str] = field(default_factory=lambda: dict(DEFINITIONS))

    @property
    def violent_0_1_share(self) -> float | None:
        return _share(self.violent_0_1, self.designated)

    @property
    def no_conviction_share(self) -> float | None:
        return _share(self.no_conviction, self.designated)

    @property
    def stale_share(self) -> float | None:
        return _share(self.stale, self.designated)


def _makeup(
    labels: list[tuple[str, str]], on_list: Counter[str], arrestees: Counter[str]
) -> list[MakeupRow]:
    list_total, arrestee_total = sum(on_list.values()), sum(arrestees.values())
    rows = []
    for value, label in labels:
        a, b = on_list.get(value, 0), arrestees.get(value, 0)
        if not a and not b:
            continue
        list_share, arrestee_share = _share(a, list_total), _share(b, arrestee_total)
        ratio = (
            list_share / arrestee_share
            if list_share is not None and arrestee_share  # None or 0: no ratio
            else None
        )
        rows.append(MakeupRow(label, a, list_share, b, arrestee_share, ratio))
    return rows


def _designated_at(actor: User, as_of: datetime) -> QuerySet[PriorityDesignation]:
    return PriorityDesignation.objects.visible_to(actor).filter(
        Q(approved_at__lte=as_of),
        Q(ended_at__isnull=True) | Q(ended_at__gt=as_of),
        Q(expires_at__gt=as_of),
    )


def _age_at_arrest() -> Coalesce:
    years = Func(
        Value("year"),
        Func(TruncDate("arrested_at"), F("dob_as_recorded"), function="AGE"),
        function="date_part",
        output_field=IntegerField(),
    )
    return Coalesce(F("age"), years, output_field=IntegerField())


def _age_bucket() -> Case:
    return Case(
        When(age_at__lt=18, then=Value("<18")),
        When(age_at__lt=25, then=Value("18–24")),
        When(age_at__lt=35, then=Value("25–34")),
        When(age_at__lt=45, then=Value("35–44")),
        When(age_at__gte=45, then=Value("45+")),
        default=Value("Unknown"),
    )


def _arrestee_counts(
    actor: User, start: datetime, end: datetime
) -> tuple[Counter[str], Counter[str], Counter[str], int, int]:
    """Race, sex and age-group counts of the distinct people arrested in (start, end], by their
    latest arrest there; in the database, so a big city's year of arrests is one query."""
    in_period = Arrest.objects.visible_to(actor).filter(arrested_at__gt=start, arrested_at__lte=end)
    race: Counter[str] = Counter()
    sex: Counter[str] = Counter()
    age: Counter[str] = Counter()
    if in_period.query.is_empty():
        return race, sex, age, 0, 0
    latest = (
        in_period.filter(person__isnull=False)
        .order_by("person_id", "-arrested_at", "-id")
        .distinct("person_id")
        .annotate(age_at=_age_at_arrest())
        .annotate(bucket=_age_bucket())
        .values("race", "sex", "bucket")
    )
    # Grouped over the latest arrests in one statement (Django cannot select FROM a subquery).
    sql, params = latest.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT race, sex, bucket, count(*) FROM ({sql}) latest GROUP BY 1, 2, 3",  # noqa: S608 - Django's own SQL
            params,
        )
        for race_value, sex_value, bucket, n in cursor.fetchall():
            race[race_value] += n
            sex[sex_value] += n
            age[bucket] += n
    unresolved = in_period.filter(person__isnull=True).count()
    return race, sex, age, sum(race.values()), unresolved


def designation_list_health(*, actor: User, as_of: datetime, period_days: int = 365) -> ListHealth:
    """The list's health on ``as_of`` and over the ``period_days`` before it (see
    ``DEFINITIONS``). Supervisors only (``intel.decide_prioritydesignation``)."""
    if not actor.has_perm(DECIDE):
        raise PermissionDenied
    start = as_of - timedelta(days=period_days)
    stale_since = as_of - relativedelta(months=STALE_MONTHS)
    # (person id, race, sex, date of birth) of each designated person: one row each.
    people = list(
        _designated_at(actor, as_of).values_list(
            "person_id", "person__race", "person__sex", "person__dob"
        )
    )
    person_ids = {row[0] for row in people}
    designated = _designated_at(actor, as_of).values("person_id")

    arrests = Arrest.objects.visible_to(actor).filter(person__in=designated).order_by()
    violent = dict(
        arrests.filter(arrested_at__lte=as_of, charges__category=OffenseCategory.VIOLENT)
        .values("person_id")
        .annotate(n=Count("id", distinct=True))
        .values_list("person_id", "n")
    )
    cases = CaseReferral.objects.visible_to(actor).filter(defendant__in=designated).order_by()
    convicted = set(
        cases.filter(status__in=[CaseStatus.CONVICTED, CaseStatus.PLEADED])
        .values_list("defendant_id", flat=True)
        .distinct()
    )
    recent = set(
        arrests.filter(
            Q(arrested_at__gt=stale_since, arrested_at__lte=as_of)
            | Q(incident__occurred_at__gt=stale_since, incident__occurred_at__lte=as_of)
        )
        .values_list("person_id", flat=True)
        .distinct()
    ) | set(
        cases.filter(referred_at__gt=stale_since, referred_at__lte=as_of)
        .values_list("defendant_id", flat=True)
        .distinct()
    )
    # The latest arrest stands in only where the person record says unknown.
    lacking = {
        pk for pk, race, sex, dob in people if race == Race.UNKNOWN or sex == Sex.UNKNOWN or not dob
    }
    latest_arrest = {
        arrest.person_id: arrest
        for arrest in arrests.filter(person_id__in=lacking, arrested_at__lte=as_of)
        .order_by("person_id", "-arrested_at", "-id")
        .distinct("person_id")
        .only("person_id", "race", "sex", "age", "dob_as_recorded", "arrested_at")
    }

    list_race: Counter[str] = Counter()
    list_sex: Counter[str] = Counter()
    list_age: Counter[str] = Counter()
    on = as_of.date()
    for pk, race, sex, dob in people:
        fallback = latest_arrest.get(pk)
        if race == Race.UNKNOWN and fallback is not None:
            race = fallback.race
        if sex == Sex.UNKNOWN and fallback is not None:
            sex = fallback.sex
        age = _years_between(dob, on) if dob else None
        if age is None and fallback is not None:
            age = _fallback_age(fallback, on)
        list_race[race] += 1
        list_sex[sex] += 1
        list_age[age_group(age)] += 1

    a_race, a_sex, a_age, arrestees, unresolved = _arrestee_counts(actor, start, as_of)
    expired = (
        PriorityDesignation.objects.visible_to(actor)
        .filter(status=Status.EXPIRED, ended_at__gt=start, ended_at__lte=as_of)
        .count()
    )
    # ``designations.renewal_pending``, as a query.
    pending = (
        PriorityDesignation.objects.visible_to(actor)
        .filter(status=Status.ACTIVE, renewal_requested_at__isnull=False)
        .filter(Q(renewed_at__isnull=True) | Q(renewed_at__lt=F("renewal_requested_at")))
        .count()
    )
    return ListHealth(
        as_of=as_of,
        period_start=start,
        period_days=period_days,
        designated=len(person_ids),
        violent_0_1=sum(1 for p in person_ids if violent.get(p, 0) <= 1),
        no_conviction=len(person_ids - convicted),
        stale=len(person_ids - recent),
        expired_in_period=expired,
        pending_renewals=pending,
        arrestees=arrestees,
        arrests_unresolved=unresolved,
        race=_makeup(list(Race.choices), list_race, a_race),
        sex=_makeup(list(Sex.choices), list_sex, a_sex),
        age=_makeup([(g, g) for g in AGE_GROUPS], list_age, a_age),
    )


def _fallback_age(arrest: Arrest, on: date) -> int | None:
    """The person's age on ``on`` from the date of birth their latest arrest recorded, else the
    age that arrest recorded."""
    if arrest.dob_as_recorded is not None:
        return _years_between(arrest.dob_as_recorded, on)
    return arrest.age
