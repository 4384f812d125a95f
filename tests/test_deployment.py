"""Production settings, docker compose, offline assets, security headers."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

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
    clean = {k: v for k, v in os.environ.items()
             if not k.startswith(("DJANGO_", "CSU_")) and k not in ("DATABASE_URL", "REDIS_URL")}
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env={**clean, **env},
                          capture_output=True, text=True, timeout=120)


def test_production_settings_pass_the_deploy_check_with_no_warning() -> None:
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=PROD_ENV)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize("missing", ["DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "DATABASE_URL",
                                     "REDIS_URL"])
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
    assert set(services) == {"web", "worker", "beat", "db", "redis"}
    assert text.count("build: .") == 1
    for name in ("web", "worker", "beat"):
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
