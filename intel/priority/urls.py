"""Pages of priority offenders: candidates and score versions, designations and the list health
report, treatment rules, the brief."""

from django.urls import path  # noqa: F401  (each section below adds its paths)

from intel.priority.views import brief, treatment

urlpatterns: list = [
    # scoring: candidates, score versions
    # designations: propose, decide, renew, challenge, remove; list health; supervision; zones
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
