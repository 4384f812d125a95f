"""Crime analysis for supervisors (issue 11) with ``CSU_BENCH_ANALYSIS_ROWS`` incidents
(default 1,000,000; ``bench/analysis_data.py``), served by gunicorn on loopback as in
production, against the raw SQL aggregate that computes the same counts, measured in the same
run:

- the CompStat and hotspot API calls, and the trends and map pages where they exist: p50 and
  p95 over 10 concurrent clients (keep-alive connections, ``REQUESTS`` calls each), against the
  same SQL aggregate run by 10 concurrent database connections. Target: p95 <= 2x that SQL.
- hotspots for the whole jurisdiction (every incident of three years) end to end, one client.
  Target: <= 3 s.
- the Gi* step (weights from H3 adjacency, ``esda.G_Local``, the FDR correction) against
  calling ``esda.G_Local`` directly on the same cell counts and a prebuilt weights object.

Before the timed calls the worker's precompute runs as it does after an import commits
(``dashboards.precompute``); filters it does not precompute are computed by the first request
and served from the cache after it. The cold figures (the first request after the records
change, nothing cached) are printed beside them.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlencode

import psycopg
from django.db import connection

from bench.analysis_data import load
from bench.support import settings_report
from dashboards.analysis.cache import version_renew
from dashboards.precompute import analysis_precompute

ROWS = int(os.environ.get("CSU_BENCH_ANALYSIS_ROWS", "1000000"))
CLIENTS = 10
REQUESTS = int(os.environ.get("CSU_BENCH_ANALYSIS_REQUESTS", "5"))
PORT = int(os.environ.get("CSU_BENCH_PORT", "8765"))
WORKERS = 3  # gunicorn workers, as the compose file's web service runs
PASSWORD = "Bench-analysis-2026!"  # noqa: S105 - a throwaway account in the bench database


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered), p95


def _concurrently(call: Callable[[int], None]) -> list[float]:
    """Each of CLIENTS threads makes REQUESTS calls in turn; the seconds of every call."""
    samples: list[float] = []
    lock = threading.Lock()
    errors: list[BaseException] = []

    def client(n: int) -> None:
        try:
            for _ in range(REQUESTS):
                started = time.perf_counter()
                call(n)
                with lock:
                    samples.append(time.perf_counter() - started)
        except BaseException as exc:  # reported after the threads end
            errors.append(exc)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    return samples


def _database_url() -> str:
    s = connection.settings_dict
    host = s["HOST"] or "127.0.0.1"
    return f"postgresql://{s['USER'] or 'root'}@{host}:{s['PORT'] or 5432}/{s['NAME']}"


class _Server:
    """gunicorn on loopback over the bench database, as the web service runs in production."""

    def __init__(self) -> None:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "csu.settings.local",
            "DATABASE_URL": _database_url(),
            "CSU_MFA_REQUIRED": "false",
            "CSU_API_THROTTLE_USER": "1000000/hour",
            "CSU_DB_APP_ROLE": "",
        }
        gunicorn = str(Path(sys.executable).parent / "gunicorn")
        self.process = subprocess.Popen(  # noqa: S603 - our own gunicorn, fixed arguments
            [
                gunicorn,
                "csu.wsgi:application",
                "-w",
                str(WORKERS),
                "-b",
                f"127.0.0.1:{PORT}",
                "--log-level",
                "warning",
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for _ in range(150):
            try:
                self.get("/healthz")
                return
            except OSError:
                if self.process.poll() is not None:
                    break
                time.sleep(0.2)
        self.process.kill()
        _out, err = self.process.communicate()
        raise RuntimeError(f"gunicorn did not start: {err.decode()[-2000:]}")

    def get(
        self, path: str, headers: dict[str, str] | None = None
    ) -> tuple[int, bytes, dict[str, str]]:
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=120)
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        body = response.read()
        conn.close()
        return response.status, body, dict(response.getheaders())

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def _session_cookie(server: _Server, username: str) -> str:
    """Sign in through the login form (the demo's password-only mode) and return the cookies."""
    status, body, headers = server.get("/accounts/login/")
    cookies = headers.get("Set-Cookie", "")
    csrf = re.search(r"csrftoken=([^;]+)", cookies)
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    assert status == 200 and csrf and token, "login page"
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
    form = urlencode(
        {
            "username": username,
            "password": PASSWORD,
            "acknowledge_banner": "on",
            "csrfmiddlewaretoken": token.group(1).decode(),
        }
    )
    conn.request(
        "POST",
        "/accounts/login/",
        body=form,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={csrf.group(1)}",
            "Referer": f"http://127.0.0.1:{PORT}/accounts/login/",
        },
    )
    response = conn.getresponse()
    response.read()
    session = re.search(r"sessionid=([^;]+)", response.getheader("Set-Cookie") or "")
    assert response.status == 302 and session, f"sign-in: {response.status}"
    return f"csrftoken={csrf.group(1)}; sessionid={session.group(1)}"


