"""The demo's alternative-treatment rule: the office's drug-diversion guideline, made through
the service (so it is audited like any rule a supervisor writes)."""

from __future__ import annotations

from csu.models import User
from intel.models import TreatmentRule
from intel.priority.treatment import treatment_rule_create

DRUG_DIVERSION = "Drug diversion: non-violent drug cases with no connection to violence"


def seed_treatment_rules(*, supervisor: User) -> dict[str, int]:
    """The default rule, unless a rule of that name exists (rules outlive a demo reset: they
    are the office's policy, not the county's records)."""
    if TreatmentRule.objects.filter(name=DRUG_DIVERSION).exists():
        return {"treatment rules": 0}
    treatment_rule_create(
        actor=supervisor,
        name=DRUG_DIVERSION,
        treatment="Drug court diversion",
        guideline=(
            "Defendants whose open cases are all drug cases, with no violent arrest in the last "
            "five years, no firearm or weapons record and no membership of a group with a "
            "violent predicate, may be offered drug court diversion."
        ),
        active=True,
        lookback_years=5,
        open_case_categories=["drug"],
        max_violent_arrests=0,
        max_arrests=None,
        no_firearm=True,
        no_violent_group=True,
        not_designated=False,
    )
    return {"treatment rules": 1}
