"""The intel app's pages, one ``urls.py`` per domain package, all under the ``intel:`` namespace
(``intel:person-detail`` and so on), in the order they were always matched."""

from intel.ingest import urls as ingest_urls
from intel.intelligence import urls as intelligence_urls
from intel.people import urls as people_urls
from intel.priority import urls as priority_urls
from intel.records import urls as records_urls

app_name = "intel"

urlpatterns = [
    *records_urls.urlpatterns,
    *ingest_urls.urlpatterns,
    *people_urls.urlpatterns,
    *intelligence_urls.urlpatterns,
    *priority_urls.urlpatterns,
]
