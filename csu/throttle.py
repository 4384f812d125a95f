"""Sign-in throttling by address, in front of the account lockout (CJIS AC-7, finding 8).

django-axes locks an *account* after ``AXES_FAILURE_LIMIT`` failures, whoever made them, so one
address spraying usernames could lock real accounts without ever guessing a password. Here each
POST to the password or the MFA step first takes a slot in two Redis counters:

* per address and username: ``CSU_SIGNIN_THROTTLE_PER_ADDRESS_USERNAME`` failures per window
  (below axes' limit, so one address alone cannot reach an account's lockout within a window);
* per address: ``CSU_SIGNIN_THROTTLE_PER_ADDRESS`` failures per window, whatever the usernames.

A slot is taken *before* authentication (``cache.incr`` is atomic, so concurrent requests cannot
all slip under the limit) and given back when the attempt did not fail: only failures count, so
an office behind one NAT address signing in every morning is never throttled. A request over
either limit is answered 429 with ``Retry-After``, is audited, and never reaches
``authenticate()``, so it does not count toward the account lockout either. A completed sign-in
clears its address+username counter. Windows are fixed, starting at the first counted attempt.

Only ``REMOTE_ADDR`` is trusted (``csu.audit.client_ip``).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.core.cache import cache
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from csu import audit
from csu.models import AuditEvent

THROTTLED = "auth.throttled"
KEY_PREFIX = "throttle:signin"  # every counter lives under it (tests clear them by this prefix)
_FAILED = "_csu_signin_failed"

View = Callable[..., HttpResponse]


@receiver(user_login_failed, dispatch_uid="csu-throttle-signin-failed")
def _on_login_failed(
    sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any
) -> None:
    """Marks the request as a failed attempt, so its slot is kept (wrong password, unknown user,
    wrong code, locked account alike)."""
    if request is not None:
        setattr(request, _FAILED, True)


def _address_key(ip: str) -> str:
    return f"{KEY_PREFIX}:ip:{ip}"


def _address_username_key(ip: str, username: str) -> str:
    # Hashed: the username is whatever the client typed, of any length and content.
    digest = hashlib.sha256(username.strip().casefold().encode()).hexdigest()[:32]
    return f"{KEY_PREFIX}:ipuser:{ip}:{digest}"


def _take(key: str, window: int) -> tuple[int, int]:
    """Takes one slot in the counter at ``key``; returns the count and the seconds left."""
    now = time.time()
    cache.add(f"{key}:start", now, timeout=window)
    cache.add(key, 0, timeout=window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between the two calls: a new window
        cache.set(key, 1, timeout=window)
        cache.set(f"{key}:start", now, timeout=window)
        count = 1
    started = cache.get(f"{key}:start") or now
    return count, max(1, int(window - (now - started)) + 1)


def _give_back(key: str) -> None:
    with contextlib.suppress(ValueError):  # the window ended meanwhile: nothing to give back
        cache.decr(key)


def _check(ip: str, username: str) -> tuple[str, int] | None:
    """Takes a slot for this attempt in both counters. Returns ``(limit, retry_after)`` when the
    attempt is over a limit, else ``None``."""
    window = settings.CSU_SIGNIN_THROTTLE_WINDOW
    address, retry_address = _take(_address_key(ip), window)
    pair, retry_pair = _take(_address_username_key(ip, username), window)
    if address > settings.CSU_SIGNIN_THROTTLE_PER_ADDRESS:
        return "address", retry_address
    if pair > settings.CSU_SIGNIN_THROTTLE_PER_ADDRESS_USERNAME:
        return "address+username", retry_pair
    return None


def _throttled_response(
    request: HttpRequest, *, username: str, step: str, limit: str, retry_after: int
) -> HttpResponse:
    audit.audit_log(
        actor=request.user,
        action=THROTTLED,
        outcome=AuditEvent.Outcome.DENIED,
        request=request,
        username=username[:150],
        step=step,
        limit=limit,
        retry_after=retry_after,
    )
    response = render(
        request, "csu/auth/throttled.html", {"retry_minutes": (retry_after + 59) // 60}, status=429
    )
    response["Retry-After"] = str(retry_after)
    return response


def signin_throttled(
    *, step: str, username: Callable[[HttpRequest], str]
) -> Callable[[View], View]:
    """Throttles the POSTs of a sign-in step (``step`` names it in the audit trail); ``username``
    tells which account the attempt is for."""

    def decorate(view: View) -> View:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method != "POST":
                return view(request, *args, **kwargs)
            name = username(request) or ""
            ip = audit.client_ip(request) or "unknown"
            keys = (_address_key(ip), _address_username_key(ip, name))
            refused = _check(ip, name)
            if refused is not None:
                for key in keys:  # a refused attempt is no failure: the counts stay at the limit
                    _give_back(key)
                limit, retry_after = refused
                return _throttled_response(
                    request, username=name, step=step, limit=limit, retry_after=retry_after
                )
            response = view(request, *args, **kwargs)
            if not getattr(request, _FAILED, False):
                for key in keys:
                    _give_back(key)
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated:  # signed in: a fresh start
                cache.delete_many([keys[1], f"{keys[1]}:start"])
            return response

        return wrapped

    return decorate
