"""Forms of the people pages: search, merge and un-merge."""

from __future__ import annotations

from typing import Any

from django import forms

from intel.people.services import MIN_REASON

REASON_MIN = MIN_REASON  # the services enforce the same minimum


class PersonSearchForm(forms.Form):
    q = forms.CharField(
        max_length=200,
        required=False,
        label="Name",
        help_text='Any form: "Smith, Jon", "Jon Smith", the start of a surname ("SMI"), a '
        'spelling that sounds alike ("Smyth") or a nickname ("Bob Smith").',
    )
    dob = forms.DateField(
        required=False, label="Date of birth", widget=forms.DateInput(attrs={"type": "date"})
    )
    identifier = forms.CharField(
        max_length=64,
        required=False,
        label="Identifier",
        help_text="State ID, FBI number or booking number, exactly.",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("q", "").strip() or data.get("dob") or data.get("identifier", "").strip()):
            raise forms.ValidationError("Give a name, a date of birth or an identifier.")
        return data


class PersonMergeForm(forms.Form):
    other = forms.IntegerField(
        min_value=1,
        label="Person number to merge into this one",
        help_text="The other record is folded into this one; un-merge restores it exactly.",
    )
    reason = forms.CharField(
        min_length=REASON_MIN,
        max_length=2000,
        label="Why",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="E.g. same FBI number on both; recorded in the history.",
    )


class PersonUnmergeForm(forms.Form):
    reason = forms.CharField(
        min_length=REASON_MIN,
        max_length=2000,
        label="Why un-merge",
        widget=forms.Textarea(attrs={"rows": 2}),
    )
