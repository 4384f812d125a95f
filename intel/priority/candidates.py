"""Reads of the candidate score: the ranked candidates, the score versions, and one person's
score with the records behind each factor. Each starts from ``visible_to(actor)``."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery

from csu.models import User
from intel.models import (
    Arrest,
    CaseReferral,
    Group,
    GroupMembership,
    Incident,
    Person,
    PriorityDesignation,
    PriorityScore,
    ScoreConfig,
    Shooting,
    SupervisionStatus,
    Zone,
)
from intel.models.priority import SCORE_FACTORS
from intel.priority.scoring import FACTOR_HELP, FACTOR_LABELS, VICTIMISATION, score_config_current

OPEN_DESIGNATION = (PriorityDesignation.Status.PROPOSED, PriorityDesignation.Status.ACTIVE)


def candidate_list(
    *, actor: User, zone: Zone | None = None, group: Group | None = None
) -> QuerySet[PriorityScore]:
    """The scores of the version in force, highest first, each with its person and the
    status of the person's open designation (``designation_status``: proposed, active or
    None). ``zone``: people with an arrest in the zone, or whose arrests' incidents are in it;
    ``group``: approved members of the group."""
    config = score_config_current()
    designations = PriorityDesignation.objects.visible_to(actor).filter(
        person=OuterRef("person_id"), status__in=OPEN_DESIGNATION
    )
    rows = (
        PriorityScore.objects.visible_to(actor)
        .filter(config=config, person__merged_into__isnull=True)
        .select_related("person", "config")
        .annotate(designation_status=Subquery(designations.values("status")[:1]))
        .order_by("-score", "person_id")
    )
    if zone is not None:
        arrests = Arrest.objects.visible_to(actor).filter(person=OuterRef("person_id"))
        incidents = Incident.objects.visible_to(actor).filter(zone=zone)
        rows = rows.filter(
            Exists(arrests.filter(Q(zone=zone) | Q(incident__in=incidents.values("pk"))))
        )
    if group is not None:
        members = GroupMembership.objects.visible_to(actor).filter(
            person=OuterRef("person_id"),
            group=group,
            status=GroupMembership.Status.APPROVED,
        )
        rows = rows.filter(Exists(members))
    return rows


def candidate_zones(*, actor: User) -> QuerySet[Zone]:
    """The zones the candidates may be filtered by."""
    return Zone.objects.visible_to(actor).select_related("layer").order_by("layer__label", "key")


def candidate_groups(*, actor: User) -> QuerySet[Group]:
    return Group.objects.visible_to(actor).order_by("name")


def score_config_list(*, actor: User) -> QuerySet[ScoreConfig]:
    """Every version of the weights, newest first, with who made it."""
    return ScoreConfig.objects.visible_to(actor).select_related("created_by").order_by("-version")


@dataclass
class FactorLine:
    """One factor of a score as the pages show it."""

    name: str
    label: str
    help: str
    value: float
    weight: float
    contribution: float
    records: list[dict[str, Any]] = field(default_factory=list)

    @property
    def is_victimisation(self) -> bool:
        return self.name == VICTIMISATION


def factor_lines(factors: list[dict[str, Any]]) -> list[FactorLine]:
    """A stored ``factors`` list, in ``SCORE_FACTORS`` order, as lines the pages show."""
    by_name = {f["name"]: f for f in factors}
    lines = []
    for name in SCORE_FACTORS:
        f = by_name.get(name, {})
        lines.append(
            FactorLine(
                name=name,
                label=FACTOR_LABELS[name],
                help=FACTOR_HELP[name],
                value=f.get("value", 0),
                weight=f.get("weight", 0),
                contribution=f.get("contribution", 0),
                records=list(f.get("records", [])),
            )
        )
    return lines


@dataclass
class PersonScore:
    """A person's score under the version in force, each record of each factor expanded to
    where it came from (``agency``, ``source_id``, ``at``: None for a record the reader may
    not open)."""

    person: Person
    config: ScoreConfig
    score: float
    factors: list[dict[str, Any]]
    computed_at: datetime | None


_RECORD_MODELS: dict[str, Any] = {
    "arrest": (Arrest, "arrested_at"),
    "incident": (Incident, "occurred_at"),
    "case": (CaseReferral, "referred_at"),
    "shooting": (Shooting, "occurred_at"),
}


def _expand(actor: User, factors: list[dict[str, Any]]) -> dict[tuple[str, int], dict[str, Any]]:
    """Where each record of ``factors`` came from: one query per record type."""
    wanted: dict[str, set[int]] = {}
    for f in factors:
        for r in f.get("records", []):
            wanted.setdefault(r["type"], set()).add(int(r["id"]))
    found: dict[tuple[str, int], dict[str, Any]] = {}
    for kind, ids in wanted.items():
        if kind == "supervision":
            terms = SupervisionStatus.objects.visible_to(actor).filter(pk__in=ids)
            for term in terms:
                found[(kind, term.pk)] = {
                    "agency": term.agency,
                    "source_id": term.reference,
                    "at": term.starts_on.isoformat(),
                }
            continue
        model, at_field = _RECORD_MODELS[kind]
        rows = model.objects.visible_to(actor).filter(pk__in=ids).select_related("source_agency")
        for row in rows:
            agency = row.source_agency
            found[(kind, row.pk)] = {
                "agency": agency.short_name or agency.name,
                "source_id": row.source_id,
                "at": getattr(row, at_field).isoformat(),
            }
    return found


def person_priority_score(*, actor: User, person: Person) -> PersonScore:
    """The person's stored score under the version in force; a person with no row there
    scores 0 on every factor. ``PriorityScore.DoesNotExist`` when the actor may not read
    scores."""
    if not actor.has_perm("intel.view_priorityscore"):
        raise PriorityScore.DoesNotExist("No such score.")
    config = score_config_current()
    row = PriorityScore.objects.visible_to(actor).filter(config=config, person=person).first()
    if row is None:
        factors = [
            {
                "name": name,
                "value": 0,
                "weight": float(config.weights.get(name, 0)),
                "contribution": 0.0,
                "records": [],
            }
            for name in SCORE_FACTORS
        ]
        return PersonScore(person, config, 0.0, factors, None)
    sources = _expand(actor, row.factors)
    empty: dict[str, str | None] = {"agency": None, "source_id": None, "at": None}
    factors = [
        {
            **f,
            "records": [
                {"type": r["type"], "id": r["id"], **sources.get((r["type"], r["id"]), empty)}
                for r in f.get("records", [])
            ],
        }
        for f in row.factors
    ]
    return PersonScore(person, config, row.score, factors, row.computed_at)
