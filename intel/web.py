"""Helpers shared by the HTML views of every intel package (input parsing, no domain rules)."""

from __future__ import annotations

from django.core.exceptions import BadRequest

SEARCH_MAX_CHARS = 200


def search_text(value: str | None, *, max_chars: int = SEARCH_MAX_CHARS) -> str:
    """A search box's text, trimmed and capped. A NUL character is refused as a bad request
    (400): PostgreSQL text cannot hold one, so it would otherwise fail as a server error."""
    value = value or ""
    if "\x00" in value:
        raise BadRequest("A search cannot contain a NUL character.")
    return value.strip()[:max_chars]
