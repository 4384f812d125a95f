from django.urls import path
from rest_framework.routers import SimpleRouter

from intel.ingest.api import DataImportViewSet
from intel.priority.api import PersonPriorityScoreApi

router = SimpleRouter()
router.register("imports", DataImportViewSet, basename="import")

urlpatterns = [
    *router.urls,
    path(
        "people/<int:pk>/priority-score/",
        PersonPriorityScoreApi.as_view(),
        name="person-priority-score",
    ),
]
