"""Sign-in in two steps (password + banner, then TOTP), sign-out.

The password step does not sign the user in: it parks the verified user id in the session for
five minutes. Only the second factor calls ``login()``, so a password-only session is anonymous
everywhere (CJIS IA-2(1)). Failures of either factor count toward the same lockout (django-axes,
5 consecutive, by username, released only by an admin).

An account without an authenticator enrols only after entering the one-time enrolment code an
admin handed over; each attempt gets a fresh secret bound to its session, and confirming one
deletes the others, so knowing the password never yields a working second factor.
"""

from __future__ import annotations

import base64
import io
import time
from typing import Any

import qrcode
import qrcode.image.svg
from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from csu import services
from csu.exceptions import ApplicationError
from csu.forms import BANNER_STATEMENTS, EnrolmentCodeForm, LoginForm, TokenForm
from csu.middleware import AUTH_TIME_KEY
from csu.models import User
from csu.throttle import signin_throttled

PENDING_USER = "csu_pending_user"
PENDING_AT = "csu_pending_at"
PENDING_BACKEND = "csu_pending_backend"
PENDING_NEXT = "csu_pending_next"
ENROL_DEVICE = "csu_enrol_device"
ENROL_CODE = "csu_enrol_code"


def _safe_next(request: HttpRequest, candidate: str | None) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse(settings.LOGIN_REDIRECT_URL)


def _complete_login(request: HttpRequest, user: User, backend: str, device: Any = None) -> None:
    login(request, user, backend=backend)  # cycles the session key; audited via the signal
    if device is not None:
        otp_login(request, device)
    request.session[AUTH_TIME_KEY] = time.time()


@login_not_required
@require_http_methods(["GET", "POST"])
@signin_throttled(step="password", username=lambda r: r.POST.get("username", ""))
def login_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect(settings.LOGIN_REDIRECT_URL)
    form = LoginForm(request.POST or None, request=request)
    if request.method == "POST" and form.is_valid():
        user = form.user
        assert user is not None
        next_url = _safe_next(request, request.POST.get("next"))
        if not settings.CSU_MFA_REQUIRED:
            _complete_login(request, user, user.backend)
            return redirect(next_url)
        request.session.cycle_key()
        request.session[PENDING_USER] = user.pk
        request.session[PENDING_AT] = time.time()
        request.session[PENDING_BACKEND] = user.backend
        request.session[PENDING_NEXT] = next_url
        return redirect("csu:mfa")
    return render(
        request,
        "csu/auth/login.html",
        {"form": form, "banner": BANNER_STATEMENTS, "next": request.GET.get("next", "")},
        status=400 if request.method == "POST" else 200,
    )


def _pending_user(request: HttpRequest) -> User | None:
    user_id = request.session.get(PENDING_USER)
    started = request.session.get(PENDING_AT, 0)
    if not user_id or time.time() - started > settings.CSU_PENDING_LOGIN_SECONDS:
        return None
    return User.objects.filter(pk=user_id, is_active=True).first()


def _clear_pending(request: HttpRequest) -> None:
    for key in (PENDING_USER, PENDING_AT, PENDING_BACKEND, PENDING_NEXT, ENROL_DEVICE, ENROL_CODE):
        request.session.pop(key, None)


def _locked(request: HttpRequest) -> HttpResponse:
    _clear_pending(request)
    return render(request, "csu/auth/locked.html", status=settings.AXES_HTTP_RESPONSE_CODE)


def _enrolment_device(request: HttpRequest, user: User) -> TOTPDevice | None:
    """The unconfirmed device this session's enrolment attempt created, if still there: another
    session (or a confirmed enrolment elsewhere) never shares it."""
    device_id = request.session.get(ENROL_DEVICE)
    if not device_id:
        return None
    return TOTPDevice.objects.filter(pk=device_id, user=user, confirmed=False).first()


def _enrolment_code_step(request: HttpRequest, user: User) -> HttpResponse:
    """An account without an authenticator first proves it holds the enrolment code an admin
    handed over; only then is a secret created, for this session alone."""
    form = EnrolmentCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device, code_id = services.mfa_enrolment_begin(
                actor=user, code=form.cleaned_data["enrolment_code"]
            )
        except ValidationError:
            # A wrong enrolment code counts toward the account lockout like a wrong password.
            user_login_failed.send(
                sender=__name__,
                credentials={"username": user.username, "factor": "enrolment_code"},
                request=request,
            )
            if getattr(request, "axes_locked_out", False):
                return _locked(request)
            form.add_error(
                "enrolment_code",
                "That enrolment code is not valid, has been used "
                "or has expired. Ask an administrator for a new one.",
            )
        else:
            request.session[ENROL_DEVICE] = device.pk
            request.session[ENROL_CODE] = code_id
            return redirect("csu:mfa")
    context = {"code_form": form, "enrolling": True, "needs_code": True, "pending_user": user}
    return render(request, "csu/auth/mfa.html", context, status=400 if form.errors else 200)


def _qr_data_uri(device: TOTPDevice) -> str:
    """The provisioning URL as an SVG QR code in a data URI (no inline markup, no CDN)."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


@login_not_required
@require_http_methods(["GET", "POST"])
@signin_throttled(step="mfa", username=lambda r: getattr(_pending_user(r), "username", ""))
def mfa_view(request: HttpRequest) -> HttpResponse:
    """Verify the TOTP code, or enrol an authenticator app on first sign-in."""
    user = _pending_user(request)
    if user is None:
        _clear_pending(request)
        messages.info(request, "Sign in with your username and password first.")
        return redirect("csu:login")
    credentials = {"username": user.username}
    if AxesProxyHandler.is_locked(request, credentials):
        return _locked(request)

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    enrolling = device is None
    if enrolling:
        device = _enrolment_device(request, user)
        if device is None:
            request.session.pop(ENROL_CODE, None)
            return _enrolment_code_step(request, user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        allowed, throttle = device.verify_is_allowed()
        if allowed and device.verify_token(form.cleaned_data["otp_token"]):
            if enrolling:
                try:
                    device = services.mfa_enrolment_confirm(
                        actor=user, device=device, code_id=request.session.get(ENROL_CODE, 0)
                    )
                except ApplicationError as exc:
                    request.session.pop(ENROL_DEVICE, None)
                    request.session.pop(ENROL_CODE, None)
                    messages.error(request, exc.message)
                    return redirect("csu:mfa")
            backend = request.session[PENDING_BACKEND]
            next_url = request.session.get(PENDING_NEXT) or reverse(settings.LOGIN_REDIRECT_URL)
            _clear_pending(request)
            _complete_login(request, user, backend, device)
            return redirect(next_url)
        # A wrong code counts toward the account lockout like a wrong password.
        user_login_failed.send(
            sender=__name__, credentials={**credentials, "factor": "otp"}, request=request
        )
        if getattr(request, "axes_locked_out", False):
            return _locked(request)
        if not allowed and throttle:
            form.add_error(None, "Too many wrong codes in a row: wait a few seconds, then retry.")
        else:
            form.add_error("otp_token", "That code is not correct or has already been used.")
    context: dict[str, Any] = {"form": form, "enrolling": enrolling, "pending_user": user}
    if enrolling:
        context["qr_uri"] = _qr_data_uri(device)
        context["secret"] = base64.b32encode(device.bin_key).decode()
    return render(request, "csu/auth/mfa.html", context, status=400 if form.errors else 200)


@login_not_required
@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    _clear_pending(request)
    logout(request)  # flushes the server-side session; audited via the signal
    messages.info(request, "You are signed out.")
    return redirect("csu:login")
