"""Helpers shared by the HTML views of every intel package (input parsing, not-found, no domain
rules)."""

from __future__ import annotations

from collections.abc import Callable
from typing import ParamSpec, TypeVar

from django.core.exceptions import BadRequest, ObjectDoesNotExist
from django.http import Http404

SEARCH_MAX_CHARS = 200

_P = ParamSpec("_P")
_T = TypeVar("_T")


def search_text(value: str | None, *, max_chars: int = SEARCH_MAX_CHARS) -> str:
    """A search box's text, trimmed and capped. A NUL character is refused as a bad request
    (400): PostgreSQL text cannot hold one, so it would otherwise fail as a server error."""
    value = value or ""
    if "\x00" in value:
        raise BadRequest("A search cannot contain a NUL character.")
    return value.strip()[:max_chars]


def get_or_404(selector: Callable[_P, _T], /, *args: _P.args, **kwargs: _P.kwargs) -> _T:
    """Call a single-object selector; the model's ``DoesNotExist`` it raises (missing, or out
    of the actor's sight: the selectors do not tell them apart) is the page's 404."""
    try:
        return selector(*args, **kwargs)
    except ObjectDoesNotExist as exc:
        raise Http404(str(exc)) from exc
