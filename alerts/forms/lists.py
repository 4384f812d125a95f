"""Forms of the watch-list pages: input parsing only; the services hold the rules."""

from __future__ import annotations

from django import forms

from alerts.models import WatchEntry, WatchList
from alerts.services.lists import ROLES
from intel.models import Zone

_REASON_HELP = "Why this is watched; every recipient of its alerts reads it."


class WatchListForm(forms.Form):
    name = forms.CharField(max_length=120)
    parent = forms.TypedChoiceField(
        coerce=int,
        required=False,
        empty_value=None,
        label="Inside",
        help_text=(
            "Empty for a new category; a group or sub-group goes inside a list you own or edit."
        ),
    )
    priority = forms.ChoiceField(choices=WatchList.Priority.choices, initial="normal")
    silent = forms.BooleanField(required=False, help_text="A silent list notifies its owners only.")
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(
        self, *args: object, parents: list[tuple[WatchList, str]], **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["parent"].choices = [("", "(none: a new category)")] + [  # type: ignore[attr-defined]
            (w.pk, path) for w, path in parents if w.level < 3
        ]


class MemberForm(forms.Form):
    username = forms.CharField(max_length=150)
    role = forms.ChoiceField(choices=[(r, r.capitalize()) for r in ROLES], initial="viewer")


class PauseForm(forms.Form):
    reason = forms.CharField(max_length=300, required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))


class _EntryNotesForm(forms.Form):
    """What every way of adding an entry asks after its target and reason."""

    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text="Shown to every recipient.",
    )
    owner_note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        label="Note for yourself",
        help_text="Only you see it.",
    )
    expires = forms.DateField(
        required=False,
        help_text="Default: 12 months from today.",
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class EntryForm(_EntryNotesForm):
    """One form for the three kinds; the kind decides which target fields count."""

    kind = forms.ChoiceField(choices=WatchEntry.Kind.choices, widget=forms.HiddenInput)
    last_name = forms.CharField(max_length=100, required=False)
    first_name = forms.CharField(max_length=100, required=False)
    dob = forms.DateField(
        required=False, label="Date of birth", widget=forms.DateInput(attrs={"type": "date"})
    )
    state_id = forms.CharField(max_length=40, required=False, label="State ID")
    charge = forms.CharField(
        max_length=100, required=False, help_text="A statute (PL 265.03), a code or a category."
    )
    address = forms.CharField(max_length=255, required=False)
    latitude = forms.FloatField(required=False)
    longitude = forms.FloatField(required=False)
    radius_m = forms.IntegerField(required=False, label="Radius (m)")
    zone = forms.ModelChoiceField(queryset=Zone.objects.none(), required=False)
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), help_text=_REASON_HELP)

    def __init__(self, *args: object, zones: object = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if zones is not None:
            self.fields["zone"].queryset = zones  # type: ignore[attr-defined]


class PersonWatchForm(_EntryNotesForm):
    field_order = ["watch_list", "reason"]  # then the notes and expiry
    watch_list = forms.TypedChoiceField(coerce=int, label="Watch list")
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), help_text=_REASON_HELP)

    def __init__(self, *args: object, lists: list[tuple[WatchList, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["watch_list"].choices = [(w.pk, p) for w, p in lists]  # type: ignore[attr-defined]
