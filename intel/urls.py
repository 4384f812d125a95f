from django.urls import path

from intel.views import boundaries, imports, offenses

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
]
