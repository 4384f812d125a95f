"""Writes of the records package: the analyst's rows of the offense lookup."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction

from csu import audit
from csu.models import User
from intel.models import Agency, OffenseMapping


@transaction.atomic
def offense_mapping_save(
    *, actor: User, pattern: str, category: str, nibrs_code: str = "", agency: Agency | None = None
) -> OffenseMapping:
    """Add or change a row of the offense lookup; later imports categorise with it."""
    if not actor.has_perm("intel.add_offensemapping"):
        raise PermissionDenied
    row, _ = OffenseMapping.objects.update_or_create(
        agency=agency,
        pattern=pattern.strip().upper()[:120],
        defaults={"category": category, "nibrs_code": nibrs_code.strip().upper()[:8]},
    )
    row.full_clean()
    audit.audit_log(actor=actor, action="offense_mapping.save", obj=row, category=category)
    return row
