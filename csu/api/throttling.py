"""API rate limits: per signed-in user (session or token) and per anonymous address.

DRF's own classes differ in two ways that matter here:

* they identify an anonymous client by ``X-Forwarded-For`` when it is present, which any client
  can set; here only ``REMOTE_ADDR`` is trusted (``csu.audit.client_ip``);
* they read their rates from ``SimpleRateThrottle.THROTTLE_RATES``, bound once when DRF is
  imported; here the rates are read from ``api_settings`` on each request, so
  ``override_settings(REST_FRAMEWORK=...)`` and a settings reload take effect.

A throttled request is answered 429 with ``Retry-After`` in the API's one error shape
(``csu.api.exception_handler``).
"""

from __future__ import annotations

from typing import Any, cast

from rest_framework import throttling
from rest_framework.settings import api_settings

from csu.audit import client_ip


class _TrustedAddress:
    cache_format = "throttle:api:%(scope)s:%(ident)s"
    scope: str | None  # set by the DRF throttle this is mixed into

    def get_ident(self, request: Any) -> str:
        return client_ip(request._request if hasattr(request, "_request") else request) or ""

    def get_rate(self) -> str | None:
        # The stubs type the rates as numbers; DRF's rates are strings such as "100/hour".
        rates = cast(dict[str | None, str | None], api_settings.DEFAULT_THROTTLE_RATES)
        return rates.get(self.scope)


class UserRateThrottle(_TrustedAddress, throttling.UserRateThrottle):
    """Requests per signed-in user (by address for a request with no user)."""


class AnonRateThrottle(_TrustedAddress, throttling.AnonRateThrottle):
    """Requests per address from clients that are not signed in."""
