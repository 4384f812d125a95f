"""Reads for the match review queue: the records awaiting review (arrests, shooting victims,
case defendants) as recorded, with the people they may be. Each starts from
``visible_to(actor)``; what the actor may not see raises the model's ``DoesNotExist``, as a
missing row does.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, Max, Prefetch, Q, QuerySet
from django.db.models.functions import Coalesce

from csu.models import User
from intel.models import (
    Arrest,
    ArrestCharge,
    CaseCharge,
    CaseReferral,
    MatchCandidate,
    Person,
    PersonIdentifier,
    PersonNameKey,
    Shooting,
    ShootingVictim,
    SourceRecord,
)


@dataclass
class AsRecorded:
    """A record awaiting review as its source recorded the person: what the queue shows beside
    the candidates, the same for an arrest, a shooting victim or a case's defendant."""

    kind: str  # "Arrest", "Shooting victim", "Case defendant"
    title: str  # which record, from which source
    name: str
    dob: date | None
    sex: str
    race: str
    age: int | None
    identifiers: list[tuple[str, str]]
    details_label: str
    details: list[str]


@dataclass
class MatchGroup:
    """One record awaiting review (``source``: ``arrest``, ``shooting_victim`` or ``case``, the
    case's defendant), as recorded, and the people it may be, best first."""

    source: str
    record: Arrest | ShootingVictim | CaseReferral
    candidates: list[MatchCandidate]
    recorded: AsRecorded

    @property
    def arrest(self) -> Arrest | None:
        return self.record if isinstance(self.record, Arrest) else None


def _agency(record: SourceRecord) -> str:
    return record.source_agency.short_name or record.source_agency.name


def _arrest_as_recorded(a: Arrest) -> AsRecorded:
    ids = [
        (label, value)
        for label, value in (
            ("State ID", a.state_id_as_recorded),
            ("FBI", a.fbi_number_as_recorded),
            ("Booking", a.booking_number),
        )
        if value
    ]
    return AsRecorded(
        "Arrest",
        f"arrest {_agency(a)} {a.source_id}, {a.arrested_at:%Y-%m-%d}",
        a.name_as_recorded,
        a.dob_as_recorded,
        a.get_sex_display(),
        a.get_race_display(),
        a.age,
        ids,
        "Address · charges",
        [a.address or "—", *(str(c) for c in a.charges.all())],
    )


def _victim_as_recorded(v: ShootingVictim) -> AsRecorded:
    s = v.shooting
    outcome = "fatal" if v.fatal else "survived"
    return AsRecorded(
        "Shooting victim",
        f"victim {v.sequence} of {s.victim_count} of shooting {_agency(s)} {s.source_id}, "
        f"{s.occurred_at:%Y-%m-%d} ({outcome})",
        v.name_as_recorded,
        v.dob_as_recorded,
        v.get_sex_display(),
        v.get_race_display(),
        v.age,
        [],
        "Shooting",
        [line for line in (s.address or "—", v.injury, f"Victim: {outcome}") if line],
    )


def _case_as_recorded(c: CaseReferral) -> AsRecorded:
    ids = [
        (label, value)
        for label, value in (
            ("State ID", c.defendant_state_id_as_recorded),
            ("FBI", c.defendant_fbi_number_as_recorded),
        )
        if value
    ]
    referred = f"referred {c.referred_at:%Y-%m-%d}" + (
        f" by {c.referring_agency}" if c.referring_agency else ""
    )
    return AsRecorded(
        "Case defendant",
        f"defendant of case {c.case_number} ({_agency(c)} {c.source_id}), {referred}",
        c.defendant_name_as_recorded,
        c.defendant_dob_as_recorded,
        c.get_defendant_sex_display(),
        c.get_defendant_race_display(),
        None,
        ids,
        "Case · charges",
        [
            f"{c.get_status_display()}"
            + (f", arrest number {c.arrest_number}" if c.arrest_number else ""),
            *(str(charge) for charge in c.charges.all()),
        ],
    )


def _visible_records(actor: User) -> Q:
    """Candidates whose record the actor may see (no condition for a source they see whole)."""
    condition = Q()
    for field, rows in (
        ("arrest", Arrest.objects.visible_to(actor)),
        ("shooting_victim__shooting", Shooting.objects.visible_to(actor)),
        ("case", CaseReferral.objects.visible_to(actor)),
    ):
        absent = Q(**{f"{field.split('__')[0]}__isnull": True})
        if rows.query.is_empty():
            condition &= absent
        elif rows.query.where:
            condition &= absent | Q(**{f"{field}__in": rows.values("pk")})
    return condition


_SOURCES = ("arrest", "shooting_victim", "case")


def match_queue_counts(*, actor: User) -> dict[str, int]:
    """How many arrests, shooting victims and case defendants await review (one query)."""
    candidates = MatchCandidate.objects.visible_to(actor)
    if candidates.query.is_empty():
        return dict.fromkeys(_SOURCES, 0)
    counted = candidates.filter(
        _visible_records(actor), status=MatchCandidate.Status.OPEN
    ).aggregate(**{source: Count(f"{source}_id", distinct=True) for source in _SOURCES})
    return {source: int(counted[source] or 0) for source in _SOURCES}


