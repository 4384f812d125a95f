"""User administration for admins: create, change role, release a lockout, reset MFA.

Creating a user or resetting their MFA shows a one-time enrolment code once, on the response
page, for the admin to hand over. Nobody changes their own role (the service refuses)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from csu import services
from csu.forms import UserCreateForm
from csu.models import User
from csu.roles import ROLE_LABELS
from csu.selectors import user_get, user_list
from csu.types import AuthedHttpRequest


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=list(ROLE_LABELS.items()))


def _user_list_page(
    request: AuthedHttpRequest,
    form: UserCreateForm,
    *,
    issued: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    """The users page; ``issued`` carries a new enrolment code, shown in this response only
    (not through a message, which would keep it in the session)."""
    return render(
        request,
        "csu/users/list.html",
        {
            "users": user_list(actor=request.user),
            "form": form,
            "roles": ROLE_LABELS,
            "issued": issued,
            "code_hours": settings.CSU_MFA_ENROLMENT_CODE_HOURS,
        },
        status=status,
    )


def _user_or_404(request: AuthedHttpRequest, pk: int) -> User:
    user = user_get(actor=request.user, pk=pk)
    if user is None:
        raise Http404
    return user


@require_http_methods(["GET", "POST"])
@permission_required("csu.view_user", raise_exception=True)
def user_list_view(request: AuthedHttpRequest) -> HttpResponse:
    form = UserCreateForm(request.POST or None)
    if request.method == "POST":
        if not request.user.has_perm("csu.add_user"):
            return HttpResponse(status=403)
        if form.is_valid():
            try:
                user, code = services.user_create(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else "password", errors)
            else:
                messages.success(
                    request,
                    f"Created {user.username}. They sign in with the "
                    "password you chose, replace it, and enrol MFA with "
                    "the enrolment code below.",
                )
                return _user_list_page(
                    request, UserCreateForm(), issued={"user": user, "code": code}
                )
    return _user_list_page(request, form, status=400 if form.errors else 200)


@require_POST
@permission_required("csu.unlock_user", raise_exception=True)
def user_unlock_view(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    user = _user_or_404(request, pk)
    services.user_unlock(actor=request.user, user=user)
    messages.success(request, f"Released the lock on {user.username}.")
    return redirect("csu:user-list")


@require_POST
@permission_required("csu.reset_mfa_user", raise_exception=True)
def user_reset_mfa_view(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    user = _user_or_404(request, pk)
    code = services.user_reset_mfa(actor=request.user, user=user)
    messages.success(
        request,
        f"{user.username} enrols a new authenticator at next sign-in, "
        "with the enrolment code below; their API tokens are revoked.",
    )
    return _user_list_page(request, UserCreateForm(), issued={"user": user, "code": code})


@require_POST
@permission_required("csu.change_user", raise_exception=True)
def user_set_role_view(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    user = _user_or_404(request, pk)
    form = RoleForm(request.POST)
    if form.is_valid():
        services.user_set_role(actor=request.user, user=user, role=form.cleaned_data["role"])
        label = ROLE_LABELS[form.cleaned_data["role"]]
        messages.success(request, f"{user.username} is now {label}.")
    return redirect("csu:user-list")
