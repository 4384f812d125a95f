"""Alternative treatment: each criterion met and not met, with its plain-words reason and the
records deciding it; the rule met only when every criterion is; rules kept by supervisors and
admins, audited; the pages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from csu.models import AuditEvent
from intel.models import GroupMembership, PriorityDesignation, TreatmentRule
from intel.priority.treatment import (
    treatment_assess,
    treatment_rule_create,
    treatment_rule_update,
)
from tests.factories.intel import GroupMembershipFactory, PersonFactory
from tests.factories.priority import (
    Briefed,
    add_arrest,
    add_case,
    briefed_person,
    drug_rule,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def clean(analyst, supervisor, prosecutor):  # type: ignore[no-untyped-def]
    """A man with one drug arrest and an open drug case, nothing else."""
    from intel.models import Agency
    from tests.factories.intel import AgencyFactory

    b = Briefed(
        person=PersonFactory(first_name="Leon", last_name="Park"),
        police=AgencyFactory(name="Harbor County PD", short_name="HCPD"),
        court=AgencyFactory(
            name="Harbor County District Attorney", short_name="HCDA", kind=Agency.Kind.PROSECUTOR
        ),
    )
    arrest = add_arrest(b, days_ago=20, category="drug")
    add_case(b, arrest=arrest, status="charged", category="drug")
    return b


def _one(actor, person, rule):  # type: ignore[no-untyped-def]
    [assessment] = treatment_assess(actor=actor, person=person, rules=[rule])
    return assessment


def _criterion(assessment, name):  # type: ignore[no-untyped-def]
    [found] = [c for c in assessment.criteria if c.name.startswith(name)]
    return found


def test_a_clean_drug_defendant_meets_the_drug_rule(clean, supervisor, prosecutor) -> None:
    rule = drug_rule(supervisor, not_designated=True)

    assessment = _one(prosecutor, clean.person, rule)

    assert assessment.met
    assert [c.name for c in assessment.criteria] == [
        "Open cases all drug",
        "Violent arrests",
        "No firearm",
        "No violent group",
        "Not designated",
    ]
    assert _criterion(assessment, "Open cases").why == "1 open case, all drug"
    assert [c.label for c in _criterion(assessment, "Open cases").records] == [
        f"HCDA case {clean.cases[0].case_number} (record {clean.cases[0].source_id})"
    ]
    assert _criterion(assessment, "Violent arrests").why == "0 violent arrests in 5 years (limit 0)"
    assert _criterion(assessment, "No firearm").why == "No firearm or weapons record in 5 years"
    assert _criterion(assessment, "Not designated").why == (
        "Not currently designated a priority offender"
    )


def test_violent_arrests_over_the_limit_are_not_met_and_cited(
    clean, supervisor, prosecutor
) -> None:
    rule = drug_rule(supervisor)
    first = add_arrest(clean, days_ago=100, category="violent")
    second = add_arrest(clean, days_ago=700, category="violent")
    add_arrest(clean, days_ago=365 * 6, category="violent")  # outside the lookback

    assessment = _one(prosecutor, clean.person, rule)

    violent = _criterion(assessment, "Violent arrests")
    assert not violent.met and not assessment.met
    assert violent.why == "2 violent arrests in 5 years (limit 0)"
    assert {c.label for c in violent.records} == {
        f"HCPD arrest {first.source_id}",
        f"HCPD arrest {second.source_id}",
    }
    assert {c.kind for c in violent.records} == {"police report"}


def test_the_arrest_limit(clean, supervisor, prosecutor) -> None:
    rule = drug_rule(
        supervisor,
        open_case_categories=[],
        max_violent_arrests=None,
        max_arrests=1,
        no_firearm=False,
        no_violent_group=False,
    )
    assert _criterion(_one(prosecutor, clean.person, rule), "Arrests").why == (
        "1 arrest in 5 years (limit 1)"
    )
    add_arrest(clean, days_ago=60, category="property")

    arrests = _criterion(_one(prosecutor, clean.person, rule), "Arrests")
    assert not arrests.met and arrests.why == "2 arrests in 5 years (limit 1)"


def test_an_open_case_outside_the_categories_is_not_met(clean, supervisor, prosecutor) -> None:
    rule = drug_rule(supervisor)
    arrest = add_arrest(clean, days_ago=5, category="property")
    burglary = add_case(clean, arrest=arrest, status="referred", category="property")

    open_cases = _criterion(_one(prosecutor, clean.person, rule), "Open cases")

    assert not open_cases.met
    assert open_cases.why == "1 open case outside the rule (property; allowed: drug)"
    assert [c.label for c in open_cases.records] == [
        f"HCDA case {burglary.case_number} (record {burglary.source_id})"
    ]


def test_no_open_case_at_all_is_not_met(clean, supervisor, prosecutor) -> None:
    rule = drug_rule(supervisor)
    clean.cases[0].status = "dismissed"
    clean.cases[0].save()

    open_cases = _criterion(_one(prosecutor, clean.person, rule), "Open cases")

    assert not open_cases.met
    assert open_cases.why.startswith("No open case")


def test_a_firearm_incident_or_weapons_charge_is_not_met(clean, supervisor, prosecutor) -> None:
    rule = drug_rule(supervisor)
    gun = add_arrest(clean, days_ago=90, category="drug", firearm=True)  # gun at the scene
    weapons = add_arrest(clean, days_ago=400, category="weapons")

    firearm = _criterion(_one(prosecutor, clean.person, rule), "No firearm")

    assert not firearm.met
    assert firearm.why == "2 firearm or weapons records in 5 years"
    assert {c.label for c in firearm.records} == {
        f"HCPD arrest {gun.source_id}",
        f"HCPD arrest {weapons.source_id}",
    }


def test_a_violent_group_membership_is_not_met(clean, analyst, supervisor, prosecutor) -> None:
    rule = drug_rule(supervisor)
    GroupMembershipFactory(person=clean.person, submitted_by=analyst, predicate_category="violent")
    assert _criterion(_one(prosecutor, clean.person, rule), "No violent group").met  # pending

    membership = GroupMembershipFactory(
        person=clean.person,
        submitted_by=analyst,
        status=GroupMembership.Status.APPROVED,
        approved_by=supervisor,
        approved_at=timezone.now(),
        predicate_category="violent",
    )

    group = _criterion(_one(prosecutor, clean.person, rule), "No violent group")
    assert not group.met
    assert group.why == f"Approved 1 membership with a violent predicate ({membership.group.name})"
    assert [c.label for c in group.records] == [f"CSU membership #{membership.pk}"]


def test_a_designated_person_does_not_meet_not_designated(
    clean, analyst, supervisor, prosecutor
) -> None:
    rule = drug_rule(supervisor, not_designated=True)
    now = timezone.now()
    designation = PriorityDesignation.objects.create(
        person=clean.person,
        status=PriorityDesignation.Status.ACTIVE,
        reason="A reason of more than twenty characters.",
        proposed_by=analyst,
        proposed_at=now - timedelta(days=3),
        decided_by=supervisor,
        decided_at=now - timedelta(days=2),
        approved_at=now - timedelta(days=2),
        expires_at=now + timedelta(days=300),
    )

    designated = _criterion(_one(prosecutor, clean.person, rule), "Not designated")

    assert not designated.met
    assert designated.why == (
        f"Designated a priority offender since {designation.approved_at:%Y-%m-%d} "
        f"(designation #{designation.pk})"
    )


def test_only_active_rules_are_assessed(clean, supervisor, prosecutor) -> None:
    drug_rule(supervisor)
    drug_rule(supervisor, name="Retired rule", active=False)

    assert [a.rule.name for a in treatment_assess(actor=prosecutor, person=clean.person)] == [
        "Drug diversion: non-violent drug cases with no connection to violence"
    ]


def test_the_designated_person_of_the_brief_does_not_meet_the_drug_rule(
    analyst, supervisor, prosecutor
) -> None:
    rule = drug_rule(supervisor)
    b = briefed_person(analyst=analyst, supervisor=supervisor, prosecutor=prosecutor)

    assessment = _one(prosecutor, b.person, rule)

    assert not assessment.met
    assert {c.name: c.met for c in assessment.criteria} == {
        "Open cases all drug": True,
        "Violent arrests": False,
        "No firearm": False,
        "No violent group": False,
    }


# ---------------------------------------------------------------------------- rules


VALUES = {
    "name": "Youth diversion",
    "treatment": "Youth court",
    "guideline": "First-time non-violent offenders under 21.",
    "active": True,
    "lookback_years": 3,
    "open_case_categories": ["property", "drug"],
    "max_violent_arrests": 0,
    "max_arrests": 2,
    "no_firearm": True,
    "no_violent_group": False,
    "not_designated": True,
}


def test_supervisors_create_and_change_rules_audited(supervisor) -> None:
    rule = treatment_rule_create(actor=supervisor, **VALUES)
    treatment_rule_update(actor=supervisor, rule=rule, **{**VALUES, "max_arrests": 1})

    rule.refresh_from_db()
    assert rule.max_arrests == 1 and rule.updated_by == supervisor
    events = AuditEvent.objects.filter(object_id=str(rule.pk), action__startswith="treatment_rule.")
    assert [(e.action, e.actor_id) for e in events.order_by("id")] == [
        ("treatment_rule.create", supervisor.pk),
        ("treatment_rule.update", supervisor.pk),
    ]
    assert events.get(action="treatment_rule.update").detail["fields"] == ["max_arrests"]


@pytest.mark.parametrize("role", ["prosecutor", "analyst"])
def test_other_case_roles_cannot_keep_rules(role, personas, supervisor) -> None:
    with pytest.raises(PermissionDenied):
        treatment_rule_create(actor=personas[role], **VALUES)
    rule = treatment_rule_create(actor=supervisor, **VALUES)
    with pytest.raises(PermissionDenied):
        treatment_rule_update(actor=personas[role], rule=rule, max_arrests=5)


def test_an_admin_edits_a_rule_on_its_page(admin_user, supervisor, client_for) -> None:
    rule = drug_rule(supervisor)
    client = client_for(admin_user)

    response = client.post(
        reverse("intel:treatment-rule-edit", args=[rule.pk]),
        {**VALUES, "name": rule.name, "max_violent_arrests": "1", "max_arrests": ""},
    )

    assert response.status_code == 302
    rule.refresh_from_db()
    assert rule.max_violent_arrests == 1 and rule.max_arrests is None
    assert rule.open_case_categories == ["property", "drug"]
    listing = client.get(reverse("intel:treatment-rule-list")).content.decode()
    assert rule.name in listing and "at most 1 violent arrest in 3 years" in listing


def test_a_supervisor_creates_a_rule_on_its_page_and_a_bad_one_is_refused(
    supervisor, client_for
) -> None:
    client = client_for(supervisor)

    bad = client.post(reverse("intel:treatment-rule-create"), {**VALUES, "lookback_years": "0"})
    assert bad.status_code == 400 and not TreatmentRule.objects.exists()

    good = client.post(reverse("intel:treatment-rule-create"), VALUES)
    assert good.status_code == 302
    assert TreatmentRule.objects.get().name == "Youth diversion"
