"""The dashboards pages (``/dashboards/…``)."""

from django.urls import path

from dashboards.views import map as map_views

app_name = "dashboards"

urlpatterns = [
    path("map/", map_views.crime_map_view, name="map"),
    path("map/hotspots.csv", map_views.hotspot_csv_view, name="hotspots-csv"),
]
