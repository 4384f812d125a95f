"""Forms of the platform: sign-in with the system-use banner, the second factor, user admin."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.conf import settings
from django.contrib.auth import authenticate
from django.core.validators import MaxValueValidator
from django.http import HttpRequest

from csu.models import ApiToken, User
from csu.roles import ROLE_LABELS

BANNER_STATEMENTS = [
    "You are accessing a restricted information system of a criminal justice agency.",
    "System usage may be monitored, recorded, and subject to audit.",
    "Unauthorized use of the system is prohibited and may be subject to criminal and civil "
    "penalties.",
    "Use of the system indicates consent to monitoring and recording.",
]


class LoginForm(forms.Form):
    """Username and password, and the acknowledgement of the system-use notice (CJIS AC-8)."""

    username = forms.CharField(
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    acknowledge_banner = forms.BooleanField(
        required=True,
        label="I have read the notice above and consent to its terms.",
        error_messages={"required": "You must acknowledge the system-use notice to sign in."},
    )

    def __init__(self, *args: Any, request: HttpRequest, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.request = request
        self.user: User | None = None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        user = authenticate(self.request, username=data["username"], password=data["password"])
        if user is None:
            raise forms.ValidationError("The username or password is not correct.", code="invalid")
        self.user = user
        return data


class TokenForm(forms.Form):
    """A six-digit code from the user's authenticator app."""

    otp_token = forms.RegexField(
        regex=r"^\s*\d{6}\s*$",
        max_length=8,
        label="Six-digit code",
        error_messages={"invalid": "Enter the six digits your authenticator app shows."},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def clean_otp_token(self) -> str:
        return str(self.cleaned_data["otp_token"]).strip()


class EnrolmentCodeForm(forms.Form):
    """The one-time code an administrator handed over, needed to set up an authenticator."""

    enrolment_code = forms.CharField(
        max_length=64,
        label="Enrolment code",
        help_text="Your administrator gave you this code with your account or MFA reset.",
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autofocus": True, "spellcheck": "false"}
        ),
    )


class ApiTokenCreateForm(forms.Form):
    """Name, scope and lifetime of a new API token (at most the configured maximum)."""

    name = forms.CharField(max_length=80, help_text="What the token is for, e.g. 'GIS sync'.")
    scope = forms.ChoiceField(choices=ApiToken.Scope.choices, initial=ApiToken.Scope.READ)
    hours = forms.IntegerField(min_value=1, label="Lifetime (hours)")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        maximum = settings.CSU_API_TOKEN_MAX_HOURS
        cast(forms.IntegerField, self.fields["hours"]).max_value = maximum
        self.fields["hours"].validators.append(MaxValueValidator(maximum))
        self.fields["hours"].widget.attrs["max"] = maximum
        self.fields["hours"].initial = maximum
        self.fields["hours"].help_text = f"At most {maximum} hours."


class UserCreateForm(forms.Form):
    username = forms.CharField(max_length=150)
    first_name = forms.CharField(max_length=150)
    last_name = forms.CharField(max_length=150)
    email = forms.EmailField()
    agency = forms.CharField(max_length=120, required=False)
    title = forms.CharField(max_length=120, required=False)
    role = forms.ChoiceField(choices=list(ROLE_LABELS.items()))
    password = forms.CharField(
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 15 characters; passphrases welcome.",
    )
