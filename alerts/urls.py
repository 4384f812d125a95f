"""The alerts pages under ``/alerts/`` (``alerts:`` namespace)."""

from django.urls import path

from alerts.views import inbox
from alerts.views import lists as list_views

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
    # Part D: watch lists and entries.
    path("lists/", list_views.list_list_view, name="list-list"),
    path("lists/new/", list_views.list_create_view, name="list-create"),
    path("lists/<int:pk>/", list_views.list_detail_view, name="list-detail"),
    path("lists/<int:pk>/members/", list_views.list_member_set_view, name="list-member-set"),
    path(
        "lists/<int:pk>/members/remove/",
        list_views.list_member_remove_view,
        name="list-member-remove",
    ),
    path("lists/<int:pk>/pause/", list_views.list_pause_view, name="list-pause"),
    path("lists/<int:pk>/resume/", list_views.list_resume_view, name="list-resume"),
    path("lists/<int:pk>/entries/", list_views.entry_add_view, name="entry-add"),
    path("entries/<int:pk>/renew/", list_views.entry_renew_view, name="entry-renew"),
    path("entries/<int:pk>/remove/", list_views.entry_remove_view, name="entry-remove"),
    path("watch/person/<int:pk>/", list_views.entry_add_person_view, name="entry-add-person"),
]