def match_queue(
    *, actor: User, page: int | str | None = 1, per_page: int = 10
) -> tuple[Page[dict[str, Any]], list[MatchGroup]]:
    """Records (arrests, shooting victims, case defendants) with open candidates, best score
    first, one page of them with their candidates side by side (people with identifiers, names
    recorded and arrest counts), in the same number of queries however many are on the page."""
    candidates = MatchCandidate.objects.visible_to(actor)
    waiting: QuerySet[MatchCandidate, dict[str, Any]]
    if candidates.query.is_empty():
        waiting = MatchCandidate.objects.none().values(*(f"{s}_id" for s in _SOURCES))
    else:
        waiting = (
            candidates.filter(_visible_records(actor), status=MatchCandidate.Status.OPEN)
            .values(*(f"{s}_id" for s in _SOURCES))
            .annotate(
                best=Max("score"),
                at=Max(
                    Coalesce(
                        "arrest__arrested_at",
                        "shooting_victim__shooting__occurred_at",
                        "case__referred_at",
                    )
                ),
            )
            .order_by("-best", "-at", *(f"{s}_id" for s in _SOURCES))
        )
    paged = Paginator(waiting, per_page).get_page(page)
    on_page = list(paged.object_list)
    if not on_page:
        return paged, []
    ids = {source: [r[f"{source}_id"] for r in on_page if r[f"{source}_id"]] for source in _SOURCES}
    # One Prefetch per call: the stubs type a call's lookups as one queryset type.
    people: QuerySet[Person] = (
        Person.objects.visible_to(actor)
        .annotate(arrest_count=Count("arrests"))
        .prefetch_related(
            Prefetch(
                "identifiers", queryset=PersonIdentifier.objects.select_related("issuing_agency")
            )
        )
        .prefetch_related(
            Prefetch("name_keys", queryset=PersonNameKey.objects.order_by("kind", "last", "first"))
        )
    )
    of_page = Q()
    for source, pks in ids.items():
        if pks:
            of_page |= Q(**{f"{source}__in": pks})
    by_record: dict[tuple[str, int], list[MatchCandidate]] = defaultdict(list)
    for c in (
        candidates.filter(of_page, status=MatchCandidate.Status.OPEN)
        .prefetch_related(Prefetch("person", queryset=people.select_related("merged_into")))
        .order_by("-score", "id")
    ):
        by_record[(c.source, getattr(c, f"{c.source}_id"))].append(c)
    records: dict[tuple[str, int], Arrest | ShootingVictim | CaseReferral] = {}
    recorded: dict[tuple[str, int], AsRecorded] = {}
    if ids["arrest"]:
        for a in (
            Arrest.objects.visible_to(actor)
            .filter(pk__in=ids["arrest"])
            .select_related("source_agency")
            .prefetch_related(
                Prefetch("charges", queryset=ArrestCharge.objects.order_by("sequence"))
            )
        ):
            records[("arrest", a.pk)], recorded[("arrest", a.pk)] = a, _arrest_as_recorded(a)
    if ids["shooting_victim"]:
        for v in ShootingVictim.objects.filter(
            pk__in=ids["shooting_victim"],
            shooting__in=Shooting.objects.visible_to(actor).values("pk"),
        ).select_related("shooting__source_agency"):
            key = ("shooting_victim", v.pk)
            records[key], recorded[key] = v, _victim_as_recorded(v)
    if ids["case"]:
        for case in (
            CaseReferral.objects.visible_to(actor)
            .filter(pk__in=ids["case"])
            .select_related("source_agency")
            .prefetch_related(Prefetch("charges", queryset=CaseCharge.objects.order_by("sequence")))
        ):
            records[("case", case.pk)], recorded[("case", case.pk)] = case, _case_as_recorded(case)
    groups = []
    for row in on_page:
        source = next(s for s in _SOURCES if row[f"{s}_id"])
        key = (source, row[f"{source}_id"])
        if key in records:
            groups.append(MatchGroup(source, records[key], by_record[key], recorded[key]))
    return paged, groups


def match_candidate_get(*, actor: User, pk: int) -> MatchCandidate:
    """An open or decided candidate; ``MatchCandidate.DoesNotExist`` if missing or not
    visible."""
    found = (
        MatchCandidate.objects.visible_to(actor)
        .filter(_visible_records(actor), pk=pk)
        .select_related("arrest", "shooting_victim__shooting", "case", "person")
        .first()
    )
    if found is None:
        raise MatchCandidate.DoesNotExist("No such candidate.")
    return found


def match_record_get(
    *, actor: User, source: str, pk: int
) -> Arrest | ShootingVictim | CaseReferral:
    """A record in the review queue (it has candidates): an arrest, a shooting victim or a case
    (``source`` ``arrest``, ``shooting_victim`` or ``case``); the model's ``DoesNotExist``
    otherwise."""
    rows: QuerySet[Any]
    if source == "shooting_victim":
        model: type[Arrest | ShootingVictim | CaseReferral] = ShootingVictim
        rows = ShootingVictim.objects.filter(
            shooting__in=Shooting.objects.visible_to(actor).values("pk")
        ).select_related("shooting")
    elif source == "case":
        model, rows = CaseReferral, CaseReferral.objects.visible_to(actor)
    else:
        model, rows = Arrest, Arrest.objects.visible_to(actor)
    if MatchCandidate.objects.visible_to(actor).query.is_empty():
        raise model.DoesNotExist("No such record.")
    found = rows.filter(pk=pk, match_candidates__isnull=False).distinct().first()
    if found is None:
        raise model.DoesNotExist("No such record.")
    return found
