"""The signed-in user's own account: identity, second factor, API tokens, password."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.forms import PasswordChangeForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from csu import services
from csu.forms import ApiTokenCreateForm
from csu.models import ApiToken
from csu.passwords import password_change_required
from csu.types import AuthedHttpRequest, otp_verified


def _account_page(
    request: AuthedHttpRequest,
    token_form: ApiTokenCreateForm,
    *,
    new_token: str = "",
    status: int = 200,
) -> HttpResponse:
    context: dict[str, Any] = {
        "devices": TOTPDevice.objects.filter(user=request.user, confirmed=True),
        "tokens": ApiToken.objects.filter(user=request.user).order_by("-created"),
        "token_form": token_form,
        "new_token": new_token,
        "token_max_hours": settings.CSU_API_TOKEN_MAX_HOURS,
    }
    return render(request, "csu/account/detail.html", context, status=status)


@require_GET
def account_view(request: AuthedHttpRequest) -> HttpResponse:
    return _account_page(request, ApiTokenCreateForm())


@require_POST
def account_token_view(request: AuthedHttpRequest) -> HttpResponse:
    """Create an API token; its key is in this one response and nowhere else, ever."""
    if settings.CSU_MFA_REQUIRED and not otp_verified(request.user):
        raise PermissionDenied  # the middleware ends such sessions; never issue from one
    form = ApiTokenCreateForm(request.POST)
    if not form.is_valid():
        return _account_page(request, form, status=400)
    try:
        key = services.api_token_create(actor=request.user, **form.cleaned_data)
    except ValidationError as exc:
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
        return _account_page(request, form, status=400)
    return _account_page(request, ApiTokenCreateForm(), new_token=key)


@require_POST
def account_token_revoke_view(request: AuthedHttpRequest, token_id: str) -> HttpResponse:
    try:
        services.api_token_revoke(actor=request.user, token_id=token_id)
    except ApiToken.DoesNotExist as exc:
        raise Http404("No such token.") from exc
    messages.success(request, "The token is revoked.")
    return redirect("csu:account")


@require_http_methods(["GET", "POST"])
def password_change_view(request: AuthedHttpRequest) -> HttpResponse:
    """Also the only page (with sign-out) a user whose password must change can reach."""
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_password_change(
                actor=request.user,
                user=request.user,
                password=form.cleaned_data["new_password1"],
            )
        except ValidationError as exc:
            for errors in exc.message_dict.values():
                form.add_error("new_password1", errors)
        else:
            update_session_auth_hash(request, user)  # this session stays; the others end
            messages.success(
                request,
                "Your password is changed; your other sessions are signed "
                "out and your API tokens are revoked.",
            )
            return redirect("csu:account")
    return render(
        request,
        "csu/account/password.html",
        {"form": form, "forced": password_change_required(request.user)},
        status=400 if form.errors else 200,
    )
