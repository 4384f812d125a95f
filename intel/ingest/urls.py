"""Pages of imports: upload, map, run, follow, reject list and rollback."""

from django.urls import path

from intel.ingest import views

urlpatterns = [
    path("imports/", views.import_list_view, name="import-list"),
    path("imports/<int:pk>/", views.import_detail_view, name="import-detail"),
    path("imports/<int:pk>/start/", views.import_start_view, name="import-start"),
    path("imports/<int:pk>/progress/", views.import_progress_view, name="import-progress"),
    path("imports/<int:pk>/rejects.csv", views.import_rejects_view, name="import-rejects"),
    path("imports/<int:pk>/rollback/", views.import_rollback_view, name="import-rollback"),
]
