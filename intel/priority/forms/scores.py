"""The form for a new version of the score's weights and windows. The rules (every factor
weighed, victimisation counted only by explicit choice) are the service's
(``intel.priority.scoring.score_config_create``)."""

from __future__ import annotations

from typing import Any

from django import forms

from intel.models import ScoreConfig
from intel.models.priority import SCORE_FACTORS
from intel.priority.scoring import FACTOR_HELP, FACTOR_LABELS


def weight_field(name: str) -> str:
    return f"weight_{name}"


class ScoreConfigForm(forms.Form):
    window_years = forms.IntegerField(
        min_value=1,
        max_value=50,
        label="Window (years)",
        help_text="Arrests, incidents, firearm records and shootings count within this many years.",
    )
    recent_months = forms.IntegerField(
        min_value=1,
        max_value=120,
        label="Recent arrest (months)",
        help_text="'Recent arrest' is 1 when the latest arrest is within this many months.",
    )
    count_victimisation = forms.BooleanField(
        required=False,
        label="Count victimisation",
        help_text=(
            "Only by the office's explicit choice does being shot add to a score. Unticked, "
            "shootings the person survived are shown on each score, not counted."
        ),
    )
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text="Why this version is made (kept with it, shown to supervisors).",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in SCORE_FACTORS:
            self.fields[weight_field(name)] = forms.FloatField(
                min_value=0,
                max_value=1000,
                label=f"Weight: {FACTOR_LABELS[name]}",
                help_text=FACTOR_HELP[name],
            )
        # weights first, in the order they are shown on every score
        order = [weight_field(n) for n in SCORE_FACTORS]
        order += ["window_years", "recent_months", "count_victimisation", "note"]
        self.order_fields(order)

    @classmethod
    def initial_from(cls, config: ScoreConfig) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "window_years": config.window_years,
            "recent_months": config.recent_months,
            "count_victimisation": config.count_victimisation,
        }
        for name in SCORE_FACTORS:
            initial[weight_field(name)] = config.weights.get(name, 0)
        return initial

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "weights": {name: data[weight_field(name)] for name in SCORE_FACTORS},
            "window_years": data["window_years"],
            "recent_months": data["recent_months"],
            "count_victimisation": data["count_victimisation"],
            "note": data["note"],
        }
