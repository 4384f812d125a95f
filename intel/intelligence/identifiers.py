"""Non-criminal identifying information in a record (R10, the 1998 BJA clarification).

A registered owner of the car, a landlord, a relative at the address: named only so the subject
can be identified. They carry no predicate (``IntelIdentifier`` has no field for one), are shown
with ``IntelIdentifier.LABEL`` wherever they appear, and can never be the record's subject.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from csu import audit
from csu.models import User
from intel.models import IntelIdentifier, IntelRecord, Person

SUBJECT_REFUSED = (
    "The subject of the record cannot also be named as non-criminal identifying "
    "information (28 CFR Part 23, 1998 clarification)."
)


@dataclass(frozen=True)
class IdentifierInput:
    """What an analyst gives for one identifier: a name, how it identifies the subject, and
    optionally the person it is."""

    name: str
    relationship: str
    person: Person | None = None


def add_identifier(*, record: IntelRecord, identifier: IdentifierInput) -> IntelIdentifier:
    """Save one identifier after the R10 checks; callers have checked the actor already."""
    name, relationship = identifier.name.strip(), identifier.relationship.strip()
    person = identifier.person
    if (
        record.subject_person_id is not None
        and person is not None
        and person.pk == record.subject_person_id
    ):
        raise ValidationError({"person": SUBJECT_REFUSED})
    subject_names = {record.subject_name.strip().casefold()}
    if record.subject_person is not None:
        subject_names |= {
            record.subject_person.full_name.casefold(),
            str(record.subject_person).casefold(),
        }
    if name.casefold() in subject_names - {""}:
        raise ValidationError({"name": SUBJECT_REFUSED})
    found = IntelIdentifier(record=record, name=name, relationship=relationship, person=person)
    found.full_clean()
    found.save()
    return found


@transaction.atomic
def intel_identifier_add(
    *, actor: User, record: IntelRecord, name: str, relationship: str, person: Person | None = None
) -> IntelIdentifier:
    """The submitter adds an identifier to their draft or pending record.

    An approved record is not changed behind its approver's back: new information goes into a
    new record, reviewed like any other.
    """
    if not actor.has_perm("intel.add_intelrecord") or record.submitted_by_id != actor.pk:
        raise PermissionDenied
    if record.status not in (IntelRecord.Status.DRAFT, IntelRecord.Status.PENDING):
        raise ValidationError(
            "Identifiers can be added only while the record is a draft or pending review."
        )
    found = add_identifier(
        record=record,
        identifier=IdentifierInput(name=name, relationship=relationship, person=person),
    )
    audit.audit_log(actor=actor, action="intel.identifier_add", obj=record, identifier=found.pk)
    return found
