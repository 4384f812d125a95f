"""Analysis results kept between requests, keyed by what they were computed from.

An analysis selector decorated with ``analysis_cached`` stores its result in the cache
(Redis) under a key made of:

- the **data version**: a token replaced whenever police records change (``data_changed``:
  after an import, a rollback, zones reassigned, or any ORM write of an incident, arrest or
  shooting; see ``dashboards.apps``), so a result is never served once the records it counted
  have changed;
- the actor's **visibility key** (``intel.querysets.visibility_key`` over the models the
  analysis reads): actors who see the same rows share results, and no one is served a result
  computed over rows they may not see;
- the selector's **arguments** (filters, layer, dates, resolution...).

The worker's ``analysis_refresh`` fills the cache for the pages' default filters after each
change and on a schedule (``dashboards.tasks``), so pages and the API read precomputed
results; any other filter is computed once on first request and then served from the cache
until the data changes. Entries also expire after ``TIMEOUT`` as a safety net.
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import json
import uuid
from collections.abc import Callable
from dataclasses import fields, is_dataclass
from datetime import date, datetime
from typing import Any, ParamSpec, TypeVar, cast

from django.core.cache import cache
from django.db import models, transaction

from csu.models import User
from intel.models import Arrest, Incident, Shooting, Zone, ZoneLayer
from intel.querysets import visibility_key

VERSION_KEY = "analysis:data-version"
TIMEOUT = 6 * 3600  # seconds
# What the analysis reads: an actor's view of these decides what a result may show them.
# (Shooting victims are read through their shootings, whose visibility they follow.)
MODELS_READ: tuple[type[models.Model], ...] = (Arrest, Incident, Shooting, Zone, ZoneLayer)
_MISSING = object()

P = ParamSpec("P")
R = TypeVar("R")


def data_version() -> str:
    """The current data version (a new one is made if the cache lost it)."""
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, uuid.uuid4().hex, timeout=None)
        version = cache.get(VERSION_KEY)
    return str(version)


def version_renew() -> None:
    """A new data version: every result stored before is no longer served."""
    cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None)


def data_changed() -> None:
    """Police records changed: results computed before are no longer served. Called inside
    the writing transaction, it bumps the version now (readers in the same transaction) and
    again once the transaction commits (a reader that ran between the two computed from the
    records as they were before the commit, under a version nobody asks for any more)."""
    version_renew()
    transaction.on_commit(version_renew, robust=True)


def _token(value: Any) -> Any:
    """A JSON-able stand-in for an argument: models by label and key, dataclasses by field."""
    if isinstance(value, models.Model):
        return f"{value._meta.label_lower}:{value.pk}"
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _token(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_token(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _token(v) for k, v in value.items()}
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise TypeError(f"cannot key an analysis on {type(value).__name__}")


def cache_key(name: str, actor: User, arguments: dict[str, Any]) -> str:
    """The cache key of ``name`` called by ``actor`` with ``arguments`` (keyword arguments)."""
    scope = visibility_key(actor, MODELS_READ)
    body = json.dumps({"scope": scope, "args": _token(arguments)}, sort_keys=True)
    digest = hashlib.sha256(body.encode()).hexdigest()[:40]
    return f"analysis:{name}:{data_version()}:{digest}"


def analysis_cached(name: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Serve a keyword-only analysis selector (``actor=`` and its filters) from the cache.
    The undecorated function stays reachable as ``__wrapped__``; ``refreshed`` computes and
    stores afresh (the worker's precompute)."""

    def decorate(selector: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(selector)
        def cached(*args: P.args, **kwargs: P.kwargs) -> R:
            assert not args, "analysis selectors take keyword arguments"
            # Keyed before computing, like ``refreshed``.
            key = cache_key(name, cast(User, kwargs["actor"]), _arguments(selector, kwargs))
            hit = cache.get(key, _MISSING)
            if hit is not _MISSING:
                return cast(R, hit)
            result = selector(*args, **kwargs)
            cache.set(key, result, timeout=TIMEOUT)
            return result

        cached.analysis_name = name  # type: ignore[attr-defined]
        return cached

    return decorate


def _arguments(selector: Callable[..., Any], kwargs: dict[str, Any]) -> dict[str, Any]:
    """The call's arguments with the selector's defaults filled in, so a call that spells a
    default out and one that leaves it out share a result; the actor is keyed by visibility."""
    bound = inspect.signature(selector).bind(**kwargs)
    bound.apply_defaults()
    return {k: v for k, v in bound.arguments.items() if k != "actor"}


def refreshed(selector: Callable[..., R], **kwargs: Any) -> R:
    """Compute a cached selector afresh and store the result (what the next request reads)."""
    # The key (and so the data version) is taken before computing: records that change
    # meanwhile bump the version, and this result is stored under the one it was counted at.
    compute = selector.__wrapped__  # type: ignore[attr-defined]
    key = cache_key(selector.analysis_name, kwargs["actor"], _arguments(compute, kwargs))  # type: ignore[attr-defined]
    result = cast(R, compute(**kwargs))
    cache.set(key, result, timeout=TIMEOUT)
    return result
