"""Analysis results are precomputed and kept between requests, and never served once the
records they counted have changed, nor to someone who sees other records."""

from __future__ import annotations

import io
import time
from datetime import date, timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from csu.actors import system_actor
from dashboards.analysis.cache import cache_key, data_version
from dashboards.analysis.compstat import compstat_list
from dashboards.analysis.trends import TrendFilter, trend_list
from dashboards.precompute import analysis_precompute, audiences
from intel.ingest.rollback import import_rollback
from intel.models import DataImport
from tests.dashboards.records import at, plant_incidents
from tests.factories import IncidentFactory, ZoneFactory, ZoneLayerFactory
from tests.intel.test_imports import REAL, run_cli

AS_OF = date(2025, 5, 7)


def _incident_reads(read) -> tuple[object, int]:  # type: ignore[no-untyped-def]
    """The result of ``read()`` and how many of its queries read the incidents table."""
    with CaptureQueriesContext(connection) as captured:
        result = read()
    return result, sum("intel_incident" in q["sql"] for q in captured.captured_queries)


def _total(analyst) -> int:  # type: ignore[no-untyped-def]
    points = trend_list(actor=analyst, where=TrendFilter(), interval="week", as_of=AS_OF)
    return sum(p.total for p in points)


@pytest.mark.django_db
def test_a_result_is_served_from_the_cache_until_a_record_is_saved(analyst) -> None:  # type: ignore[no-untyped-def]
    layer = ZoneLayerFactory(name="precincts")
    zone = ZoneFactory(layer=layer, key="P1")
    plant_incidents(3, day=AS_OF, zone=zone, category="violent")

    def read():  # type: ignore[no-untyped-def]
        return compstat_list(actor=analyst, layer="precincts", as_of=AS_OF)

    first, counted = _incident_reads(read)
    again, recounted = _incident_reads(read)
    assert counted == 1 and recounted == 0
    assert again == first and first[0].d28 == 3

    # One record saved through the ORM (the admin, a service): the table is counted afresh.
    IncidentFactory(zone=zone, category="violent", occurred_at=at(AS_OF))
    after, counted = _incident_reads(read)
    assert counted == 1 and after[0].d28 == 4


@pytest.mark.django_db
def test_an_import_and_its_rollback_each_make_the_analysis_recount(analyst, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Imports write with COPY, not the ORM: the import itself says the records changed."""
    path = tmp_path / "chicago.csv"
    lines = (REAL / "chicago_incidents.csv").read_text(encoding="utf-8-sig").splitlines()
    path.write_text("\n".join(lines[:201]) + "\n")
    as_of = timezone.localdate()

    def total() -> int:
        points = trend_list(actor=analyst, where=TrendFilter(), interval="month", as_of=as_of)
        return sum(p.total + p.prior for p in points)

    before = total()
    version = data_version()
    result = run_cli(path, "incidents", "CPD")
    assert data_version() != version
    imported = total()
    assert imported > before  # the extract's dates fall in the two years shown

    import_rollback(
        actor=system_actor(), data_import=DataImport.objects.get(pk=result["import_id"])
    )
    assert total() == before


@pytest.mark.django_db
def test_a_result_is_never_served_to_someone_who_sees_other_records(analyst, admin_user) -> None:  # type: ignore[no-untyped-def]
    plant_incidents(4, day=AS_OF)
    assert _total(analyst) == 4
    # The admin role does not read police records: the analyst's cached count is not theirs.
    assert _total(admin_user) == 0
    where = {"where": TrendFilter(), "interval": "week", "as_of": AS_OF}
    assert cache_key("trend", analyst, where) != cache_key("trend", admin_user, where)


@pytest.mark.django_db
def test_actors_who_see_the_same_records_share_one_result(analyst, make_user) -> None:  # type: ignore[no-untyped-def]
    plant_incidents(2, day=AS_OF)
    other = make_user("analyst", "second.analyst")
    assert _total(analyst) == 2
    total, counted = _incident_reads(lambda: _total(other))
    assert (total, counted) == (2, 0)


@pytest.mark.django_db
def test_the_precompute_fills_what_the_pages_ask_for(supervisor, analyst, client_for) -> None:  # type: ignore[no-untyped-def]
    layer = ZoneLayerFactory(name="precincts")
    zone = ZoneFactory(layer=layer, key="P1")
    today = timezone.localdate()
    for back in (0, 3, 40, 364):
        plant_incidents(2, day=today - timedelta(days=back), zone=zone, category="violent")

    done = analysis_precompute()

    # Analysts and supervisors see the same records: one audience, computed once.
    assert done.audiences == 1 and done.layers == 1
    assert done.by_name == {
        "trend": 2,
        "compstat_list": 1,
        "compstat_totals": 1,
        "spike_list": 1,
        "gunstat": 1,
        "crime_map": 1,
    }
    assert [u.pk for u in audiences()] == [min(analyst.pk, supervisor.pk)]
    client = client_for(supervisor)
    for url in ("/dashboards/trends/", "/dashboards/map/", "/dashboards/gunstat/"):
        response, counted = _incident_reads(lambda url=url: client.get(url))
        assert response.status_code == 200, url
        # The page reads stored results: not one query reads the incidents table.
        assert counted == 0, url
    page = client.get("/dashboards/trends/").content.decode()
    assert "P1" in page


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_precomputes_the_pages_after_an_import_commits(  # type: ignore[no-untyped-def]
    worker, analyst, supervisor
) -> None:
    from intel.ingest.services import import_queue, import_upload

    ZoneFactory(layer=ZoneLayerFactory(name="precincts"), key="P1")
    lines = (REAL / "chicago_incidents.csv").read_text(encoding="utf-8-sig").splitlines()
    data_import = import_upload(
        actor=analyst,
        source=io.BytesIO(("\n".join(lines[:101]) + "\n").encode()),
        original_name="chicago.csv",
        kind="incidents",
        agency_name="CPD",
    )
    import_queue(actor=analyst, data_import=data_import)

    today = timezone.localdate()
    deadline = time.monotonic() + 120
    stored = False
    while time.monotonic() < deadline and not stored:
        time.sleep(0.5)
        data_import.refresh_from_db()
        if data_import.status != DataImport.Status.SUCCEEDED:
            continue
        key = cache_key("compstat", analyst, {"layer": "precincts", "as_of": today})
        stored = cache.get(key) is not None
    assert stored, worker[1].log_path.read_text()[-3000:]
    rows, counted = _incident_reads(
        lambda: compstat_list(actor=supervisor, layer="precincts", as_of=today)
    )
    assert counted == 0 and isinstance(rows, list)
