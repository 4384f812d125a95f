from typing import Any

from django.conf import settings
from django.http import HttpRequest

from csu.navigation import nav_for


def csu(request: HttpRequest) -> dict[str, Any]:
    return {
        "nav_items": nav_for(request.user),
        "office_name": settings.CSU_OFFICE_NAME,
        "mfa_required": settings.CSU_MFA_REQUIRED,
        "demo_mode": settings.CSU_DEMO,
    }
