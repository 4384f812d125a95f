"""Pages of the 28 CFR Part 23 workflow: groups and memberships, challenges, intelligence
records."""

from django.urls import path

from intel.intelligence.views import challenges, groups, records

urlpatterns = [
    path("groups/", groups.group_list_view, name="group-list"),
    path("groups/new/", groups.group_create_view, name="group-create"),
    path("groups/<int:pk>/", groups.group_detail_view, name="group-detail"),
    path("groups/<int:pk>/members/new/", groups.membership_submit_view, name="membership-submit"),
    path(
        "groups/memberships/<int:pk>/approve/",
        groups.membership_approve_view,
        name="membership-approve",
    ),
    path(
        "groups/memberships/<int:pk>/remove/",
        groups.membership_remove_view,
        name="membership-remove",
    ),
    path("challenges/", challenges.challenge_list_view, name="challenge-list"),
    path("challenges/new/", challenges.challenge_file_view, name="challenge-file"),
    path("challenges/<int:pk>/", challenges.challenge_detail_view, name="challenge-detail"),
    path("challenges/<int:pk>/decide/", challenges.challenge_decide_view, name="challenge-decide"),
    path("records/", records.intel_record_list_view, name="record-list"),
    path("records/new/", records.intel_record_create_view, name="record-create"),
    path("records/export/", records.intel_record_export_view, name="record-export"),
    path("records/<int:pk>/", records.intel_record_detail_view, name="record-detail"),
    path("records/<int:pk>/submit/", records.intel_record_submit_view, name="record-submit"),
    path("records/<int:pk>/approve/", records.intel_record_approve_view, name="record-approve"),
    path(
        "records/<int:pk>/revalidate/",
        records.intel_record_revalidate_view,
        name="record-revalidate",
    ),
    path("records/<int:pk>/purge/", records.intel_record_purge_view, name="record-purge"),
    path("records/<int:pk>/share/", records.intel_record_share_view, name="record-share"),
    path(
        "records/<int:pk>/identifiers/",
        records.intel_identifier_add_view,
        name="record-identifier-add",
    ),
    path("records/<int:pk>/readers/", records.intel_record_grant_view, name="record-grant"),
    path(
        "records/<int:pk>/readers/revoke/", records.intel_record_revoke_view, name="record-revoke"
    ),
]