def _http_calls(path: str, headers: dict[str, str]) -> list[float]:
    """Warm every worker up (imports, connections), then the timed concurrent calls."""
    connections: dict[int, http.client.HTTPConnection] = {}
    for _ in range(WORKERS * 2):
        warm = http.client.HTTPConnection("127.0.0.1", PORT, timeout=120)
        warm.request("GET", path, headers=headers)
        warm.getresponse().read()
        warm.close()

    def call(n: int) -> None:
        conn = connections.setdefault(n, http.client.HTTPConnection("127.0.0.1", PORT, timeout=120))
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        response.read()
        if response.status != 200:
            raise RuntimeError(f"{path}: HTTP {response.status}")

    try:
        return _concurrently(call)
    finally:
        for conn in connections.values():
            conn.close()


def _sql_calls(sql: str, params: list[object]) -> list[float]:
    url = _database_url()
    conns = {n: psycopg.connect(url) for n in range(CLIENTS)}

    def call(n: int) -> None:
        with conns[n].cursor() as cur:
            cur.execute(sql, params)  # type: ignore[arg-type]
            cur.fetchall()

    try:
        return _concurrently(call)
    finally:
        for conn in conns.values():
            conn.close()


COMPSTAT_SQL = """
SELECT z.key, z.name, i.category,
       count(*) FILTER (WHERE i.occurred_at >= %(wtd0)s AND i.occurred_at < %(end)s),
       count(*) FILTER (WHERE i.occurred_at >= %(wtd0p)s AND i.occurred_at < %(endp)s),
       count(*) FILTER (WHERE i.occurred_at >= %(d0)s AND i.occurred_at < %(end)s),
       count(*) FILTER (WHERE i.occurred_at >= %(d0p)s AND i.occurred_at < %(d28endp)s),
       count(*) FILTER (WHERE i.occurred_at >= %(y0)s AND i.occurred_at < %(end)s),
       count(*) FILTER (WHERE i.occurred_at >= %(y0p)s AND i.occurred_at < %(yendp)s)
  FROM intel_incident i JOIN intel_zone z ON z.id = i.zone_id
 WHERE z.layer_id = %(layer)s AND i.occurred_at >= %(y0p)s AND i.occurred_at < %(end)s
 GROUP BY 1, 2, 3 ORDER BY 1, 3
"""

HOTSPOT_SQL = """
SELECT h3_r9, count(*) FROM intel_incident
 WHERE occurred_at >= %(first)s AND occurred_at < %(end)s AND geocode_quality = 'ok'
   AND category = 'violent' AND firearm
 GROUP BY h3_r9
"""


def _compstat_params(as_of: date, layer_id: int) -> dict[str, object]:
    """The CompStat windows as the bounds the raw SQL takes (local midnights)."""
    from dashboards.analysis.periods import compstat_windows

    w = compstat_windows(as_of)
    return {
        "layer": layer_id,
        "wtd0": w["wtd"].start,
        "end": w["wtd"].end,
        "wtd0p": w["wtd_prior"].start,
        "endp": w["wtd_prior"].end,
        "d0": w["d28"].start,
        "d0p": w["d28_prior"].start,
        "d28endp": w["d28_prior"].end,
        "y0": w["ytd"].start,
        "y0p": w["ytd_prior"].start,
        "yendp": w["ytd_prior"].end,
    }


def _line(label: str, ours: list[float], sql: list[float]) -> dict[str, float]:
    p50, p95 = _percentiles(ours)
    s50, s95 = _percentiles(sql)
    ratio = p95 / s95
    print(
        f"   {label:<22} p50 {p50 * 1000:8.1f} ms  p95 {p95 * 1000:8.1f} ms  | raw SQL p50 "
        f"{s50 * 1000:7.1f} ms  p95 {s95 * 1000:7.1f} ms  | p95 ratio {ratio:5.2f}x "
        f"({'meets' if ratio <= 2 else 'misses'} <= 2x)"
    )
    return {"p50": p50, "p95": p95, "sql_p95": s95, "ratio": ratio}


def _gi_step(cells: list[str], counts: list[int]) -> dict[str, float]:
    import h3
    from esda.getisord import G_Local
    from libpysal.weights import W

    from bench.support import best_of
    from dashboards.analysis.getis_ord import gi_star

    inside = set(cells)
    w = W(
        {c: [o for o in h3.grid_disk(c, 1) if o != c and o in inside] for c in cells},
        id_order=cells,
        silence_warnings=True,
    )
    import numpy as np

    y = np.asarray(counts, dtype=float)
    ours = best_of(3, lambda: gi_star(cells, counts))
    bare = best_of(3, lambda: G_Local(y, w, transform="B", star=True, permutations=0))
    print(
        f"   Gi* step on {len(cells):,} cells: ours {ours * 1000:.0f} ms (weights + G_Local + "
        f"FDR) | esda.G_Local alone {bare * 1000:.0f} ms | ratio {ours / bare:.2f}x"
    )
    return {"ours": ours, "esda": bare, "ratio": ours / bare}


