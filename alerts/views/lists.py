"""Watch-list pages: the user's lists as a tree, a list with its entries, members and sub-lists,
the forms that add, renew and remove entries, and "Watch this person" from a person's page.
A list or entry the user holds no role on answers 404."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time
from typing import TypeVar

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from alerts.forms.lists import (
    EntryForm,
    MemberForm,
    PauseForm,
    PersonWatchForm,
    ReasonForm,
    WatchListForm,
)
from alerts.models import WatchEntry, WatchList
from alerts.selectors import lists as selectors
from alerts.services import entries as entry_services
from alerts.services import lists as list_services
from csu.types import AuthedHttpRequest
from intel.models import Person, Zone

VIEW = "alerts.view_watchlist"
_T = TypeVar("_T")


def get_or_404(selector: Callable[..., _T], /, **kwargs: object) -> _T:
    """A single-object selector's ``DoesNotExist`` (missing or out of sight) is a 404."""
    try:
        return selector(**kwargs)
    except ObjectDoesNotExist as exc:
        raise Http404(str(exc)) from exc


def _text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def _expiry(day: date | None) -> datetime | None:
    return timezone.make_aware(datetime.combine(day, time(23, 59))) if day else None


def _list_or_404(request: AuthedHttpRequest, pk: int) -> WatchList:
    return get_or_404(selectors.watchlist_get, actor=request.user, pk=pk)


def _role(request: AuthedHttpRequest, watch_list: WatchList) -> str:
    role = list_services.watch_list_role(actor=request.user, watch_list=watch_list)
    if role is None:  # visible_to and the role agree; kept as a guard
        raise Http404
    return role


@require_GET
@permission_required(VIEW, raise_exception=True)
def list_list_view(request: AuthedHttpRequest) -> HttpResponse:
    return render(
        request,
        "alerts/lists/list.html",
        {"tree": selectors.watchlist_tree(actor=request.user)},
    )


@require_http_methods(["GET", "POST"])
@permission_required("alerts.add_watchlist", raise_exception=True)
def list_create_view(request: AuthedHttpRequest) -> HttpResponse:
    parents = selectors.watchlists_editable(actor=request.user)
    initial = {"parent": request.GET.get("parent", "")}
    form = WatchListForm(
        request.POST if request.method == "POST" else None, parents=parents, initial=initial
    )
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        parent = _list_or_404(request, data["parent"]) if data["parent"] else None
        try:
            created = list_services.watchlist_create(
                actor=request.user,
                name=data["name"],
                parent=parent,
                priority=data["priority"],
                silent=data["silent"],
                description=data["description"],
            )
        except ValidationError as exc:
            form.add_error(None, _text(exc))
        else:
            messages.success(request, f"Created the list {created.name}.")
            return redirect("alerts:list-detail", pk=created.pk)
    return render(
        request, "alerts/lists/form.html", {"form": form}, status=400 if form.errors else 200
    )


