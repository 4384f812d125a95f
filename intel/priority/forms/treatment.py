"""The treatment rule form: every criterion optional, blank meaning "not applied"."""

from __future__ import annotations

from django import forms

from intel.choices import OffenseCategory
from intel.models import TreatmentRule


class TreatmentRuleForm(forms.ModelForm):
    open_case_categories = forms.MultipleChoiceField(
        choices=OffenseCategory.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Open cases all in",
        help_text="The person has an open case, and every open case is in these categories. "
        "None ticked: not applied.",
    )

    class Meta:
        model = TreatmentRule
        fields = [
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
        ]
        widgets = {"guideline": forms.Textarea(attrs={"rows": 4})}
        labels = {
            "max_violent_arrests": "At most this many violent arrests",
            "max_arrests": "At most this many arrests",
        }
        help_texts = {
            "max_violent_arrests": "Within the lookback; blank: not applied.",
            "max_arrests": "Within the lookback; blank: not applied.",
        }
