from rest_framework.routers import SimpleRouter

from intel.ingest.api import DataImportViewSet

router = SimpleRouter()
router.register("imports", DataImportViewSet, basename="import")

urlpatterns = router.urls
