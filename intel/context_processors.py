"""What every page of the intel app may show: the designation caveat, rendered by the one
include ``intel/priority/_caveat.html`` wherever a designation appears."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from intel.models import DESIGNATION_CAVEAT


def priority(request: HttpRequest) -> dict[str, Any]:
    return {"designation_caveat": DESIGNATION_CAVEAT}