@require_GET
@permission_required(VIEW, raise_exception=True)
def list_detail_view(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    watch_list = _list_or_404(request, pk)
    role = _role(request, watch_list)
    may_edit = role in ("owner", "editor") and request.user.has_perm("alerts.add_watchentry")
    zones = Zone.objects.visible_to(request.user).select_related("layer")
    return render(
        request,
        "alerts/lists/detail.html",
        {
            "watch_list": watch_list,
            "path": selectors.watchlist_path(watch_list),
            "role": role,
            "may_edit": may_edit,
            "is_owner": role == "owner",
            "entries": selectors.watchlist_entries(actor=request.user, watch_list=watch_list),
            "children": selectors.watchlist_children(actor=request.user, watch_list=watch_list),
            "members": selectors.watchlist_members(watch_list=watch_list),
            "expiring": (
                selectors.watch_entries_expiring(actor=request.user, watch_list=watch_list)
                if role == "owner"
                else []
            ),
            "entry_forms": [
                (kind, label, EntryForm(initial={"kind": kind}, zones=zones, prefix=kind))
                for kind, label in WatchEntry.Kind.choices
            ]
            if may_edit
            else [],
            "member_form": MemberForm(),
            "pause_form": PauseForm(),
            "may_add_child": may_edit and watch_list.level < 3,
        },
    )


def _back(pk: int) -> HttpResponse:
    return redirect("alerts:list-detail", pk=pk)


def _act(
    request: AuthedHttpRequest, pk: int, done: str, action: Callable[[WatchList], object]
) -> HttpResponse:
    """Run a write on the list; a refusal is 404 (no role) or the rule's message."""
    watch_list = _list_or_404(request, pk)
    try:
        action(watch_list)
    except PermissionDenied:
        raise
    except ValidationError as exc:
        messages.error(request, _text(exc))
    else:
        messages.success(request, done)
    return _back(watch_list.pk)


@require_POST
@permission_required(VIEW, raise_exception=True)
def list_member_set_view(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    form = MemberForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give a username and a role.")
        return _back(_list_or_404(request, pk).pk)
    user = get_user_model().objects.filter(username=form.cleaned_data["username"]).first()
    if user is None:
        messages.error(request, "No user has that username.")
        return _back(_list_or_404(request, pk).pk)
    return _act(
        request,
        pk,
        f"{user.get_username()} is now {form.cleaned_data['role']} of the list.",
        lambda w: list_services.watchlist_member_set(
            actor=request.user, watch_list=w, user=user, role=form.cleaned_data["role"]
        ),
    )


@require_POST
@permission_required(VIEW, raise_exception=True)
def list_member_remove_view(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    user = get_user_model().objects.filter(username=request.POST.get("username", "")).first()
    if user is None:
        messages.error(request, "No user has that username.")
        return _back(_list_or_404(request, pk).pk)
    return _act(
        request,
        pk,
        f"{user.get_username()} no longer has a role on the list.",
        lambda w: list_services.watchlist_member_remove(
            actor=request.user, watch_list=w, user=user
        ),
    )


@require_POST
@permission_required(VIEW, raise_exception=True)
def list_pause_view(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    reason = request.POST.get("reason", "")
    return _act(
        request,
        pk,
        "The list is paused: it sends no alerts until resumed.",
        lambda w: list_services.watchlist_pause(actor=request.user, watch_list=w, reason=reason),
    )


@require_POST
@permission_required(VIEW, raise_exception=True)
def list_resume_view(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    reason = request.POST.get("reason", "")
    return _act(
        request,
        pk,
        "The list alerts again.",
        lambda w: list_services.watchlist_resume(actor=request.user, watch_list=w, reason=reason),
    )


@require_POST
@permission_required("alerts.add_watchentry", raise_exception=True)
def entry_add_view(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    watch_list = _list_or_404(request, pk)
    kind = request.POST.get("kind", "")
    zones = Zone.objects.visible_to(request.user)
    form = EntryForm(request.POST, zones=zones, prefix=kind or None)
    if not form.is_valid():
        errors = "; ".join(f"{k}: {' '.join(str(m) for m in v)}" for k, v in form.errors.items())
        messages.error(request, f"The entry was not added: {errors}")
        return _back(watch_list.pk)
    data = form.cleaned_data
    return _act(
        request,
        pk,
        "Entry added.",
        lambda w: entry_services.watch_entry_add(
            actor=request.user,
            watch_list=w,
            kind=data["kind"],
            last_name=data["last_name"],
            first_name=data["first_name"],
            dob=data["dob"],
            state_id=data["state_id"],
            charge=data["charge"],
            address=data["address"],
            latitude=data["latitude"],
            longitude=data["longitude"],
            radius_m=data["radius_m"],
            zone=data["zone"],
            reason=data["reason"],
            note=data["note"],
            owner_note=data["owner_note"],
            expires_at=_expiry(data["expires"]),
        ),
    )


def _entry_act(
    request: AuthedHttpRequest, pk: int, done: str, action: Callable[[WatchEntry], object]
) -> HttpResponse:
    entry = get_or_404(selectors.watch_entry_get, actor=request.user, pk=pk)
    try:
        action(entry)
    except ValidationError as exc:
        messages.error(request, _text(exc))
    else:
        messages.success(request, done)
    return _back(entry.watch_list_id)


@require_POST
@permission_required("alerts.change_watchentry", raise_exception=True)
def entry_renew_view(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return _entry_act(
        request,
        pk,
        "Renewed for 12 months.",
        lambda e: entry_services.watch_entry_renew(actor=request.user, entry=e, reason=reason),
    )


@require_POST
@permission_required("alerts.change_watchentry", raise_exception=True)
def entry_remove_view(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    return _entry_act(
        request,
        pk,
        "Entry removed: it alerts no more.",
        lambda e: entry_services.watch_entry_remove(actor=request.user, entry=e),
    )


@require_http_methods(["GET", "POST"])
@permission_required("alerts.add_watchentry", raise_exception=True)
def entry_add_person_view(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """ "Watch this person", from their page: pick one of your lists, give the reason."""
    person = get_or_404(Person.objects.visible_to(request.user).get, pk=pk)
    lists = selectors.watchlists_editable(actor=request.user)
    form = PersonWatchForm(request.POST if request.method == "POST" else None, lists=lists)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        watch_list = _list_or_404(request, data["watch_list"])
        try:
            entry_services.watch_entry_add(
                actor=request.user,
                watch_list=watch_list,
                kind=WatchEntry.Kind.PERSON,
                person=person,
                reason=data["reason"],
                note=data["note"],
                owner_note=data["owner_note"],
                expires_at=_expiry(data["expires"]),
            )
        except ValidationError as exc:
            form.add_error(None, _text(exc))
        else:
            messages.success(request, f"{person} is on the list {watch_list.name}.")
            return redirect("alerts:list-detail", pk=watch_list.pk)
    return render(
        request,
        "alerts/lists/watch_person.html",
        {"person": person, "form": form, "lists": lists},
        status=400 if form.errors else 200,
    )
