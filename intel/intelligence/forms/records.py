"""Forms of the intelligence pages: a record, its review, sharing and exporting it, its readers."""

from __future__ import annotations

from typing import Any

from django import forms

from csu.models import User
from intel.choices import OffenseCategory
from intel.intelligence import IdentifierInput, grantable_users, may_receive
from intel.models import Agency, IntelRecord, Person
from intel.models.intelligence import PREDICATE_MIN_CHARS

BLANK = [("", "—")]


def _text(rows: int = 3, **attrs: Any) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows, **attrs})


def _visible_person(actor: User, pk: int | None) -> Person | None:
    if pk is None:
        return None
    person = Person.objects.visible_to(actor).filter(pk=pk).first()
    if person is None:
        raise forms.ValidationError(f"There is no person #{pk}.")
    if person.merged_into_id:
        raise forms.ValidationError(
            f"Person #{pk} was merged into #{person.merged_into_id}: use that number."
        )
    return person


class IntelRecordForm(forms.Form):
    """A new record: subject, narrative, the criminal predicate, the source and the labels."""

    subject_kind = forms.ChoiceField(choices=IntelRecord.SubjectKind.choices, label="Subject is")
    subject_person = forms.IntegerField(
        required=False,
        min_value=1,
        label="Person number",
        help_text="The number on the person's page, when the subject is a person.",
    )
    subject_name = forms.CharField(
        max_length=200,
        required=False,
        label="Group or location name",
        help_text="When the subject is a group or a location.",
    )
    narrative = forms.CharField(widget=_text(5), label="What is known")
    predicate_category = forms.ChoiceField(
        choices=BLANK + OffenseCategory.choices, label="Criminal activity suspected"
    )
    predicate_narrative = forms.CharField(
        widget=_text(4, minlength=PREDICATE_MIN_CHARS),
        label="Reasonable suspicion",
        help_text=f"Why there is reasonable suspicion that the subject is involved in that "
        f"criminal activity (at least {PREDICATE_MIN_CHARS} characters).",
    )
    source_type = forms.ChoiceField(choices=BLANK + IntelRecord.SourceType.choices)
    source_reliability = forms.ChoiceField(
        choices=BLANK + IntelRecord.Reliability.choices, label="Source reliability"
    )
    content_validity = forms.ChoiceField(
        choices=BLANK + IntelRecord.Validity.choices, label="Content validity"
    )
    sensitivity = forms.ChoiceField(
        choices=BLANK + IntelRecord.Sensitivity.choices,
        help_text="Restricted: only you and the users you name can open it.",
    )
    submitting_agency = forms.ModelChoiceField(queryset=Agency.objects.all(), empty_label="—")
    lawfully_obtained = forms.BooleanField(
        label="I attest this information was obtained lawfully",
        error_messages={
            "required": "Only information obtained lawfully may be stored (28 CFR 23.20(d))."
        },
    )
    identifiers = forms.CharField(
        required=False,
        widget=_text(3),
        label="Non-criminal identifying information",
        help_text="Optional, one per line: name | how it identifies the subject | person "
        "number (optional), e.g. “Ana Ruiz | registered owner of the car”. These are "
        "labelled as not subjects of the record.",
    )

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.actor = actor

    def clean_subject_person(self) -> Person | None:
        return _visible_person(self.actor, self.cleaned_data.get("subject_person"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        # Only the subject field that matches the kind is kept.
        if data.get("subject_kind") == IntelRecord.SubjectKind.PERSON:
            data["subject_name"] = ""
        else:
            data["subject_person"] = None
        return data

    def clean_identifiers(self) -> list[IdentifierInput]:
        found = []
        for number, line in enumerate(self.cleaned_data["identifiers"].splitlines(), 1):
            if not line.strip():
                continue
            parts = [p.strip() for p in line.split("|")]
            if len(parts) not in (2, 3) or not parts[0] or not parts[1]:
                raise forms.ValidationError(
                    f"Line {number}: write “name | how it identifies the subject”."
                )
            person = None
            if len(parts) == 3 and parts[2]:
                if not parts[2].lstrip("#").isdigit():
                    raise forms.ValidationError(f"Line {number}: the person number is a number.")
                person = _visible_person(self.actor, int(parts[2].lstrip("#")))
            found.append(IdentifierInput(name=parts[0], relationship=parts[1], person=person))
        return found


class IdentifierForm(forms.Form):
    name = forms.CharField(max_length=200)
    relationship = forms.CharField(max_length=200, label="How it identifies the subject")
    person = forms.IntegerField(required=False, min_value=1, label="Person number (optional)")

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.actor = actor

    def clean_person(self) -> Person | None:
        return _visible_person(self.actor, self.cleaned_data.get("person"))


class ApproveForm(forms.Form):
    screen_attestation = forms.CharField(
        required=False,
        widget=_text(3),
        label="How these terms relate to criminal conduct",
        help_text="Required when the screen found political, religious or social terms.",
    )


class RevalidateForm(forms.Form):
    explanation = forms.CharField(
        widget=_text(3, minlength=20), min_length=20, label="Why the record is still valid"
    )


class PurgeForm(forms.Form):
    explanation = forms.CharField(
        widget=_text(3, minlength=20),
        min_length=20,
        label="Why it is purged",
        help_text="Kept after the content is destroyed: do not repeat the content.",
    )


def _agency_choices() -> list[tuple[str, Any]]:
    eligible: list[tuple[str, str]] = []
    others: list[tuple[str, str]] = []
    for agency in Agency.objects.order_by("name"):
        (eligible if may_receive(agency) else others).append((agency.name, agency.name))
    return [
        ("", "—"),
        ("Law enforcement, agreement on file", eligible),
        ("Imminent danger only (not law enforcement or no agreement)", others),
    ]


class ShareForm(forms.Form):
    """A recipient outside the unit: only law-enforcement agencies with an agreement, unless an
    imminent danger is declared and justified (28 CFR 23.20(f))."""

    recipient = forms.CharField(max_length=200, label="Recipient (name and title)")
    recipient_agency = forms.ChoiceField(label="Recipient agency")
    reason = forms.CharField(widget=_text(2), min_length=10, label="Need to know, right to know")
    emergency = forms.BooleanField(
        required=False, label="Imminent danger to life or property (exception)"
    )
    emergency_justification = forms.CharField(
        required=False,
        widget=_text(2),
        label="The imminent danger",
        help_text="Required with the exception; every supervisor is told at once.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["recipient_agency"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = _agency_choices()

    def clean_recipient_agency(self) -> Agency:
        agency = Agency.objects.filter(name=self.cleaned_data["recipient_agency"]).first()
        if agency is None:
            raise forms.ValidationError("Choose an agency from the list.")
        return agency


def share_kwargs(data: dict[str, Any]) -> dict[str, Any]:
    """The share or export service's arguments from a valid ``ShareForm``."""
    names = ("recipient", "recipient_agency", "reason", "emergency", "emergency_justification")
    return {name: data[name] for name in names}


class ExportForm(ShareForm):
    q = forms.CharField(required=False, max_length=200, widget=forms.HiddenInput)


class ReaderForm(forms.Form):
    user = forms.ChoiceField(label="User")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["user"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = BLANK + [
            (u.username, f"{u.get_full_name() or u.username} ({u.username})")
            for u in grantable_users()
        ]

    def clean_user(self) -> User:
        return User.objects.get(username=self.cleaned_data["user"])


class RevokeForm(forms.Form):
    """Names any user holding a grant, even one whose role no longer reads intelligence."""

    user = forms.CharField(max_length=150, widget=forms.HiddenInput)

    def clean_user(self) -> User:
        user = User.objects.filter(username=self.cleaned_data["user"]).first()
        if user is None:
            raise forms.ValidationError("There is no such user.")
        return user
