"""The signed-in user's own account: identity, second factor, API token, password."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.forms import PasswordChangeForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from csu import services


@require_GET
def account_view(request: HttpRequest) -> HttpResponse:
    devices = TOTPDevice.objects.filter(user=request.user, confirmed=True)
    return render(request, "csu/account/detail.html", {"devices": devices})


@require_POST
def account_token_view(request: HttpRequest) -> HttpResponse:
    key = services.api_token_create(actor=request.user)
    devices = TOTPDevice.objects.filter(user=request.user, confirmed=True)
    return render(request, "csu/account/detail.html", {"devices": devices, "new_token": key})


@require_http_methods(["GET", "POST"])
def password_change_view(request: HttpRequest) -> HttpResponse:
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        user.password_changed_at = timezone.now()
        user.save(update_fields=["password_changed_at"])
        update_session_auth_hash(request, user)  # other sessions of this user end
        messages.success(request, "Your password is changed; your other sessions are signed out.")
        return redirect("csu:account")
    return render(request, "csu/account/password.html", {"form": form},
                  status=400 if form.errors else 200)
