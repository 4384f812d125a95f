"""Pages of priority offenders: candidates and score versions, designations and the list health
report, treatment rules, the brief."""

from django.urls import path  # noqa: F401  (each section below adds its paths)

urlpatterns: list = [
    # scoring: candidates, score versions
    # designations: propose, decide, renew, challenge, remove; list health; supervision; zones
    # brief: HTML and PDF; treatment rules
]
