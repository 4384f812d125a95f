"""The REST API: authentication, one error shape, the schema and the docs served locally."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from csu.services import api_token_create
from tests.conftest import password_step

pytestmark = pytest.mark.django_db


def test_anonymous_gets_the_error_shape() -> None:
    response = Client().get(reverse("api-me"))

    assert response.status_code in (401, 403)
    assert set(response.json()) == {"message", "code", "extra"}


def test_a_token_authenticates_and_shows_roles(analyst) -> None:
    key = api_token_create(actor=analyst)

    response = Client().get(reverse("api-me"), HTTP_AUTHORIZATION=f"Token {key}")

    assert response.status_code == 200
    assert response.json()["roles"] == ["analyst"]


def test_a_password_only_session_gets_nothing_from_the_api(analyst) -> None:
    client = Client()
    password_step(client, analyst.username)

    assert client.get(reverse("api-me")).status_code in (401, 403)


def test_audit_events_are_listed_for_supervisors_with_pagination(supervisor, client_for) -> None:
    client = client_for(supervisor)

    body = client.get(reverse("audit-event-list")).json()

    assert {"count", "next", "previous", "results"} <= set(body)
    assert any(e["action"] == "auth.login" for e in body["results"])


def test_the_openapi_schema_builds_and_docs_are_local(analyst, client_for) -> None:
    client = client_for(analyst)

    schema = client.get(reverse("api-schema"))
    docs = client.get(reverse("api-docs"))

    assert schema.status_code == 200 and b"/api/v1/me/" in schema.content
    assert docs.status_code == 200
    body = docs.content.decode()
    assert "//cdn" not in body and "https://" not in body.split("<body")[1]
