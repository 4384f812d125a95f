from django.urls import path

from intel.views import boundaries, imports, offenses
from intel.views import challenges as challenge_views
from intel.views import groups as group_views
from intel.views import intelligence as intel_views
from intel.views import network as network_views
from intel.views import people as people_views

app_name = "intel"

urlpatterns = [
    path("boundaries/", boundaries.boundary_layer_list_view, name="boundary-list"),
    path("offenses/", offenses.offense_mapping_list_view, name="offense-list"),
    path("imports/", imports.import_list_view, name="import-list"),
    path("imports/<int:pk>/", imports.import_detail_view, name="import-detail"),
    path("imports/<int:pk>/start/", imports.import_start_view, name="import-start"),
    path("imports/<int:pk>/progress/", imports.import_progress_view, name="import-progress"),
    path("imports/<int:pk>/rejects.csv", imports.import_rejects_view, name="import-rejects"),
    path("imports/<int:pk>/rollback/", imports.import_rollback_view, name="import-rollback"),
    path("people/", people_views.person_list_view, name="person-list"),
    path("people/<int:pk>/", people_views.person_detail_view, name="person-detail"),
    path("people/<int:pk>/merge/", people_views.person_merge_view, name="person-merge"),
    path("people/merges/<int:pk>/unmerge/", people_views.person_unmerge_view,
         name="person-unmerge"),
    path("people/matches/", people_views.match_list_view, name="match-list"),
    path("people/matches/<int:pk>/link/", people_views.match_link_view, name="match-link"),
    path("people/matches/<int:pk>/reject/", people_views.match_reject_view, name="match-reject"),
    path("people/matches/arrests/<int:pk>/new-person/", people_views.match_new_person_view,
         name="match-new-person"),
    path("people/<int:pk>/network/", network_views.person_network_view, name="person-network"),
    path("groups/", group_views.group_list_view, name="group-list"),
    path("groups/new/", group_views.group_create_view, name="group-create"),
    path("groups/<int:pk>/", group_views.group_detail_view, name="group-detail"),
    path("groups/<int:pk>/members/new/", group_views.membership_submit_view,
         name="membership-submit"),
    path("groups/memberships/<int:pk>/approve/", group_views.membership_approve_view,
         name="membership-approve"),
    path("groups/memberships/<int:pk>/remove/", group_views.membership_remove_view,
         name="membership-remove"),
    path("challenges/", challenge_views.challenge_list_view, name="challenge-list"),
    path("challenges/new/", challenge_views.challenge_file_view, name="challenge-file"),
    path("challenges/<int:pk>/", challenge_views.challenge_detail_view,
         name="challenge-detail"),
    path("challenges/<int:pk>/decide/", challenge_views.challenge_decide_view,
         name="challenge-decide"),
    path("records/", intel_views.intel_record_list_view, name="record-list"),
    path("records/new/", intel_views.intel_record_create_view, name="record-create"),
    path("records/export/", intel_views.intel_record_export_view, name="record-export"),
    path("records/<int:pk>/", intel_views.intel_record_detail_view, name="record-detail"),
    path("records/<int:pk>/submit/", intel_views.intel_record_submit_view, name="record-submit"),
    path("records/<int:pk>/approve/", intel_views.intel_record_approve_view,
         name="record-approve"),
    path("records/<int:pk>/revalidate/", intel_views.intel_record_revalidate_view,
         name="record-revalidate"),
    path("records/<int:pk>/purge/", intel_views.intel_record_purge_view, name="record-purge"),
    path("records/<int:pk>/share/", intel_views.intel_record_share_view, name="record-share"),
    path("records/<int:pk>/identifiers/", intel_views.intel_identifier_add_view,
         name="record-identifier-add"),
    path("records/<int:pk>/readers/", intel_views.intel_record_grant_view, name="record-grant"),
    path("records/<int:pk>/readers/revoke/", intel_views.intel_record_revoke_view,
         name="record-revoke"),
]
