"""The analysis pages under ``/dashboards/`` (``dashboards:`` namespace)."""

from django.urls import path

from dashboards.views import gunstat, timeline, trends
from dashboards.views import map as map_views

app_name = "dashboards"

urlpatterns = [
    path("map/", map_views.crime_map_view, name="map"),
    path("map/hotspots.csv", map_views.hotspot_csv_view, name="hotspots-csv"),
    path("trends/", trends.trends_view, name="trends"),
    path("trends/export/", trends.trends_csv_view, name="trends-csv"),
    path("compstat/export/", trends.compstat_csv_view, name="compstat-csv"),
    path("gunstat/", gunstat.gunstat_view, name="gunstat"),
    path("gunstat/export/", gunstat.gunstat_csv_view, name="gunstat-csv"),
    path("zones/<int:zone_id>/timeline/", timeline.zone_timeline_view, name="zone-timeline"),
]
