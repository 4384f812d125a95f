"""Production settings, docker compose, offline assets, security headers."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
import yaml
from django.test import Client
from django.urls import reverse

ROOT = Path(__file__).resolve().parent.parent
PROD_ENV = {
    "DJANGO_SETTINGS_MODULE": "csu.settings.production",
    "DJANGO_SECRET_KEY": "x" * 64 + "-a-long-random-production-secret-for-the-check",
    "DJANGO_ALLOWED_HOSTS": "csu.example.gov",
    "DATABASE_URL": "postgres://csu@127.0.0.1:5432/csu",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
}


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "CSU_")) and k not in ("DATABASE_URL", "REDIS_URL")
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_the_deploy_check_with_no_warning() -> None:
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=PROD_ENV)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    "missing", ["DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL"]
)
def test_production_refuses_to_start_without_a_required_variable(missing: str) -> None:
    env = {k: v for k, v in PROD_ENV.items() if k != missing}

    result = _manage("check", env=env)

    assert result.returncode != 0
    assert f"The environment variable {missing} is required in production" in result.stderr


def test_production_refuses_mfa_switched_off() -> None:
    result = _manage("check", env={**PROD_ENV, "CSU_MFA_REQUIRED": "false"})

    assert result.returncode != 0 and "demo only" in result.stderr


def test_compose_defines_the_django_service_once_for_web_worker_and_beat() -> None:
    text = (ROOT / "docker-compose.yml").read_text()
    compose = yaml.safe_load(text)

    services = compose["services"]
    assert set(services) == {"migrate", "web", "worker", "beat", "db", "redis"}
    assert text.count("build: .") == 1
    for name in ("migrate", "web", "worker", "beat"):
        assert services[name]["build"] == "."
        assert services[name]["environment"]["DJANGO_SETTINGS_MODULE"] == "csu.settings.production"
        assert services[name]["depends_on"]["db"]["condition"] == "service_healthy"
    assert "gunicorn" in services["web"]["command"]
    assert "celery -A csu worker" in services["worker"]["command"]
    assert "celery -A csu beat" in services["beat"]["command"]
    assert "pg_isready" in " ".join(services["db"]["healthcheck"]["test"])


EXTERNAL = re.compile(r"""(?:src|href|url)\s*[=(]\s*["']?\s*(?:https?:)?//""", re.IGNORECASE)


def test_no_template_or_static_file_references_an_external_host() -> None:
    offenders = []
    for folder in ("templates", "static"):
        for path in (ROOT / folder).rglob("*"):
            text_asset = path.is_file() and path.suffix in {".html", ".css", ".js", ".svg"}
            if text_asset and EXTERNAL.search(path.read_text(errors="ignore")):
                offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


@pytest.mark.django_db
def test_pages_load_assets_only_from_this_server(personas, client_for) -> None:
    pages = {role: client_for(user).get(reverse("csu:home")) for role, user in personas.items()}
    pages["login"] = Client().get(reverse("csu:login"))

    for name, response in pages.items():
        body = response.content.decode()
        assert not EXTERNAL.search(body), name
        assert "<script>" not in body and "onclick=" not in body, name  # CSP: no inline script


@pytest.mark.django_db
def test_static_assets_are_served_from_installed_packages(client_for, analyst) -> None:
    from django.contrib.staticfiles import finders

    for asset in ("plotly/plotly.min.js", "django_htmx/htmx-2.min.js", "css/csu.css"):
        assert finders.find(asset), asset


@pytest.mark.django_db
def test_every_response_carries_the_security_headers(analyst, client_for) -> None:
    client = client_for(analyst)
    for url in (reverse("csu:home"), reverse("csu:login"), "/healthz"):
        response = client.get(url)
        csp = response.get("Content-Security-Policy", "")
        assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp, url
        assert "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]
        assert response["X-Frame-Options"] == "DENY"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["Cache-Control"] == "no-store"


# --- Two database roles (issue 8, finding 2) -------------------------------------------------


def _compose() -> dict:  # type: ignore[type-arg]
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def _db_user(url: str) -> str:
    return url.split("://", 1)[1].split(":", 1)[0]


def test_compose_runs_web_worker_and_beat_as_the_application_role() -> None:
    text = (ROOT / "docker-compose.yml").read_text()
    services = _compose()["services"]

    users = {
        name: _db_user(services[name]["environment"]["DATABASE_URL"])
        for name in ("migrate", "web", "worker", "beat")
    }
    print(f"database users in compose: {users}")
    assert users == {
        "migrate": "csu_owner",
        "web": "csu_app",
        "worker": "csu_app",
        "beat": "csu_app",
    }
    assert services["migrate"]["environment"]["CSU_DB_APP_ROLE"] == "csu_app"
    assert "manage.py migrate" in services["migrate"]["command"]
    for name in ("web", "worker", "beat"):
        assert "CSU_DB_APP_ROLE" not in services[name]["environment"]
        assert (
            services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        )
    assert services["db"]["environment"]["POSTGRES_USER"] not in ("csu_owner", "csu_app")
    for secret in ("POSTGRES_PASSWORD", "POSTGRES_OWNER_PASSWORD", "POSTGRES_APP_PASSWORD"):
        assert f"${{{secret}:?" in text, secret  # compose refuses to start without it
        assert f"{secret}=" in (ROOT / ".env.example").read_text(), secret


def test_compose_mounts_the_init_script_that_creates_both_roles() -> None:
    db = _compose()["services"]["db"]
    mounts = {v.split(":")[1]: v.split(":")[0] for v in db["volumes"]}

    assert mounts["/docker-entrypoint-initdb.d"] == "./docker/postgres-init"
    script = (ROOT / "docker/postgres-init/10-roles.sh").read_text()
    assert "NOSUPERUSER NOCREATEDB NOCREATEROLE" in script
    assert 'ALTER DATABASE :"db" OWNER TO :"owner"' in script
    assert "REVOKE CREATE ON SCHEMA public FROM PUBLIC" in script
    assert (ROOT / "docker/postgres-init/10-roles.sh").stat().st_mode & 0o111


def test_gunicorn_is_published_on_loopback_only() -> None:
    services = _compose()["services"]

    published = {name: s.get("ports", []) for name, s in services.items() if s.get("ports")}
    assert published == {"web": ["127.0.0.1:8000:8000"]}


def test_the_init_script_and_migrate_give_the_compose_roles_what_they_need() -> None:
    """The compose flow against this machine's PostgreSQL: the init script (under role names of
    this run's own), then migrate as the owner, then the application role at work and refused."""
    import uuid

    import psycopg
    from django.db import connection

    s = connection.settings_dict
    suffix = uuid.uuid4().hex[:8]
    database, owner, app = f"{s['NAME']}_compose_{suffix}", f"own_{suffix}", f"app_{suffix}"
    admin = psycopg.connect(
        dbname="postgres",
        user=s["USER"] or "postgres",
        host=s["HOST"] or None,
        port=s["PORT"] or None,
        autocommit=True,
    )
    admin.execute(f'CREATE DATABASE "{database}"')
    try:
        env = {
            **os.environ,
            "PGHOST": s["HOST"] or "",
            "PGPORT": str(s["PORT"] or 5432),
            "POSTGRES_USER": s["USER"] or "postgres",
            "POSTGRES_DB": database,
            "CSU_DB_OWNER_ROLE": owner,
            "CSU_DB_APP_ROLE": app,
            "POSTGRES_OWNER_PASSWORD": "owner's pass",
            "POSTGRES_APP_PASSWORD": "app pass",
        }
        for _ in range(2):  # idempotent: a DBA may run it again to rotate the passwords
            run = subprocess.run(
                ["bash", str(ROOT / "docker/postgres-init/10-roles.sh")],
                env=env,
                capture_output=True,
                text=True,
                timeout=60,
            )
            assert run.returncode == 0, run.stderr

        host = s["HOST"] or "127.0.0.1"
        where = quote(host, safe="") if host.startswith("/") else f"{host}:{s['PORT'] or 5432}"
        url = f"postgresql://{{}}@{where}/{database}"
        migrate = _manage(
            "migrate",
            "--noinput",
            env={
                "DJANGO_SETTINGS_MODULE": "csu.settings.test",
                "DATABASE_URL": url.format(owner),
                "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
                "CSU_DB_APP_ROLE": app,
            },
        )
        assert migrate.returncode == 0, migrate.stdout + migrate.stderr

        roles = dict(
            admin.execute(
                "SELECT rolname, rolsuper OR rolcreatedb OR rolcreaterole FROM pg_roles "
                "WHERE rolname = ANY(%s)",
                [[owner, app]],
            ).fetchall()
        )
        assert roles == {owner: False, app: False}
        with psycopg.connect(url.format(app), autocommit=True) as conn:
            conn.execute("SELECT count(*) FROM intel_person").fetchone()
            refused = 0
            for statement in (
                "ALTER TABLE csu_auditevent DISABLE TRIGGER ALL",
                "TRUNCATE intel_person",
                "CREATE TABLE public.x (i int)",
                "DELETE FROM intel_disseminationlog",
            ):
                try:
                    conn.execute(statement)
                except psycopg.Error:
                    refused += 1
            owned = conn.execute(
                "SELECT count(*) FROM pg_class WHERE relowner = "
                "(SELECT oid FROM pg_roles WHERE rolname = current_user)"
            ).fetchone()[0]
        print(
            f"compose roles: migrate as the owner ok; application role refused {refused} of 4 "
            f"tamper statements and owns {owned} relations"
        )
        assert refused == 4 and owned == 0
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        admin.execute(f'DROP ROLE IF EXISTS "{app}"')
        admin.execute(f'DROP ROLE IF EXISTS "{owner}"')
        admin.close()


# --- TLS to PostgreSQL and Redis, the proxy header (issue 8, finding 10) ----------------------


def _settings(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    return _manage("shell", "--no-imports", "-c", code, env={**PROD_ENV, **env})


def test_production_asks_postgresql_for_tls_and_verifies_when_told() -> None:
    code = "from django.conf import settings as s; print(s.DATABASES['default']['OPTIONS'])"

    default = _settings(code)
    verify = _settings(code, CSU_DB_SSLMODE="verify-full", CSU_DB_SSLROOTCERT="/run/ca.crt")
    wrong = _settings(code, CSU_DB_SSLMODE="yes-please")

    assert "'sslmode': 'prefer'" in default.stdout, default.stderr
    assert "'sslmode': 'verify-full'" in verify.stdout, verify.stderr
    assert "'sslrootcert': '/run/ca.crt'" in verify.stdout
    assert wrong.returncode != 0 and "CSU_DB_SSLMODE='yes-please'" in wrong.stderr


def test_a_rediss_url_gives_cache_and_celery_tls_with_the_certificate_checked() -> None:
    code = (
        "import ssl; from django.conf import settings as s; "
        "from django.core.cache import caches; "
        "pool = caches['default']._cache._get_connection_pool(True); "
        "print(pool.connection_class.__name__, "
        "pool.connection_kwargs.get('ssl_cert_reqs') == ssl.CERT_REQUIRED, "
        "pool.connection_kwargs.get('ssl_ca_certs')); "
        "b = s.CELERY_BROKER_USE_SSL; "
        "print(b and (b['ssl_cert_reqs'] == ssl.CERT_REQUIRED, b['ssl_ca_certs']))"
    )

    tls = _settings(code, REDIS_URL="rediss://redis:6380/0", CSU_REDIS_SSL_CA="/run/redis-ca.crt")
    plain = _settings(code)
    unchecked = _settings(code, REDIS_URL="rediss://redis:6380/0", CSU_REDIS_SSL_CERT_REQS="none")

    assert tls.stdout.split("\n")[:2] == [
        "SSLConnection True /run/redis-ca.crt",
        "(True, '/run/redis-ca.crt')",
    ], tls.stderr
    assert plain.stdout.split("\n")[:2] == ["Connection False None", "None"], plain.stderr
    assert unchecked.returncode != 0 and "must be 'required' in production" in unchecked.stderr


def test_x_forwarded_proto_is_believed_only_when_the_operator_trusts_the_proxy() -> None:
    code = (
        "from django.test import RequestFactory; "
        "r = RequestFactory().get('/', HTTP_X_FORWARDED_PROTO='https', "
        "HTTP_HOST='csu.example.gov'); print(r.is_secure())"
    )

    untrusted = _settings(code)
    trusted = _settings(code, CSU_TRUST_PROXY_HEADERS="true")

    assert untrusted.stdout.strip() == "False", untrusted.stderr
    assert trusted.stdout.strip() == "True", trusted.stderr
