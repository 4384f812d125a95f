"""The alerts pages under ``/alerts/`` (``alerts:`` namespace)."""

from django.urls import path

from alerts.views import inbox

app_name = "alerts"

urlpatterns = [
    # Part F: the inbox, an alert, preferences and snoozes, the fatigue report.
    path("", inbox.inbox_view, name="inbox"),
    path("<int:pk>/", inbox.alert_detail_view, name="alert-detail"),
    path("<int:pk>/acknowledge/", inbox.alert_acknowledge_view, name="alert-acknowledge"),
    path("preferences/", inbox.preferences_view, name="preferences"),
    path("snoozes/", inbox.snooze_list_view, name="snooze-list"),
    path("snoozes/<int:pk>/cancel/", inbox.snooze_cancel_view, name="snooze-cancel"),
    path("fatigue/", inbox.fatigue_view, name="fatigue"),
    path("fatigue/lists/<int:pk>/pause/", inbox.fatigue_pause_view, name="fatigue-pause"),
]
