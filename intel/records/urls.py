"""Pages of the records package: boundary layers and the offense lookup."""

from django.urls import path

from intel.records import views

urlpatterns = [
    path("boundaries/", views.boundary_layer_list_view, name="boundary-list"),
    path("offenses/", views.offense_mapping_list_view, name="offense-list"),
]
