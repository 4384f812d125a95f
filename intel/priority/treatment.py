"""Alternative treatment: the office's eligibility rules (``TreatmentRule``), kept by supervisors
and admins, and the assessment of one person against them.

The assessment is advice for the prosecutor, never a decision: nothing here diverts, charges or
releases anyone. Each criterion a rule sets is judged on the records the reader can see, and
says in plain words why it is met or not, citing the records that decide it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from csu import audit
from csu.models import User
from intel.choices import OffenseCategory
from intel.models import (
    Arrest,
    CaseReferral,
    GroupMembership,
    Incident,
    Person,
    PriorityDesignation,
    TreatmentRule,
)
from intel.people.selectors.person import OPEN_CASE_STATUSES, _arrests, _cases, _memberships
from intel.priority.citations import (
    Citation,
    cite_arrest,
    cite_case,
    cite_incident,
    cite_membership,
)

ADVICE = (
    "Advice only: the assessment applies the office's written guidelines to the records you can "
    "see. It is never automatic; the charging decision is the prosecutor's."
)

RULE_FIELDS = (
    "name",
    "treatment",
    "guideline",
    "active",
    "lookback_years",
    "open_case_categories",
    "max_violent_arrests",
    "max_arrests",
    "no_firearm",
    "no_violent_group",
    "not_designated",
)


# ------------------------------------------------------------------------- rules (writes)


def _save(rule: TreatmentRule, actor: User, values: dict[str, Any]) -> TreatmentRule:
    for name, value in values.items():
        if name not in RULE_FIELDS:
            raise TypeError(f"Not a treatment rule field: {name}")
        setattr(rule, name, value.strip() if isinstance(value, str) else value)
    rule.updated_by = actor
    rule.full_clean()
    rule.save()
    return rule


@transaction.atomic
def treatment_rule_create(*, actor: User, **values: Any) -> TreatmentRule:
    """A new alternative-treatment rule (supervisors and admins)."""
    if not actor.has_perm("intel.add_treatmentrule"):
        raise PermissionDenied
    rule = _save(TreatmentRule(), actor, values)
    audit.audit_log(actor=actor, action="treatment_rule.create", obj=rule)
    return rule


@transaction.atomic
def treatment_rule_update(*, actor: User, rule: TreatmentRule, **values: Any) -> TreatmentRule:
    """Change a rule; the audit event names the fields changed (not their text)."""
    if not actor.has_perm("intel.change_treatmentrule"):
        raise PermissionDenied
    rule = TreatmentRule.objects.select_for_update().get(pk=rule.pk)
    changed = sorted(n for n, v in values.items() if getattr(rule, n, None) != v)
    _save(rule, actor, values)
    audit.audit_log(actor=actor, action="treatment_rule.update", obj=rule, fields=changed)
    return rule


# ------------------------------------------------------------------------- rules (reads)


def treatment_rule_list(*, actor: User) -> list[TreatmentRule]:
    return list(TreatmentRule.objects.visible_to(actor).select_related("updated_by"))


def treatment_rule_get(*, actor: User, pk: int) -> TreatmentRule:
    rule = TreatmentRule.objects.visible_to(actor).filter(pk=pk).first()
    if rule is None:
        raise TreatmentRule.DoesNotExist("No such rule.")
    return rule


# ------------------------------------------------------------------------- assessment


@dataclass
class PersonFacts:
    """What the assessment reads about a person: their visible arrests (with charges), the
    incidents behind them, their cases, approved memberships and active designation. The brief
    passes what it already loaded, so the assessment costs it no query of its own."""

    arrests: list[Arrest]
    incidents: list[Incident]
    cases: list[CaseReferral]
    memberships: list[GroupMembership]
    designation: PriorityDesignation | None


def person_facts(*, actor: User, person: Person) -> PersonFacts:
    """The facts about ``person`` visible to ``actor`` (five queries)."""
    arrests = _arrests(actor, person)
    incidents = list(
        Incident.objects.visible_to(actor)
        .filter(arrests__person=person)
        .distinct()
        .select_related("source_agency")
    )
    designation = (
        PriorityDesignation.objects.visible_to(actor)
        .filter(person=person, status=PriorityDesignation.Status.ACTIVE)
        .first()
    )
    return PersonFacts(
        arrests=arrests,
        incidents=incidents,
        cases=_cases(actor, person),
        memberships=_memberships(actor, person),
        designation=designation,
    )


@dataclass
class CriterionResult:
    """One criterion of a rule: met or not, why in plain words, the records deciding it."""

    name: str
    met: bool
    why: str
    records: list[Citation] = field(default_factory=list)


@dataclass
class RuleAssessment:
    rule: TreatmentRule
    criteria: list[CriterionResult]

    @property
    def met(self) -> bool:
        """Every criterion the rule sets is met (a rule setting none is never met: it would
        say nothing)."""
        return bool(self.criteria) and all(c.met for c in self.criteria)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _labels(categories: Iterable[str]) -> str:
    names = dict(OffenseCategory.choices)
    return ", ".join(str(names.get(c, c)).lower() for c in categories)


def _charge_categories(arrest: Arrest) -> set[str]:
    return {c.category for c in arrest.charges.all()}


def is_violent(arrest: Arrest) -> bool:
    return OffenseCategory.VIOLENT in _charge_categories(arrest)


def is_weapons(arrest: Arrest, incidents: dict[int, Incident]) -> bool:
    """A weapons charge, or an incident behind the arrest that involved a firearm."""
    incident = incidents.get(arrest.incident_id) if arrest.incident_id else None
    return OffenseCategory.WEAPONS in _charge_categories(arrest) or bool(
        incident and (incident.firearm or incident.category == OffenseCategory.WEAPONS)
    )


def _open_cases(rule: TreatmentRule, facts: PersonFacts) -> CriterionResult:
    allowed = set(rule.open_case_categories)
    open_cases = [c for c in facts.cases if c.status in OPEN_CASE_STATUSES]
    name = f"Open cases all {_labels(rule.open_case_categories)}"
    if not open_cases:
        return CriterionResult(name, False, "No open case: nothing for the rule to apply to.")
    outside = [c for c in open_cases if c.category not in allowed]
    if outside:
        return CriterionResult(
            name,
            False,
            f"{_plural(len(outside), 'open case')} outside the rule "
            f"({_labels(sorted({c.category for c in outside}))}; "
            f"allowed: {_labels(rule.open_case_categories)})",
            [cite_case(c) for c in outside],
        )
    return CriterionResult(
        name,
        True,
        f"{_plural(len(open_cases), 'open case')}, "
        f"all {_labels(sorted({c.category for c in open_cases}))}",
        [cite_case(c) for c in open_cases],
    )


def _count_limit(
    name: str, word: str, found: list[Arrest], limit: int, years: int
) -> CriterionResult:
    return CriterionResult(
        name,
        len(found) <= limit,
        f"{_plural(len(found), word)} in {_plural(years, 'year')} (limit {limit})",
        [cite_arrest(a) for a in found],
    )


def _firearm(
    rule: TreatmentRule, facts: PersonFacts, since: datetime, incidents: dict[int, Incident]
) -> CriterionResult:
    arrests = [a for a in facts.arrests if a.arrested_at >= since and is_weapons(a, incidents)]
    behind = {a.incident_id for a in arrests}
    other = [
        i
        for i in facts.incidents
        if i.occurred_at >= since
        and (i.firearm or i.category == OffenseCategory.WEAPONS)
        and i.pk not in behind
    ]
    records = [cite_arrest(a) for a in arrests] + [cite_incident(i) for i in other]
    years = _plural(rule.lookback_years, "year")
    if not records:
        return CriterionResult("No firearm", True, f"No firearm or weapons record in {years}")
    return CriterionResult(
        "No firearm",
        False,
        f"{_plural(len(records), 'firearm or weapons record')} in {years}",
        records,
    )


def _violent_group(facts: PersonFacts) -> CriterionResult:
    violent = [m for m in facts.memberships if m.predicate_category == OffenseCategory.VIOLENT]
    if not violent:
        return CriterionResult(
            "No violent group", True, "No approved membership of a group with a violent predicate"
        )
    groups = ", ".join(sorted({m.group.name for m in violent}))
    return CriterionResult(
        "No violent group",
        False,
        f"Approved {_plural(len(violent), 'membership')} with a violent predicate ({groups})",
        [cite_membership(m) for m in violent],
    )


def _not_designated(facts: PersonFacts) -> CriterionResult:
    d = facts.designation
    if d is None:
        return CriterionResult(
            "Not designated", True, "Not currently designated a priority offender"
        )
    since = f" since {d.approved_at:%Y-%m-%d}" if d.approved_at else ""
    return CriterionResult(
        "Not designated",
        False,
        f"Designated a priority offender{since} (designation #{d.pk})",
        [Citation("CSU", f"designation #{d.pk}", "CSU designation")],
    )


def rule_assess(
    rule: TreatmentRule, facts: PersonFacts, *, now: datetime | None = None
) -> RuleAssessment:
    """The person against one rule: each criterion the rule sets, in the rule's order."""
    now = now or timezone.now()
    since = now - timedelta(days=365 * rule.lookback_years)
    incidents = {i.pk: i for i in facts.incidents}
    recent = [a for a in facts.arrests if a.arrested_at >= since]
    criteria: list[CriterionResult] = []
    if rule.open_case_categories:
        criteria.append(_open_cases(rule, facts))
    if rule.max_violent_arrests is not None:
        criteria.append(
            _count_limit(
                "Violent arrests",
                "violent arrest",
                [a for a in recent if is_violent(a)],
                rule.max_violent_arrests,
                rule.lookback_years,
            )
        )
    if rule.max_arrests is not None:
        criteria.append(
            _count_limit("Arrests", "arrest", recent, rule.max_arrests, rule.lookback_years)
        )
    if rule.no_firearm:
        criteria.append(_firearm(rule, facts, since, incidents))
    if rule.no_violent_group:
        criteria.append(_violent_group(facts))
    if rule.not_designated:
        criteria.append(_not_designated(facts))
    return RuleAssessment(rule, criteria)


def treatment_assess(
    *,
    actor: User,
    person: Person,
    rules: Sequence[TreatmentRule] | None = None,
    facts: PersonFacts | None = None,
    now: datetime | None = None,
) -> list[RuleAssessment]:
    """The person against each active rule (or the ``rules`` given), on the records ``actor``
    can see. Advice, never automatic (``ADVICE``)."""
    if rules is None:
        rules = list(TreatmentRule.objects.visible_to(actor).filter(active=True))
    if not rules:
        return []
    facts = facts or person_facts(actor=actor, person=person)
    return [rule_assess(rule, facts, now=now) for rule in rules]
