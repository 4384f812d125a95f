"""The alerts inbox, an alert's page (acknowledge, action taken), delivery preferences and
snoozes, and the supervisors' alert-fatigue report."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from alerts.forms import (
    AlertAcknowledgeForm,
    AlertPreferenceForm,
    FatigueForm,
    SnoozeForm,
    WatchListPauseForm,
    local_midnight,
)
from alerts.models import Alert, Snooze, WatchList
from alerts.schedule import preference_for
from alerts.selectors.fatigue import alert_fatigue_report
from alerts.selectors.inbox import (
    alert_get,
    alert_inbox_list,
    alert_other_recipients,
    snooze_active_list,
    snooze_list_choices,
    snooze_person_get,
)
from alerts.services.inbox import alert_acknowledge, alert_preference_update
from alerts.services.lists import watchlist_pause
from alerts.services.snoozes import snooze_cancel, snooze_create
from csu import audit_reads
from csu.types import AuthedHttpRequest

PAGE_SIZE = 50


def _errors(exc: ValidationError) -> str:
    return " ".join(exc.messages)


@require_GET
@permission_required("alerts.view_alert", raise_exception=True)
def inbox_view(request: AuthedHttpRequest) -> HttpResponse:
    """The user's delivered alerts, newest first; unacknowledged ones unless ``?show=all``."""
    show_all = request.GET.get("show") == "all"
    alerts = alert_inbox_list(actor=request.user, unacknowledged_only=not show_all)
    page = Paginator(alerts, PAGE_SIZE).get_page(request.GET.get("page"))
    audit_reads.note(request, results=page.paginator.count)
    return render(request, "alerts/inbox/list.html", {"page": page, "show_all": show_all})


def _alert_or_404(request: AuthedHttpRequest, pk: int) -> Alert:
    try:
        return alert_get(actor=request.user, pk=pk)
    except Alert.DoesNotExist as exc:
        raise Http404("No such alert.") from exc


@require_GET
@permission_required("alerts.view_alert", raise_exception=True)
def alert_detail_view(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    alert = _alert_or_404(request, pk)
    return render(
        request,
        "alerts/inbox/detail.html",
        {
            "alert": alert,
            "charges": alert.arrest.charges.all().order_by("sequence"),
            "others": alert_other_recipients(actor=request.user, alert=alert),
            "deliveries": alert.deliveries.all(),
            "form": AlertAcknowledgeForm(
                initial={"action": alert.action, "note": alert.action_note}
            ),
            "snooze_form": SnoozeForm(initial={"person": alert.person_id}),
        },
    )


@require_POST
@permission_required("alerts.change_alert", raise_exception=True)
def alert_acknowledge_view(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """Acknowledge the alert, with the action taken when one is chosen."""
    alert = _alert_or_404(request, pk)
    form = AlertAcknowledgeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose one of the listed actions.")
        return redirect("alerts:alert-detail", pk=alert.pk)
    try:
        alert_acknowledge(
            actor=request.user,
            alert=alert,
            action=form.cleaned_data["action"],
            note=form.cleaned_data["note"],
        )
    except ValidationError as exc:
        messages.error(request, _errors(exc))
        return redirect("alerts:alert-detail", pk=alert.pk)
    done = "Action recorded." if form.cleaned_data["action"] else "Alert acknowledged."
    messages.success(request, done)
    if request.POST.get("next") == "inbox":
        return redirect("alerts:inbox")
    return redirect("alerts:alert-detail", pk=alert.pk)


@require_http_methods(["GET", "POST"])
@permission_required("alerts.view_alert", raise_exception=True)
def preferences_view(request: AuthedHttpRequest) -> HttpResponse:
    preference = preference_for(request.user.pk)
    initial = {
        "email": preference.email,
        "quiet_from": preference.quiet_from,
        "quiet_until": preference.quiet_until,
        "digest_hour": preference.digest_hour,
    }
    form = AlertPreferenceForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            alert_preference_update(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, _errors(exc))
        else:
            messages.success(request, "Alert preferences saved.")
            return redirect("alerts:preferences")
    return render(request, "alerts/inbox/preferences.html", {"form": form})


@require_http_methods(["GET", "POST"])
@permission_required("alerts.view_alert", raise_exception=True)
def snooze_list_view(request: AuthedHttpRequest) -> HttpResponse:
    """The user's running snoozes; a new one on a list they can see, or on a person (from an
    alert's page)."""
    lists = snooze_list_choices(actor=request.user)
    form = SnoozeForm(request.POST if request.method == "POST" else None, lists=lists)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        person = None
        if data["person"]:
            person = snooze_person_get(actor=request.user, pk=data["person"])
            if person is None:
                raise Http404("No such person.")
        try:
            snooze_create(
                actor=request.user,
                until=local_midnight(data["until"]),
                watch_list=data["watch_list"],
                person=person,
            )
        except ValidationError as exc:
            form.add_error(None, _errors(exc))
        else:
            messages.success(request, "Snoozed.")
            return redirect("alerts:snooze-list")
    snoozes = snooze_active_list(actor=request.user)
    return render(request, "alerts/inbox/snoozes.html", {"form": form, "snoozes": snoozes})


@require_POST
@permission_required("alerts.view_alert", raise_exception=True)
def snooze_cancel_view(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    snooze = snooze_active_list(actor=request.user).filter(pk=pk).first()
    if snooze is None:
        raise Http404("No such snooze.")
    try:
        snooze_cancel(actor=request.user, snooze=snooze)
    except Snooze.DoesNotExist as exc:
        raise Http404("No such snooze.") from exc
    messages.success(request, "Snooze ended: alerts are delivered again.")
    return redirect("alerts:snooze-list")


@require_GET
@permission_required("alerts.review_fatigue", raise_exception=True)
def fatigue_view(request: AuthedHttpRequest) -> HttpResponse:
    form = FatigueForm(request.GET or None)
    start, end = form.window()
    report = alert_fatigue_report(actor=request.user, start=start, end=end)
    return render(
        request,
        "alerts/inbox/fatigue.html",
        {"form": form, "report": report, "pause_form": WatchListPauseForm()},
    )


@require_POST
@permission_required("alerts.review_fatigue", raise_exception=True)
def fatigue_pause_view(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """The one-click pause of a list nobody acknowledges."""
    watch_list = WatchList.objects.filter(pk=pk).first()
    if watch_list is None:
        raise Http404("No such watch list.")
    form = WatchListPauseForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say why the list is paused (10 characters or more).")
        return redirect("alerts:fatigue")
    try:
        watchlist_pause(
            actor=request.user, watch_list=watch_list, reason=form.cleaned_data["reason"]
        )
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, f"List {watch_list.name} paused.")
    return redirect("alerts:fatigue")
