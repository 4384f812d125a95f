"""Session limits, the MFA gate and response hygiene (CJIS AC-11, IA-2; ASVS 14.3)."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

from csu.audit import current_request
from csu.types import otp_verified

AUTH_TIME_KEY = "csu_auth_time"


class RequestContextMiddleware:
    """Makes the request available to ``audit_log`` anywhere below the view."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            current_request.reset(token)


def _sign_out(request: HttpRequest, message: str) -> HttpResponse:
    logout(request)
    if request.path.startswith("/api/"):
        return JsonResponse({"message": message, "code": "not_authenticated"}, status=401)
    messages.info(request, message)
    return redirect(settings.LOGIN_URL)


class SessionLimitsMiddleware:
    """Re-login every 12 hours however active the session (the idle limit is the cookie age)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            auth_time = request.session.get(AUTH_TIME_KEY)
            if auth_time is None or time.time() - auth_time > settings.CSU_SESSION_MAX_AGE:
                return _sign_out(request, "Your session reached its 12-hour limit. Sign in again.")
        return self.get_response(request)


class MFARequiredMiddleware:
    """A signed-in session must carry a verified second factor (unless the demo switched MFA off).

    The login flow only signs a user in after the second factor, so an unverified session means
    the factor was removed meanwhile: it is ended rather than trusted.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if settings.CSU_MFA_REQUIRED and user.is_authenticated and not otp_verified(user):
            return _sign_out(request, "Sign in again with your second factor.")
        return self.get_response(request)


class PasswordChangeRequiredMiddleware:
    """While an admin-chosen or expired password is in force, a signed-in user reaches only the
    password-change page and sign-out (CJIS IA-5); the API answers 403 with the reason.
    Token requests are authenticated inside DRF, where ``csu.api.permissions`` says the same."""

    ALLOWED_URL_NAMES = ("csu:password-change", "csu:logout")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from csu.passwords import password_change_required

        user = request.user
        if not (user.is_authenticated and password_change_required(user)):
            return self.get_response(request)
        if request.path in {reverse(name) for name in self.ALLOWED_URL_NAMES} or (
            request.path.startswith(settings.STATIC_URL)
        ):
            return self.get_response(request)
        message = "Choose a new password before you continue."
        if request.path.startswith("/api/"):
            return JsonResponse(
                {"message": message, "code": "password_change_required", "extra": {}}, status=403
            )
        messages.info(request, message)
        return redirect("csu:password-change")


class LoginRequired(LoginRequiredMiddleware):
    """Every page needs a signed-in user unless marked ``login_not_required``; the API answers
    for itself (DRF authenticates tokens inside the view and replies 401/403, never a redirect)."""

    def process_view(self, request, view_func, view_args, view_kwargs):  # type: ignore[no-untyped-def]
        if request.path.startswith("/api/"):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)


class NoStoreMiddleware:
    """Nothing a signed-in user sees may be kept by the browser or a proxy (ASVS 14.3.2)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith(settings.STATIC_URL):
            response["Cache-Control"] = "no-store"
        return response
