"""Forms for groups, memberships and challenges. The rules themselves live in the services
(``intel.intelligence.groups``, ``intel.intelligence.challenges``); these parse input and find
the objects named by id."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from csu.models import User
from intel.choices import OffenseCategory
from intel.models import Challenge, Group, GroupMembership, IntelRecord, Person
from intel.models.intelligence import PREDICATE_MIN_CHARS

_TEXT = {"rows": 4}


def add_service_errors(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's errors on the form fields they name, the rest at the top."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def error_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


class GroupForm(forms.Form):
    name = forms.CharField(max_length=200)
    kind = forms.ChoiceField(choices=Group.Kind.choices)
    parent = forms.ModelChoiceField(
        queryset=Group.objects.none(),
        required=False,
        label="Part of (for a set)",
        empty_label="— none —",
    )
    description = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs=_TEXT),
        help_text="What the group is; not who is in it.",
    )

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = Group.objects.visible_to(actor)  # type: ignore[attr-defined]


class MembershipForm(forms.Form):
    """A proposed membership: the person by id, the level, and the criminal predicate."""

    person = forms.IntegerField(
        label="Person ID", min_value=1, help_text="The number in the person page's address."
    )
    level = forms.ChoiceField(choices=GroupMembership.Level.choices)
    predicate_category = forms.ChoiceField(
        choices=[("", "— choose —"), *OffenseCategory.choices],
        required=False,
        label="Criminal activity suspected",
    )
    predicate_narrative = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs=_TEXT),
        label="Reasonable suspicion of criminal activity",
        help_text=f"The facts that tie this person to the group's criminal conduct, at least "
        f"{PREDICATE_MIN_CHARS} characters. Dress, neighbourhood or associations "
        f"alone are not a predicate.",
    )
    source_type = forms.ChoiceField(
        choices=[("", "— choose —"), *IntelRecord.SourceType.choices],
        required=False,
        label="Source of the information",
    )
    lawfully_obtained = forms.BooleanField(
        required=False, label="I attest this information was obtained lawfully (28 CFR 23.20(d))."
    )

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.actor = actor

    def clean_person(self) -> Person:
        pk = self.cleaned_data["person"]
        person = Person.objects.visible_to(self.actor).filter(pk=pk).first()
        if person is None:
            raise forms.ValidationError(f"There is no person #{pk}.")
        if person.merged_into_id is not None:
            raise forms.ValidationError(
                f"Person #{pk} was merged into person #{person.merged_into_id}: use that one."
            )
        return person


class ApproveForm(forms.Form):
    screen_attestation = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="How the flagged terms relate directly to criminal conduct",
        help_text="Required when the predicate mentions political, religious or social activity.",
    )


class RemoveForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Reason for removal",
        help_text="Kept with the membership.",
    )


class ChallengeForm(forms.Form):
    """A challenge as received. The target comes from the address (``?membership=`` or
    ``?record=``) or is typed in by id."""

    membership = forms.IntegerField(required=False, min_value=1, label="Membership ID")
    record = forms.IntegerField(required=False, min_value=1, label="Intel record ID")
    filed_by = forms.CharField(
        max_length=200,
        label="Filed by",
        help_text="The person, or their counsel, as named in the challenge.",
    )
    received_at = forms.DateField(
        label="Received on", widget=forms.DateInput(attrs={"type": "date"})
    )
    grounds = forms.CharField(
        widget=forms.Textarea(attrs=_TEXT),
        help_text="What is contested and why, as the filer states it.",
    )

    def __init__(self, *args: Any, fixed_target: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if fixed_target:
            self.fields["membership"].widget = forms.HiddenInput()
            self.fields["record"].widget = forms.HiddenInput()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if bool(data.get("membership")) == bool(data.get("record")):
            raise forms.ValidationError("Give either a membership ID or an intel record ID.")
        return data


class DecideForm(forms.Form):
    outcome = forms.ChoiceField(
        choices=[
            (s.value, s.label)
            for s in (Challenge.Status.UPHELD, Challenge.Status.DENIED, Challenge.Status.WITHDRAWN)
        ],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Why. Required when upheld (it is kept as the removal reason) or denied.",
    )
