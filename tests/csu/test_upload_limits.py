"""The upload size is enforced while the body arrives, not after it is spooled to disk (finding 10):
an oversized extract is answered 413 and the body is (almost) not read."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.test.client import BOUNDARY, MULTIPART_CONTENT, FakePayload, encode_multipart
from django.urls import reverse

from intel.models import Agency, DataImport

pytestmark = pytest.mark.django_db

LIMIT = 100_000  # bytes: CSU_UPLOAD_MAX_BYTES for these tests
CSV_LINE = b"C-000001,01/02/2024 10:00,THEFT,100XX W MADISON ST\n"


class CountingPayload(FakePayload):
    """The request body as the server reads it, counting the bytes actually read."""

    def __init__(self, content: bytes) -> None:
        super().__init__(content)
        self.bytes_read = 0

    def read(self, size: int = -1, /) -> bytes:
        chunk = super().read(size)
        self.bytes_read += len(chunk)
        return chunk

    def readline(self, size: int = -1, /) -> bytes:
        line = super().readline(size)
        self.bytes_read += len(line)
        return line


def _extract(size: int) -> SimpleUploadedFile:
    body = b"ID,Date,Offense,Block\n" + CSV_LINE * (size // len(CSV_LINE) + 1)
    return SimpleUploadedFile("extract.csv", body[:size], content_type="text/csv")


def _post(client: Client, url: str, size: int, **extra: str):  # type: ignore[no-untyped-def]
    """POST an extract of ``size`` bytes as a browser would; returns the response and the
    payload, which knows how much of the body the server read."""
    body = encode_multipart(
        BOUNDARY, {"file": _extract(size), "kind": "incidents", "agency": "Harbor PD"}
    )
    payload = CountingPayload(body)
    response = client.generic(
        "POST", url, body, content_type=MULTIPART_CONTENT, **{"wsgi.input": payload}, **extra
    )
    return response, payload, len(body)


@pytest.fixture
def media(tmp_path: Path):  # type: ignore[no-untyped-def]
    spool = tmp_path / "spool"
    spool.mkdir()
    with override_settings(
        MEDIA_ROOT=tmp_path / "media",
        CSU_UPLOAD_MAX_BYTES=LIMIT,
        FILE_UPLOAD_TEMP_DIR=spool,
        FILE_UPLOAD_MAX_MEMORY_SIZE=1024,
    ):
        yield tmp_path


def _stored(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


def _nothing_created() -> bool:
    return not DataImport.objects.exists() and not Agency.objects.filter(name="Harbor PD").exists()


def test_it_refuses_an_oversized_web_upload_before_reading_it(media, analyst, client_for) -> None:
    response, payload, total = _post(client_for(analyst), reverse("intel:import-list"), 1_000_000)

    print(f"bytes read of an oversized upload: {payload.bytes_read} of {total}")
    assert response.status_code == 413
    assert "larger than the 97 kB limit for an extract" in response.content.decode()
    assert payload.bytes_read == 0
    assert _nothing_created() and _stored(media) == []


def test_it_refuses_an_oversized_api_upload_before_reading_it(media, analyst) -> None:
    from csu.models import ApiToken
    from csu.services import api_token_create

    key = api_token_create(actor=analyst, scope=ApiToken.Scope.WRITE)
    response, payload, total = _post(
        Client(), "/api/v1/imports/", 1_000_000, HTTP_AUTHORIZATION=f"Token {key}"
    )

    print(f"bytes read of an oversized API upload: {payload.bytes_read} of {total}")
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
    assert set(response.json()) == {"message", "code", "extra"}
    assert payload.bytes_read == 0
    assert _nothing_created() and _stored(media) == []


@pytest.mark.parametrize("url", ["/intel/imports/", "/api/v1/imports/"])
def test_it_stops_reading_a_file_that_passes_the_limit_within_the_allowance(
    url, media, analyst, client_for
) -> None:
    """The declared length is let through (a generous framing allowance), the file is not."""
    client = client_for(analyst)
    with override_settings(CSU_UPLOAD_OVERHEAD_BYTES=10_000_000):
        response, payload, total = _post(client, url, 3_000_000)

    print(
        f"bytes read of an oversized upload past the header check: {payload.bytes_read} of {total}"
    )
    assert response.status_code == 413
    assert payload.bytes_read < LIMIT + 2 * 64 * 1024  # the limit plus the chunk in flight
    assert _nothing_created() and _stored(media) == []


def test_an_upload_within_the_limit_is_stored(media, analyst, client_for) -> None:
    response, payload, total = _post(client_for(analyst), reverse("intel:import-list"), 50_000)

    assert response.status_code == 302
    assert payload.bytes_read == total
    assert DataImport.objects.count() == 1
    assert len(_stored(media / "media")) == 1


def test_other_routes_stop_reading_an_oversized_multipart_body(media) -> None:
    response, payload, total = _post(Client(), reverse("csu:login"), 3_000_000)

    assert response.status_code == 413
    assert payload.bytes_read < LIMIT + 2 * 64 * 1024
