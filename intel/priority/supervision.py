"""Probation and parole status as the supervising agency states it, and which zones each
prosecutor covers (their home lists the designated people with arrests there)."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from csu import audit
from csu.exceptions import ApplicationError
from csu.models import User
from csu.roles import Role
from intel.models import Person, SupervisionStatus, Zone, ZoneAssignment


@transaction.atomic
def supervision_status_add(
    *,
    actor: User,
    person: Person,
    kind: str,
    agency: str,
    starts_on: date,
    reference: str = "",
    officer: str = "",
    ends_on: date | None = None,
) -> SupervisionStatus:
    """Record a probation or parole term the supervising agency reported, with its reference."""
    if not actor.has_perm("intel.add_supervisionstatus"):
        raise PermissionDenied
    if person.merged_into_id is not None:
        raise ApplicationError(
            f"Person #{person.pk} was merged into person #{person.merged_into_id}: "
            "record the term there."
        )
    if ends_on is not None and ends_on < starts_on:
        raise ValidationError({"ends_on": "The term cannot end before it starts."})
    term = SupervisionStatus(
        person=person,
        kind=kind,
        agency=(agency or "").strip(),
        reference=(reference or "").strip(),
        officer=(officer or "").strip(),
        starts_on=starts_on,
        ends_on=ends_on,
        entered_by=actor,
    )
    term.full_clean()
    term.save()
    audit.audit_log(
        actor=actor, action="supervision.add", obj=term, person=person.pk, kind=term.kind
    )
    return term


@transaction.atomic
def zone_assignment_add(*, actor: User, user: User, zone: Zone) -> ZoneAssignment:
    """Assign a prosecutor to a zone. Only prosecutors cover zones."""
    if not actor.has_perm("intel.add_zoneassignment"):
        raise PermissionDenied
    if not user.has_role(Role.PROSECUTOR) or not user.is_active:
        raise ApplicationError(f"{user.get_username()} is not an active prosecutor.")
    assignment = ZoneAssignment(user=user, zone=zone, assigned_by=actor)
    try:
        with transaction.atomic():
            assignment.save()
    except IntegrityError:
        raise ApplicationError(
            f"{user.get_username()} is already assigned to {zone.name or zone.key}."
        ) from None
    audit.audit_log(
        actor=actor, action="zone_assignment.add", obj=assignment, user=user.pk, zone=zone.pk
    )
    return assignment


@transaction.atomic
def zone_assignment_delete(*, actor: User, assignment: ZoneAssignment) -> None:
    """Take a prosecutor off a zone."""
    if not actor.has_perm("intel.delete_zoneassignment"):
        raise PermissionDenied
    audit.audit_log(
        actor=actor,
        action="zone_assignment.delete",
        obj=assignment,
        user=assignment.user_id,
        zone=assignment.zone_id,
    )
    assignment.delete()
