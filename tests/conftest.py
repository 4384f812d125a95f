"""Shared test infrastructure: real PostgreSQL and Redis, personas for every role, sign-in helpers.

Personas sign in the way people do (password + banner, then a real TOTP code) via ``sign_in``;
``client_for(persona)`` gives a client that has done so.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from csu.append_only import APPEND_ONLY_TABLES
from csu.embedded import ensure_services

ARTIFACTS = Path(os.environ.get("CSU_ARTIFACTS_DIR") or Path(__file__).parent.parent / "artifacts")
PASSWORD = "correct horse battery staple for tests"  # noqa: S105


def pytest_configure(config: pytest.Config) -> None:
    ensure_services()  # the embedded servers, when DATABASE_URL/REDIS_URL are not set


@pytest.fixture(autouse=True, scope="session")
def _audit_flush_allowed() -> None:
    """Transactional tests end with a TRUNCATE of every table, which the audit trigger refuses
    (as it should). Only the table owner may lift it, for that statement, as here."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    original = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):  # type: ignore[no-untyped-def]
        statements = original(
            self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
        )
        guarded = [t for t in APPEND_ONLY_TABLES if t in tables]
        return [
            *(f"ALTER TABLE {t} DISABLE TRIGGER {t}_no_truncate" for t in guarded),
            *statements,
            *(f"ALTER TABLE {t} ENABLE ALWAYS TRIGGER {t}_no_truncate" for t in guarded),
        ]

    DatabaseOperations.sql_flush = sql_flush  # type: ignore[method-assign]


@pytest.fixture(autouse=True)
def _throttle_counters_cleared() -> None:
    """Sign-in and API throttle counters (``csu.throttle``, ``csu.api.throttling``) live in Redis,
    which outlives a test and a run: each test starts with none, so the many tests that sign in
    from 127.0.0.1 never throttle one another."""
    from django.core.cache import cache

    client = cache._cache.get_client(write=True)  # type: ignore[attr-defined]
    for key in client.scan_iter(match=cache.make_key("throttle:*"), count=1000):
        client.delete(key)


@pytest.fixture(autouse=True)
def _analysis_results_fresh() -> None:
    """Each test starts on a new analysis data version: a result cached by an earlier test
    (whose records were rolled back) is never served to this one."""
    from dashboards.analysis.cache import version_renew

    version_renew()


@pytest.fixture
def make_user(db: None) -> Callable[..., object]:
    from csu.actors import system_actor
    from csu.services import user_create

    counter = {"n": 0}

    def make(role: str, username: str | None = None, **extra: object) -> object:
        counter["n"] += 1
        user, _enrolment_code = user_create(
            actor=system_actor(),
            username=username or f"{role}{counter['n']}",
            password=PASSWORD,
            role=role,
            first_name=role.title(),
            last_name=f"Tester{counter['n']}",
            **extra,
        )
        return user

    return make


@pytest.fixture
def prosecutor(make_user):  # type: ignore[no-untyped-def]
    return make_user("prosecutor", "pat.prosecutor")


@pytest.fixture
def analyst(make_user):  # type: ignore[no-untyped-def]
    return make_user("analyst", "ann.analyst")


@pytest.fixture
def supervisor(make_user):  # type: ignore[no-untyped-def]
    return make_user("supervisor", "sam.supervisor")


@pytest.fixture
def admin_user(make_user):  # type: ignore[no-untyped-def]
    return make_user("admin", "ada.admin")


@pytest.fixture
def analysis_layer(db: None) -> object:
    """The boundary layer the permission matrix's analysis endpoints group by."""
    from intel.models import ZoneLayer
    from tests.permission_matrix import ANALYSIS_LAYER

    return ZoneLayer.objects.create(name=ANALYSIS_LAYER, label="Matrix precincts")


@pytest.fixture
def personas(prosecutor, analyst, supervisor, admin_user):  # type: ignore[no-untyped-def]
    return {
        "prosecutor": prosecutor,
        "analyst": analyst,
        "supervisor": supervisor,
        "admin": admin_user,
    }


def totp_device(user):  # type: ignore[no-untyped-def]
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device, _ = TOTPDevice.objects.get_or_create(
        user=user, confirmed=True, defaults={"name": "Test app"}
    )
    return device


def current_code(device, offset_steps: int = 0) -> str:  # type: ignore[no-untyped-def]
    from django_otp.oath import TOTP

    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = totp.time + offset_steps * device.step
    return f"{totp.token():0{device.digits}d}"


