"""The records of a resolution run: where each comes from (``Source``, ``Origin``), the people
they are compared with as known during the run (``Cluster``), what was decided (``Decision``),
and the query that gathers the unresolved records of each source in the order they are decided."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from intel.models import Arrest, CaseReferral, MatchCandidate, ShootingVictim
from intel.models.people import RESOLVED_SOURCES
from intel.people.resolution import store
from intel.people.resolution.blocking import Record, record_from_row
from intel.people.resolution.names import ParsedName
from intel.people.resolution.scoring import Factor, Profile, born_between


@dataclass(frozen=True)
class Source:
    """Where a record of a run comes from: the field that names it on ``PersonLink`` and
    ``MatchCandidate`` (one of ``RESOLVED_SOURCES``), its table, and its person and
    date-of-birth columns."""

    field: str
    table: str
    person_column: str
    dob_column: str


ARREST = Source("arrest", "intel_arrest", "person_id", "dob_as_recorded")
VICTIM = Source("shooting_victim", "intel_shootingvictim", "person_id", "dob_as_recorded")
CASE = Source("case", "intel_casereferral", "defendant_id", "defendant_dob_as_recorded")


@dataclass(frozen=True)
class Origin:
    """Which row a record of the run is, and for a case, its arrest (and the arrest's person
    when it was resolved before the run)."""

    source: Source
    pk: int
    arrest_id: int | None = None
    arrest_person_id: int | None = None
    arrest_label: str = ""

    def columns(self) -> tuple[int | None, ...]:
        """The record as the ``RESOLVED_SOURCES`` columns of a link or candidate."""
        return tuple(self.pk if f == self.source.field else None for f in RESOLVED_SOURCES)


@dataclass(eq=False)
class Cluster:
    """A person as known during this run: an existing person, or one this batch starts."""

    profile: Profile
    person_id: int | None = None
    founder: Record | None = None
    record_keys: list[int] = field(default_factory=list)


@dataclass
class Decision:
    record: Record
    method: str
    cluster: Cluster | None = None
    weight: float = 0.0
    factors: list[Factor] = field(default_factory=list)
    candidates: list[tuple[Cluster, float, list[Factor]]] = field(default_factory=list)


def _waiting(source: Source) -> QuerySet[MatchCandidate, dict[str, Any]]:
    """The records of a source with an open review candidate: an analyst decides them."""
    waiting: QuerySet[MatchCandidate, dict[str, Any]] = MatchCandidate.objects.filter(
        status=MatchCandidate.Status.OPEN, **{f"{source.field}__isnull": False}
    ).values(f"{source.field}_id")
    return waiting


def _nameless(key: int, agency_id: int, row: tuple[Any, ...]) -> Record:
    """A defendant recorded without a name: only their case's arrest can tell who they are."""
    dob, sex, race, state_id, fbi = row
    ids = {k: {v} for k, v in store.recorded_ids(state_id, fbi, "").items()}
    return Record(
        key,
        agency_id,
        ParsedName(last=""),
        Profile(
            names=[],
            dob=dob,
            sex=sex if sex in ("M", "F") else "",
            race=race if race != "unknown" else "",
            ids=ids,
        ),
    )


def unresolved_records(
    arrest_ids: Sequence[int] | None,
    victim_ids: Sequence[int] | None,
    case_ids: Sequence[int] | None,
) -> tuple[list[Record], list[Origin]]:
    """The records to resolve, in the order they are decided, and where each comes from
    (``origins[record.key]``). For each source, None means every unresolved record of it."""
    records: list[Record] = []
    origins: list[Origin] = []

    def add(record: Record | None, origin: Origin) -> None:
        if record is not None:
            records.append(record)
            origins.append(origin)

    if arrest_ids is None or arrest_ids:
        arrests = (
            Arrest.objects.filter(person__isnull=True)
            .exclude(pk__in=_waiting(ARREST))
            .exclude(Q(name_as_recorded=""))
            .order_by("arrested_at", "id")
        )
        if arrest_ids is not None:
            arrests = arrests.filter(pk__in=list(arrest_ids))
        for arrest in arrests.values_list(
            "pk",
            "source_agency_id",
            "name_as_recorded",
            "dob_as_recorded",
            "sex",
            "race",
            "state_id_as_recorded",
            "fbi_number_as_recorded",
            "booking_number",
            "address",
        ).iterator(chunk_size=5000):
            add(record_from_row((len(records), *arrest[1:])), Origin(ARREST, arrest[0]))
    if case_ids is None or case_ids:
        cases = (
            CaseReferral.objects.filter(defendant__isnull=True)
            .exclude(pk__in=_waiting(CASE))
            .exclude(Q(defendant_name_as_recorded="") & Q(arrest__isnull=True))
            .order_by("referred_at", "id")
        )
        if case_ids is not None:
            cases = cases.filter(pk__in=list(case_ids))
        for case in cases.values_list(
            "pk",
            "source_agency_id",
            "defendant_name_as_recorded",
            "defendant_dob_as_recorded",
            "defendant_sex",
            "defendant_race",
            "defendant_state_id_as_recorded",
            "defendant_fbi_number_as_recorded",
            "arrest_id",
            "arrest__person_id",
            "arrest__source_id",
            "arrest__source_agency__short_name",
            "arrest__source_agency__name",
        ).iterator(chunk_size=5000):
            (pk, agency_id, name, *recorded, arrest_id, arrest_person_id, number, short, long) = (
                case
            )
            origin = Origin(
                CASE, pk, arrest_id, arrest_person_id, f"{short or long} {number}".strip()
            )
            key = len(records)
            record = record_from_row((key, agency_id, name, *recorded, "", ""))
            add(record or _nameless(key, agency_id, tuple(recorded)), origin)
    if victim_ids is None or victim_ids:
        victims = (
            ShootingVictim.objects.filter(person__isnull=True)
            .exclude(pk__in=_waiting(VICTIM))
            .exclude(Q(name_as_recorded=""))
            .order_by("shooting__occurred_at", "shooting_id", "sequence")
        )
        if victim_ids is not None:
            victims = victims.filter(pk__in=list(victim_ids))
        # The shooting's address is where it happened, not where the victim lives: not used.
        for victim in victims.values_list(
            "pk",
            "shooting__source_agency_id",
            "name_as_recorded",
            "dob_as_recorded",
            "sex",
            "race",
            "age",
            "age_group",
            "shooting__occurred_at",
        ).iterator(chunk_size=5000):
            pk, agency_id, name, dob, sex, race, age, group, occurred = victim
            record = record_from_row(
                (len(records), agency_id, name, dob, sex, race, "", "", "", "")
            )
            if record is not None and record.profile.dob is None:
                # Many shooting lists give an age (or an age group) where they give no date of
                # birth: the dates of birth it allows, on the day of the shooting.
                day = timezone.localdate(occurred) if occurred else None
                record.profile.born = born_between(age, group, day)
                record.profile.age_as_recorded = str(age) if age is not None else group
            add(record, Origin(VICTIM, pk))
    return records, origins
