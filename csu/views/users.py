"""User administration for admins: create, change role, release a lockout, reset MFA."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from csu import services
from csu.forms import UserCreateForm
from csu.models import User
from csu.roles import ROLE_LABELS
from csu.selectors import user_list


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=list(ROLE_LABELS.items()))


@require_http_methods(["GET", "POST"])
@permission_required("csu.view_user", raise_exception=True)
def user_list_view(request: HttpRequest) -> HttpResponse:
    form = UserCreateForm(request.POST or None)
    if request.method == "POST":
        if not request.user.has_perm("csu.add_user"):
            return HttpResponse(status=403)
        if form.is_valid():
            try:
                user = services.user_create(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else "password", errors)
            else:
                messages.success(request, f"Created {user.username}; they enrol MFA at first "
                                          "sign-in.")
                return redirect("csu:user-list")
    return render(request, "csu/users/list.html", {
        "users": user_list(actor=request.user), "form": form, "roles": ROLE_LABELS,
    }, status=400 if form.errors else 200)


@require_POST
@permission_required("csu.unlock_user", raise_exception=True)
def user_unlock_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = get_object_or_404(User, pk=pk)
    services.user_unlock(actor=request.user, user=user)
    messages.success(request, f"Released the lock on {user.username}.")
    return redirect("csu:user-list")


@require_POST
@permission_required("csu.reset_mfa_user", raise_exception=True)
def user_reset_mfa_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = get_object_or_404(User, pk=pk)
    services.user_reset_mfa(actor=request.user, user=user)
    messages.success(request, f"{user.username} will enrol a new authenticator at next sign-in.")
    return redirect("csu:user-list")


@require_POST
@permission_required("csu.change_user", raise_exception=True)
def user_set_role_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = get_object_or_404(User, pk=pk)
    form = RoleForm(request.POST)
    if form.is_valid():
        services.user_set_role(actor=request.user, user=user, role=form.cleaned_data["role"])
        label = ROLE_LABELS[form.cleaned_data["role"]]
        messages.success(request, f"{user.username} is now {label}.")
    return redirect("csu:user-list")
