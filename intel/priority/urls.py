"""Pages of priority offenders: candidates and score versions, designations and the list health
report, treatment rules, the brief."""

from django.urls import path  # noqa: F401  (each section below adds its paths)

from intel.priority.views import scores

urlpatterns: list = [
    # scoring: candidates, score versions
    path("priority/candidates/", scores.candidate_list_view, name="candidate-list"),
    path("priority/scores/", scores.score_config_list_view, name="score-config-list"),
    path("priority/scores/new/", scores.score_config_create_view, name="score-config-create"),
    # designations: propose, decide, renew, challenge, remove; list health; supervision; zones
    # brief: HTML and PDF; treatment rules
]
