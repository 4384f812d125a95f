"""Forms for designations, supervision terms and zone assignments. The rules (lengths that
matter, fresh justification, who may decide) are the services'; these parse input."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from csu.models import User
from intel.models import SupervisionStatus, Zone
from intel.priority.designations import REASON_MIN_CHARS

_TEXT = {"rows": 4, "minlength": REASON_MIN_CHARS}


def add_service_errors(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's errors on the form fields they name, the rest at the top."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def error_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


class ProposeForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs=_TEXT),
        help_text=f"Why this person should be a priority, in at least {REASON_MIN_CHARS} "
        "characters: the conduct and the records it rests on.",
    )


class ReasonForm(forms.Form):
    """The reason of a decision (approve: optional; the others: required by the service)."""

    reason = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))


class ChallengeForm(forms.Form):
    filed_by = forms.CharField(max_length=200, label="Filed by", help_text="Counsel or the person.")
    grounds = forms.CharField(widget=forms.Textarea(attrs=_TEXT))


class ChallengeDecideForm(forms.Form):
    outcome = forms.ChoiceField(
        choices=[("upheld", "Upheld: remove the designation"), ("denied", "Denied")]
    )
    reason = forms.CharField(widget=forms.Textarea(attrs=_TEXT))


class SupervisionForm(forms.Form):
    kind = forms.ChoiceField(choices=SupervisionStatus.Kind.choices)
    agency = forms.CharField(max_length=200, help_text="The supervising agency.")
    reference = forms.CharField(
        max_length=64, required=False, help_text="The supervising agency's number for the term."
    )
    officer = forms.CharField(max_length=200, required=False)
    starts_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))


class ZoneAssignmentForm(forms.Form):
    user = forms.ModelChoiceField(queryset=User.objects.none(), label="Prosecutor")
    zone = forms.ModelChoiceField(queryset=Zone.objects.none())

    def __init__(self, *args: Any, prosecutors: Any, zones: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = prosecutors  # type: ignore[attr-defined]
        self.fields["zone"].queryset = zones  # type: ignore[attr-defined]
        self.fields["user"].label_from_instance = (  # type: ignore[attr-defined]
            lambda u: f"{u.get_full_name() or u.username} ({u.username})"
        )
        self.fields["zone"].label_from_instance = (  # type: ignore[attr-defined]
            lambda z: f"{z.layer.label or z.layer.name}: {z.name or z.key}"
        )
