"""``/api/v1/analysis/…`` (mounted by ``csu.api.urls``)."""

from django.urls import path

from dashboards.api.views import CompStatApi, HotspotApi, SpikeApi

urlpatterns = [
    path("analysis/compstat/", CompStatApi.as_view(), name="analysis-compstat"),
    path("analysis/spikes/", SpikeApi.as_view(), name="analysis-spikes"),
    path("analysis/hotspots/", HotspotApi.as_view(), name="analysis-hotspots"),
]