def run() -> dict[str, object]:
    from csu.actors import system_actor
    from csu.services import user_create
    from intel.models import ZoneLayer

    started = time.perf_counter()
    data = load(ROWS)
    print(f"   loaded {ROWS:,} incidents in {time.perf_counter() - started:.1f} s")
    print(f"   {settings_report()}")
    user, _ = user_create(
        actor=system_actor(), username="bench.supervisor", password=PASSWORD, role="supervisor"
    )
    from csu.models import ApiToken

    _token, key = ApiToken.objects.create(user, expiry=timedelta(hours=2), name="bench")
    layer = ZoneLayer.objects.get(name=str(data["layer"]))
    as_of: date = data["last"]  # type: ignore[assignment]
    first_90 = as_of - timedelta(days=89)
    results: dict[str, object] = {}
    # The records were just loaded: what the worker does after an import commits.
    version_renew()
    started = time.perf_counter()
    done = analysis_precompute(as_of=as_of)
    print(
        f"   precompute (the worker, after the load): {done.results} results for "
        f"{done.audiences} audience(s) and {done.layers} layer(s) in "
        f"{time.perf_counter() - started:.1f} s"
    )
    server = _Server()
    try:
        api = {"Authorization": f"Token {key}"}
        compstat = f"/api/v1/analysis/compstat/?{urlencode({'layer': layer.name, 'as_of': as_of})}"
        compstat_sql = _sql_calls(COMPSTAT_SQL, _compstat_params(as_of, layer.pk))  # type: ignore[arg-type]
        results["compstat_api"] = _line("CompStat API", _http_calls(compstat, api), compstat_sql)
        hot = {
            "from": first_90,
            "to": as_of,
            "category": "violent",
            "firearm": "true",
            "resolution": 8,
            "confidence": 0.95,
        }
        hotspots = f"/api/v1/analysis/hotspots/?{urlencode(hot)}"
        from dashboards.analysis.periods import Window

        span = Window(first_90, as_of)
        hot_params = {"first": span.start, "end": span.end}
        hot_sql = _sql_calls(HOTSPOT_SQL, hot_params)  # type: ignore[arg-type]
        results["hotspots_api"] = _line("Hotspots API (90 d)", _http_calls(hotspots, api), hot_sql)
        cookie = {"Cookie": _session_cookie(server, user.username)}
        pages = {
            "Trends page": (
                "/dashboards/trends/",
                {"layer": layer.name, "as_of": as_of},
                compstat_sql,
            ),
            "Map page (90 d)": (
                "/dashboards/map/",
                {"from": first_90, "to": as_of, "category": "violent", "firearm": "true"},
                hot_sql,
            ),
        }
        for label, (path, query, sql) in pages.items():
            url = f"{path}?{urlencode(query)}"
            results[label] = _line(label, _http_calls(url, cookie), sql)
        # Cold: the first request after the records change, before the worker has precomputed
        # anything (or for filters it never precomputes), one client.
        cold = {
            "CompStat API": (compstat, api),
            "Hotspots API (90 d)": (hotspots, api),
            **{label: (f"{p}?{urlencode(q)}", cookie) for label, (p, q, _s) in pages.items()},
        }
        for label, (url, headers) in cold.items():
            version_renew()
            started = time.perf_counter()
            status, _body, _h = server.get(url, headers)
            seconds = time.perf_counter() - started
            assert status == 200, f"{url}: HTTP {status}"
            print(f"   {label:<22} cold (nothing cached, one client): {seconds * 1000:8.1f} ms")
            results[f"{label} cold_s"] = seconds
        whole = {"from": data["first"], "to": as_of, "resolution": 8}
        started = time.perf_counter()
        status, body, _h = server.get(f"/api/v1/analysis/hotspots/?{urlencode(whole)}", api)
        seconds = time.perf_counter() - started
        collection = json.loads(body)
        features = collection["features"]
        classes = [f["properties"]["class"] for f in features]
        print(
            f"   hotspots, whole jurisdiction ({ROWS:,} incidents, {len(features):,} cells, "
            f"{classes.count('hot')} hot, {classes.count('cold')} cold): {seconds:.2f} s end to "
            f"end ({'meets' if seconds <= 3 else 'misses'} <= 3 s)"
        )
        results["whole_hotspots_s"] = seconds
        cells = [f["properties"]["h3"] for f in features]
        counts = [f["properties"]["count"] for f in features]
        results["gi_step"] = _gi_step(cells, counts)
    finally:
        server.stop()
    return results
