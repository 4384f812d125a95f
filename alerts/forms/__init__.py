"""Forms of the inbox, preferences, snooze and fatigue pages (input parsing only)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.utils import timezone

from alerts.models import Alert, WatchList


def local_midnight(day: date) -> datetime:
    """The start of a day in the office's time zone."""
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(settings.TIME_ZONE or "UTC"))


class AlertAcknowledgeForm(forms.Form):
    action = forms.ChoiceField(
        label="Action taken",
        choices=[("", "Acknowledge only")] + list(Alert.Action.choices),
        required=False,
    )
    note = forms.CharField(label="Note", widget=forms.Textarea(attrs={"rows": 2}), required=False)


class AlertPreferenceForm(forms.Form):
    email = forms.BooleanField(label="Send me alerts by e-mail", required=False)
    quiet_from = forms.TimeField(
        label="Quiet hours from", required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    quiet_until = forms.TimeField(
        label="Quiet hours until", required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    digest_hour = forms.IntegerField(
        label="Daily digest at (hour, 0-23)", min_value=0, max_value=23
    )


class SnoozeForm(forms.Form):
    watch_list = forms.ModelChoiceField(
        label="List (and its sub-lists)", queryset=WatchList.objects.none(), required=False
    )
    person = forms.IntegerField(widget=forms.HiddenInput, required=False)
    until = forms.DateField(label="Quiet until", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, lists: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if lists is not None:
            field = self.fields["watch_list"]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = lists

    def clean_until(self) -> date:
        until: date = self.cleaned_data["until"]
        if until <= timezone.localdate():
            raise forms.ValidationError("Choose a date after today.")
        return until

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if bool(data.get("watch_list")) == bool(data.get("person")):
            raise forms.ValidationError("Choose a list, or snooze a person from an alert.")
        return data


class FatigueForm(forms.Form):
    start = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(
        label="End (included)", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def window(self) -> tuple[datetime, datetime]:
        """``[start, end + 1 day)``, the last four weeks by default."""
        data = self.cleaned_data if self.is_valid() else {}
        end = data.get("end") or timezone.localdate()
        start = data.get("start") or end - timedelta(days=27)
        return local_midnight(start), local_midnight(end + timedelta(days=1))


class WatchListPauseForm(forms.Form):
    reason = forms.CharField(min_length=10, max_length=300)
