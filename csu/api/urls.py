"""``/api/v1/``: each app's API mounts here."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from csu.api.views import AuditEventViewSet, MeApi

router = DefaultRouter()
router.register("audit-events", AuditEventViewSet, basename="audit-event")

urlpatterns = [
    path("me/", MeApi.as_view(), name="api-me"),
    *router.urls,
    path("", include("intel.api_urls")),
    path("", include("dashboards.api.urls")),
    path("", include("alerts.api.urls")),
]
