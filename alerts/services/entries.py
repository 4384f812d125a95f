"""Watch entries: add, renew, remove, and expire them.

An entry targets a person (linked, or by name, DOB and state ID until one is), a charge or a
place, with a reason, and expires (12 months by default): renewing it needs a fresh reason, so
nobody is watched forever by inertia. An entry never targets someone an intelligence record names
only as non-criminal identifying information (28 CFR Part 23, the 1998 clarification; R10).
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime

from dateutil.relativedelta import relativedelta
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from alerts.models import WatchEntry, WatchList
from alerts.services.lists import watch_list_role
from csu import audit
from csu.actors import system_actor
from csu.models import User
from intel.models import (
    Arrest,
    CaseReferral,
    IntelIdentifier,
    IntelRecord,
    Person,
    PersonIdentifier,
    Zone,
)
from intel.people.resolution.names import letters

DEFAULT_LIFETIME = relativedelta(months=12)
NON_CRIMINAL_REFUSED = (
    "This person is named in an intelligence record only as non-criminal identifying "
    f"information (“{IntelIdentifier.LABEL}”) and can never be a watch target "
    "(28 CFR Part 23, 1998 clarification)."
)
KINDS = tuple(WatchEntry.Kind.values)


def _require_editor(actor: User, watch_list: WatchList) -> None:
    if not actor.has_perm("alerts.add_watchentry"):
        raise PermissionDenied
    if watch_list_role(actor=actor, watch_list=watch_list) not in ("owner", "editor"):
        raise PermissionDenied


def _name_tokens(*parts: str) -> frozenset[str]:
    return frozenset(
        t for t in (letters(w) for p in parts for w in p.replace(",", " ").split()) if t
    )


def _criminal_basis(person: Person) -> bool:
    """Does anything other than an identifier put the person in the system as a subject: an
    arrest or case linked to them, an intelligence record about them, a group membership?"""
    return (
        Arrest.objects.filter(person=person).exists()
        or CaseReferral.objects.filter(defendant=person).exists()
        or person.links.filter(Q(arrest__isnull=False) | Q(case__isnull=False)).exists()
        or IntelRecord.objects.filter(subject_person=person).exists()
        or person.memberships.exists()
    )


def _identifier_names_match(tokens: frozenset[str]) -> bool:
    """Does an identifier's name, in any order, equal these name tokens? Every identifier
    counts, whoever may read its record: the rule holds whatever the actor sees."""
    if len(tokens) < 2:
        return False
    last_guess = max(tokens, key=len)
    candidates = IntelIdentifier.objects.filter(name__icontains=last_guess).values_list(
        "name", flat=True
    )
    return any(_name_tokens(name) == tokens for name in candidates)


def check_not_non_criminal(
    *, person: Person | None, first_name: str = "", last_name: str = ""
) -> None:
    """Refuse a target that appears only as non-criminal identifying information."""
    if person is not None:
        named = IntelIdentifier.objects.filter(person=person).exists() or (
            _identifier_names_match(_name_tokens(person.first_name, person.last_name))
        )
        if named and not _criminal_basis(person):
            raise ValidationError({"person": NON_CRIMINAL_REFUSED})
        return
    if _identifier_names_match(_name_tokens(first_name, last_name)):
        raise ValidationError({"last_name": NON_CRIMINAL_REFUSED})


def _resolve_person(
    *, actor: User, last_name: str, first_name: str, dob: date | None, state_id: str
) -> Person | None:
    """The one visible person a state ID, or else an exact name and DOB, names; None when it
    names nobody or more than one."""
    people = Person.objects.visible_to(actor).filter(merged_into__isnull=True)
    if state_id:
        ids = PersonIdentifier.objects.filter(
            kind=PersonIdentifier.Kind.STATE_ID, value__iexact=state_id
        ).values("person_id")
        found = list(people.filter(pk__in=ids)[:2])
        if len(found) == 1:
            return found[0]
    if last_name and first_name and dob:
        found = list(
            people.filter(
                Q(name_keys__last=letters(last_name), name_keys__first=letters(first_name))
                | Q(last_name__iexact=last_name, first_name__iexact=first_name),
                dob=dob,
            ).distinct()[:2]
        )
        if len(found) == 1:
            return found[0]
    return None


def _check_target(entry: WatchEntry) -> None:
    """Per kind, what the target needs, in the words of the form."""
    kind = entry.kind
    if kind not in KINDS:
        raise ValidationError({"kind": f"The type must be one of {', '.join(KINDS)}."})
    if kind == WatchEntry.Kind.PERSON:
        if entry.person_id is None and not entry.state_id:
            if not entry.last_name:
                raise ValidationError(
                    {"last_name": "A person entry needs a person, a state ID or a last name."}
                )
            if not entry.first_name or entry.dob is None:
                raise ValidationError(
                    {"dob": "A person entry by name needs the first name and date of birth too."}
                )
        if entry.dob and entry.dob > timezone.localdate():
            raise ValidationError({"dob": "The date of birth is in the future."})
    elif kind == WatchEntry.Kind.CHARGE:
        if not entry.charge:
            raise ValidationError({"charge": "A charge entry needs a statute, code or category."})
    else:
        point = (entry.latitude, entry.longitude, entry.radius_m)
        if any(v is not None for v in point) and not all(v is not None for v in point):
            raise ValidationError(
                {"radius_m": "A place by point needs its latitude, longitude and radius."}
            )
        if entry.latitude is not None and not -90 <= entry.latitude <= 90:
            raise ValidationError({"latitude": "The latitude must be between -90 and 90."})
        if entry.longitude is not None and not -180 <= entry.longitude <= 180:
            raise ValidationError({"longitude": "The longitude must be between -180 and 180."})
        if entry.radius_m is not None and not 10 <= entry.radius_m <= 5000:
            raise ValidationError({"radius_m": "The radius must be 10 to 5,000 metres."})
        if entry.zone_id is None and not entry.address and entry.radius_m is None:
            raise ValidationError(
                {"address": "A place entry needs an address, a point with a radius, or a zone."}
            )


def _check_reason(reason: str) -> str:
    reason = reason.strip()
    if len(reason) < 10:
        raise ValidationError(
            {"reason": "Give the reason this is watched (10 characters or more)."}
        )
    return reason


def _check_expiry(expires_at: datetime | None, now: datetime) -> datetime:
    if expires_at is None:
        return now + DEFAULT_LIFETIME
    if expires_at <= now:
        raise ValidationError({"expires_at": "The expiry must be in the future."})
    if expires_at > now + relativedelta(months=24):
        raise ValidationError({"expires_at": "An entry expires within two years at most."})
    return expires_at


def build_entry(
    *,
    actor: User,
    watch_list: WatchList,
    kind: str,
    person: Person | None = None,
    last_name: str = "",
    first_name: str = "",
    dob: date | None = None,
    state_id: str = "",
    charge: str = "",
    address: str = "",
    latitude: float | None = None,
    longitude: float | None = None,
    radius_m: int | None = None,
    zone: Zone | None = None,
    reason: str,
    owner_note: str = "",
    note: str = "",
    expires_at: datetime | None = None,
) -> WatchEntry:
    """A checked, unsaved entry (the import saves or updates it by its key)."""
    now = timezone.now()
    entry = WatchEntry(
        watch_list=watch_list,
        kind=kind,
        person=person,
        last_name=last_name.strip(),
        first_name=first_name.strip(),
        dob=dob,
        state_id=state_id.strip(),
        charge=charge.strip().upper() if kind == WatchEntry.Kind.CHARGE else "",
        address=address.strip(),
        latitude=latitude,
        longitude=longitude,
        radius_m=radius_m,
        zone=zone,
        reason=_check_reason(reason),
        owner_note=owner_note.strip(),
        note=note.strip(),
        expires_at=_check_expiry(expires_at, now),
        created_by=actor,
    )
    _check_target(entry)
    if kind == WatchEntry.Kind.PERSON:
        if person is None:
            entry.person = _resolve_person(
                actor=actor,
                last_name=entry.last_name,
                first_name=entry.first_name,
                dob=dob,
                state_id=entry.state_id,
            )
        check_not_non_criminal(
            person=entry.person, first_name=entry.first_name, last_name=entry.last_name
        )
        if entry.person is not None and not entry.last_name:
            entry.last_name, entry.first_name = entry.person.last_name, entry.person.first_name
            entry.dob = entry.dob or entry.person.dob
    entry.full_clean(exclude=["created_by"])
    return entry


@transaction.atomic
def watch_entry_add(
    *,
    actor: User,
    watch_list: WatchList,
    kind: str,
    person: Person | None = None,
    last_name: str = "",
    first_name: str = "",
    dob: date | None = None,
    state_id: str = "",
    charge: str = "",
    address: str = "",
    latitude: float | None = None,
    longitude: float | None = None,
    radius_m: int | None = None,
    zone: Zone | None = None,
    reason: str,
    owner_note: str = "",
    note: str = "",
    expires_at: datetime | None = None,
) -> WatchEntry:
    """An owner or editor of the list watches a person, a charge or a place, with a reason;
    it expires in 12 months unless ``expires_at`` says otherwise. A person given by state ID
    or name and DOB is linked to the one visible person they name."""
    _require_editor(actor, watch_list)
    entry = build_entry(
        actor=actor,
        watch_list=watch_list,
        kind=kind,
        person=person,
        last_name=last_name,
        first_name=first_name,
        dob=dob,
        state_id=state_id,
        charge=charge,
        address=address,
        latitude=latitude,
        longitude=longitude,
        radius_m=radius_m,
        zone=zone,
        reason=reason,
        owner_note=owner_note,
        note=note,
        expires_at=expires_at,
    )
    entry.save()
    audit.audit_log(
        actor=actor,
        action="alerts.watch_entry_add",
        obj=entry,
        watch_list=watch_list.pk,
        kind=entry.kind,
        person=entry.person_id,
    )
    return entry


def _fingerprint(reason: str) -> str:
    return " ".join(reason.casefold().split())


@transaction.atomic
def watch_entry_renew(*, actor: User, entry: WatchEntry, reason: str) -> WatchEntry:
    """Another 12 months from now, for a fresh reason (not the one it has)."""
    _require_editor(actor, entry.watch_list)
    if entry.status == WatchEntry.Status.REMOVED:
        raise ValidationError("A removed entry cannot be renewed: add it again.")
    reason = _check_reason(reason)
    previous = {_fingerprint(entry.reason), _fingerprint(entry.renewal_reason)}
    if _fingerprint(reason) in previous:
        raise ValidationError(
            {"reason": "Renewal needs a fresh reason: say why it is still worth watching now."}
        )
    now = timezone.now()
    entry.renewal_reason = reason
    entry.renewed_at = now
    entry.expires_at = now + DEFAULT_LIFETIME
    entry.status = WatchEntry.Status.ACTIVE
    entry.save(update_fields=["renewal_reason", "renewed_at", "expires_at", "status", "updated_at"])
    audit.audit_log(actor=actor, action="alerts.watch_entry_renew", obj=entry)
    return entry


@transaction.atomic
def watch_entry_remove(*, actor: User, entry: WatchEntry, reason: str = "") -> WatchEntry:
    """Stop watching: the entry is kept, marked removed, and never alerts again."""
    _require_editor(actor, entry.watch_list)
    if entry.status != WatchEntry.Status.REMOVED:
        entry.status = WatchEntry.Status.REMOVED
        entry.save(update_fields=["status", "updated_at"])
    audit.audit_log(actor=actor, action="alerts.watch_entry_remove", obj=entry)
    return entry


@transaction.atomic
def watch_entries_expire(*, now: datetime | None = None) -> int:
    """Active entries past their expiry become expired (the daily beat task, as the system
    actor). Selects by predicate: a second run the same day changes nothing."""
    now = now or timezone.now()
    due = WatchEntry.objects.filter(status=WatchEntry.Status.ACTIVE, expires_at__lte=now)
    count = due.update(status=WatchEntry.Status.EXPIRED, updated_at=now)
    if count:
        audit.audit_log(
            actor=system_actor(),
            action="alerts.watch_entries_expire",
            component="beat",
            count=count,
        )
    return count


def import_key(row: dict[str, str]) -> str:
    """A stable key for a CSV row's target: the same target in the same list is one entry."""
    parts = [
        row.get(c, "").strip().casefold()
        for c in (
            "type",
            "last_name",
            "first_name",
            "dob",
            "state_id",
            "charge",
            "address",
            "latitude",
            "longitude",
            "radius_m",
            "zone",
        )
    ]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