def password_step(  # type: ignore[no-untyped-def]
    client: Client, username: str, password: str = PASSWORD, ip: str = "127.0.0.1", **extra: str
):
    data = {"username": username, "password": password, "acknowledge_banner": "on", **extra}
    return client.post(reverse("csu:login"), data, REMOTE_ADDR=ip)


def sign_in(client: Client, user) -> Client:  # type: ignore[no-untyped-def]
    """Password + banner, then a fresh TOTP code: a fully verified session.

    A code is accepted once; tests that sign the same user in several times within one
    30-second step would trip replay protection, which ``test_a_used_code_cannot_be_replayed``
    tests on its own. So the helper forgets the device's last used step first.
    """
    device = totp_device(user)
    response = password_step(client, user.username)
    assert response.status_code == 302 and response["Location"] == reverse("csu:mfa"), response
    device.refresh_from_db()
    device.last_t, device.drift = -1, 0
    device.save(update_fields=["last_t", "drift"])
    response = client.post(reverse("csu:mfa"), {"otp_token": current_code(device)})
    assert response.status_code == 302, response.content[:500]
    return client


@pytest.fixture
def client_for(db: None) -> Callable[[object], Client]:
    def make(user: object) -> Client:
        return sign_in(Client(), user)

    return make


def _database_url(user: str | None = None, password: str | None = None) -> str:
    s = connection.settings_dict
    user = user or s["USER"] or "postgres"
    login = f"{user}:{password}" if password else user
    if s["HOST"].startswith("/"):  # a unix socket directory (the embedded server)
        return f"postgresql://{login}@{quote(s['HOST'], safe='')}/{s['NAME']}"
    return f"postgresql://{login}@{s['HOST']}:{s['PORT'] or 5432}/{s['NAME']}"


APP_ROLE = "csu_app_test"
APP_ROLE_PASSWORD = "csu-app-test-only"  # noqa: S105


@pytest.fixture(autouse=True, scope="session")
def app_role_database_url(request, django_db_setup, django_db_blocker) -> str | None:  # type: ignore[no-untyped-def]
    """The test database as the application role (``csu.dbroles``), the role production's web,
    workers and beat use. The main test connection stays the owner (flushes need it); the
    ``worker`` fixture's Celery worker and the tamper tests connect as this role."""
    from django.db import DatabaseError
    from pytest_django.fixtures import _get_databases_for_setup

    from csu.dbroles import app_role_grant

    if "default" not in _get_databases_for_setup(request.session.items)[0]:
        return None  # no test in this run uses the database, so none was set up
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [APP_ROLE])
        if cursor.fetchone() is None:
            try:  # roles are per cluster: another test run may create it at the same moment
                cursor.execute(
                    f"CREATE ROLE {APP_ROLE} LOGIN NOSUPERUSER NOCREATEDB "
                    f"NOCREATEROLE PASSWORD '{APP_ROLE_PASSWORD}'"
                )
            except DatabaseError:
                cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [APP_ROLE])
                if cursor.fetchone() is None:
                    raise
        app_role_grant(role=APP_ROLE)
    return _database_url(APP_ROLE, APP_ROLE_PASSWORD)


@pytest.fixture
def worker_env() -> dict[str, str]:
    """Extra environment for the ``worker`` fixture's process: a test module overrides this
    fixture (e-mail into files, say)."""
    return {}


def start_worker(queue: str, database_url: str, extra_env: dict[str, str]) -> subprocess.Popen:
    """Start a real Celery worker process on ``queue`` plus the application's queues."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "csu.settings.test",
        "DATABASE_URL": database_url,
        **extra_env,
    }
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    log_path = ARTIFACTS / f"worker-{queue}-{uuid.uuid4().hex[:4]}.log"
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "csu",
                "worker",
                "-Q",
                f"{queue},default,imports,analysis,alerts",
                "--concurrency",
                "1",
                "--pool",
                "prefork",
                "-n",
                f"{queue}-{uuid.uuid4().hex[:4]}@%h",
                "-l",
                "warning",
                "--without-gossip",
                "--without-mingle",
            ],
            cwd=Path(__file__).resolve().parent.parent,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    proc.log_path = log_path  # type: ignore[attr-defined]
    return proc


def stop_worker(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture
def worker(app_role_database_url: str, worker_env: dict[str, str]):  # type: ignore[no-untyped-def]
    """A real Celery worker process, against the test database as the application role, on a
    queue of its own plus the application's queues (imports, analysis, alerts...)."""
    queue = f"test-{uuid.uuid4().hex[:8]}"
    proc = start_worker(queue, app_role_database_url, worker_env)
    try:
        yield queue, proc
    finally:
        stop_worker(proc)


@pytest.fixture
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
