"""Pages of priority offenders: candidates and score versions, designations and the list health
report, treatment rules, the brief."""

from django.urls import path

from intel.priority.views import brief, scores, treatment
from intel.priority.views import designations as designation_views
from intel.priority.views import oversight as oversight_views

urlpatterns: list = [
    # scoring: candidates, score versions
    path("priority/candidates/", scores.candidate_list_view, name="candidate-list"),
    path("priority/scores/", scores.score_config_list_view, name="score-config-list"),
    path("priority/scores/new/", scores.score_config_create_view, name="score-config-create"),
    # designations: propose, decide, renew, challenge, remove; list health; supervision; zones
    path(
        "people/<int:pk>/designate/",
        designation_views.designation_propose_view,
        name="designation-propose",
    ),
    path(
        "people/<int:pk>/priority/",
        designation_views.person_priority_panel_view,
        name="person-priority",
    ),
    path(
        "priority/designations/",
        designation_views.designation_list_view,
        name="designation-list",
    ),
    path(
        "priority/designations/<int:pk>/",
        designation_views.designation_detail_view,
        name="designation-detail",
    ),
    *(
        path(f"priority/designations/<int:pk>/{slug}/", view, name=f"designation-{slug}")
        for slug, view in (
            ("approve", designation_views.designation_approve_view),
            ("reject", designation_views.designation_reject_view),
            ("renewal-request", designation_views.designation_renewal_request_view),
            ("renew", designation_views.designation_renew_view),
            ("renewal-refuse", designation_views.designation_renewal_refuse_view),
            ("challenge-record", designation_views.designation_challenge_record_view),
            ("challenge-decide", designation_views.designation_challenge_decide_view),
            ("remove", designation_views.designation_remove_view),
        )
    ),
    path("priority/health/", oversight_views.list_health_view, name="list-health"),
    path(
        "people/<int:pk>/supervision/new/",
        oversight_views.supervision_add_view,
        name="supervision-add",
    ),
    path("priority/zones/", oversight_views.zone_assignment_list_view, name="zone-assignment-list"),
    path(
        "priority/zones/<int:pk>/delete/",
        oversight_views.zone_assignment_delete_view,
        name="zone-assignment-delete",
    ),
    # brief: HTML and PDF; treatment rules
    path("people/<int:pk>/brief/", brief.person_brief_view, name="person-brief"),
    path("people/<int:pk>/brief.pdf", brief.person_brief_pdf_view, name="person-brief-pdf"),
    path(
        "people/<int:pk>/brief/printed/",
        brief.person_brief_printed_view,
        name="person-brief-printed",
    ),
    path(
        "priority/treatment-rules/",
        treatment.treatment_rule_list_view,
        name="treatment-rule-list",
    ),
    path(
        "priority/treatment-rules/new/",
        treatment.treatment_rule_create_view,
        name="treatment-rule-create",
    ),
    path(
        "priority/treatment-rules/<int:pk>/edit/",
        treatment.treatment_rule_edit_view,
        name="treatment-rule-edit",
    ),
]
