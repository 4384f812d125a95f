"""``/api/v1/alerts/`` (mounted by ``csu.api.urls``)."""

from rest_framework.routers import SimpleRouter

from alerts.api.views import AlertViewSet

router = SimpleRouter()
router.register("alerts", AlertViewSet, basename="alert")

urlpatterns = router.urls
