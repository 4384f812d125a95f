"""What analysts do with people: decide the review queue, merge two records, un-merge them.

A merge moves every row that points at the merged person to the survivor and keeps, in the
``PersonMerge`` row, exactly what it moved and what it changed, so that un-merge puts every row
and every field back as it was.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone

from csu import audit
from intel.models import (
    Arrest,
    GroupMembership,
    MatchCandidate,
    Person,
    PersonLink,
    PersonMerge,
    PersonNameKey,
)
from intel.people.resolution import store
from intel.people.resolution.engine import ResolutionSummary, resolve_arrests
from intel.people.resolution.names import parse_name

MIN_REASON = 10
# Fields of the survivor a merge may fill from the merged person when the survivor lacks them.
_FILLABLE = {"middle_name": "", "dob": None, "sex": "U", "race": "unknown"}
# Rows that may not move because the survivor already has their twin: (model, unique fields
# besides the person, extra filter). They are kept in the snapshot and recreated on un-merge.
_TWINS: dict[type[models.Model], tuple[tuple[str, ...], dict]] = {
    PersonNameKey: (("last", "first"), {}),
    MatchCandidate: (("arrest_id",), {}),
    GroupMembership: (("group_id",), {"status__in": ["pending", "approved"]}),
}


def _require(actor: Any, perm: str) -> None:
    if not actor.has_perm(perm):
        raise PermissionDenied


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if len(reason) < MIN_REASON:
        raise ValidationError({"reason": f"Give a reason of at least {MIN_REASON} characters."})
    return reason


def _link(
    *, arrest: Arrest, person: Person, method: str, actor: Any, score: float | None, factors: list
) -> PersonLink:
    PersonLink.objects.filter(arrest=arrest).delete()
    link = PersonLink.objects.create(
        arrest=arrest, person=person, method=method, score=score, factors=factors, decided_by=actor
    )
    Arrest.objects.filter(pk=arrest.pk).update(person=person)
    name = parse_name(arrest.name_as_recorded)
    if name:
        store.name_keys_add([store.name_key(person.pk, name, PersonNameKey.Kind.RECORDED)])
    ids = store.recorded_ids(
        arrest.state_id_as_recorded, arrest.fbi_number_as_recorded, arrest.booking_number
    )
    store.identifiers_add(
        (person.pk, kind, value, arrest.source_agency_id if kind == "booking_number" else None)
        for kind, value in ids.items()
    )
    return link


def _open(candidate: MatchCandidate) -> MatchCandidate:
    locked = (
        MatchCandidate.objects.select_for_update()
        .select_related("arrest", "person")
        .get(pk=candidate.pk)
    )
    if locked.status != MatchCandidate.Status.OPEN or locked.arrest.person_id is not None:
        raise ValidationError("This match has already been decided.")
    return locked


def _close_others(arrest: Arrest, actor: Any, status: str) -> None:
    MatchCandidate.objects.filter(arrest=arrest, status=MatchCandidate.Status.OPEN).update(
        status=status, decided_by=actor, decided_at=timezone.now()
    )


@transaction.atomic
def match_link(*, actor: Any, candidate: MatchCandidate) -> PersonLink:
    """The analyst confirms the arrest is this person: link it, with the candidate's factors."""
    _require(actor, "intel.change_matchcandidate")
    candidate = _open(candidate)
    link = _link(
        arrest=candidate.arrest,
        person=candidate.person,
        method=PersonLink.Method.REVIEWED,
        actor=actor,
        score=candidate.score,
        factors=candidate.factors,
    )
    MatchCandidate.objects.filter(pk=candidate.pk).update(
        status=MatchCandidate.Status.LINKED, decided_by=actor, decided_at=timezone.now()
    )
    _close_others(candidate.arrest, actor, MatchCandidate.Status.SUPERSEDED)
    audit.audit_log(
        actor=actor,
        action=audit.MATCH_DECIDE,
        obj=candidate.arrest,
        decision="linked",
        person=candidate.person_id,
        score=candidate.score,
    )
    return link


def _new_person(*, actor: Any, arrest: Arrest, why: str) -> Person:
    name = parse_name(arrest.name_as_recorded)
    if name is None:
        raise ValidationError("The arrest has no name to start a person from.")
    person = store.person_from_name(
        name, dob=arrest.dob_as_recorded, sex=arrest.sex, race=arrest.race
    )
    person.save()
    store.name_keys_add([store.name_key(person.pk, name, PersonNameKey.Kind.PRIMARY)])
    _link(
        arrest=arrest,
        person=person,
        method=PersonLink.Method.NEW,
        actor=actor,
        score=None,
        factors=[{"factor": "no match", "detail": why, "weight": 0}],
    )
    return person


@transaction.atomic
def match_new_person(*, actor: Any, arrest: Arrest) -> Person:
    """None of the candidates: the arrest starts a new person."""
    _require(actor, "intel.change_matchcandidate")
    arrest = Arrest.objects.select_for_update().get(pk=arrest.pk)
    if arrest.person_id is not None:
        raise ValidationError("This arrest is already linked to a person.")
    person = _new_person(
        actor=actor,
        arrest=arrest,
        why=f"an analyst ({actor.get_username()}) found no candidate matched",
    )
    _close_others(arrest, actor, MatchCandidate.Status.REJECTED)
    audit.audit_log(
        actor=actor, action=audit.MATCH_DECIDE, obj=arrest, decision="new_person", person=person.pk
    )
    return person


@transaction.atomic
def match_reject(*, actor: Any, candidate: MatchCandidate) -> None:
    """Not this person. When no candidate is left, the arrest starts a new person."""
    _require(actor, "intel.change_matchcandidate")
    candidate = _open(candidate)
    MatchCandidate.objects.filter(pk=candidate.pk).update(
        status=MatchCandidate.Status.REJECTED, decided_by=actor, decided_at=timezone.now()
    )
    audit.audit_log(
        actor=actor,
        action=audit.MATCH_DECIDE,
        obj=candidate.arrest,
        decision="rejected",
        person=candidate.person_id,
    )
    if not MatchCandidate.objects.filter(
        arrest=candidate.arrest, status=MatchCandidate.Status.OPEN
    ).exists():
        _new_person(
            actor=actor,
            arrest=candidate.arrest,
            why=f"an analyst ({actor.get_username()}) rejected every candidate",
        )


def people_resolve(*, actor: Any) -> ResolutionSummary:
    """Resolve every arrest not yet linked or queued (on demand, from the review queue)."""
    _require(actor, "intel.change_matchcandidate")
    return resolve_arrests(actor=actor)


def people_resolve_import(*, actor: Any, data_import: Any) -> ResolutionSummary:
    """What follows an arrest import: resolve the arrests it brought in to people."""
    ids = list(
        Arrest.objects.filter(data_import=data_import, person__isnull=True).values_list(
            "pk", flat=True
        )
    )
    return resolve_arrests(actor=actor, arrest_ids=ids)


# ---- merge and un-merge ------------------------------------------------------------------


def _dump(obj: models.Model) -> dict:
    """Every column of a row as JSON, to the microsecond (Django's serializer stops at ms)."""
    values = {}
    for f in obj._meta.concrete_fields:
        value = getattr(obj, f.attname)
        values[f.attname] = value.isoformat() if isinstance(value, date | datetime) else value
    return {"model": obj._meta.label, "fields": values}


def _load(dump: dict) -> models.Model:
    model = apps.get_model(dump["model"])
    return model(
        **{f.attname: f.to_python(dump["fields"][f.attname]) for f in model._meta.concrete_fields}
    )


def _relations() -> list[tuple[type[models.Model], str]]:
    """Every (model, field) that points at a person, except merge history itself."""
    found = []
    for rel in Person._meta.related_objects:
        if rel.related_model in (Person, PersonMerge) or not rel.field.concrete:
            continue
        found.append((rel.related_model, rel.field.name))
    return found


@transaction.atomic
def person_merge(*, actor: Any, survivor: Person, merged: Person, reason: str) -> PersonMerge:
    """Merge ``merged`` into ``survivor``: every record about them now points at the survivor."""
    _require(actor, "intel.merge_person")
    reason = _reason(reason)
    pair = {
        p.pk: p for p in Person.objects.select_for_update().filter(pk__in=[survivor.pk, merged.pk])
    }
    if survivor.pk == merged.pk or len(pair) != 2:
        raise ValidationError("Choose two different people.")
    survivor, merged = pair[survivor.pk], pair[merged.pk]
    if survivor.is_merged or merged.is_merged:
        raise ValidationError("One of them is already merged into someone else.")
    snapshot: dict[str, Any] = {
        "survivor": _dump(survivor),
        "merged": _dump(merged),
        "moved": {},
        "removed": [],
    }
    for model, fk in _relations():
        rows = model.objects.filter(**{fk: merged})
        if model in _TWINS:
            unique, extra = _TWINS[model]
            mine = set(model.objects.filter(**{fk: survivor}, **extra).values_list(*unique))
            twins = [
                obj
                for obj in rows.filter(**extra)
                if tuple(getattr(obj, f) for f in unique) in mine
            ]
            if twins:
                snapshot["removed"].extend(_dump(t) for t in twins)
                model.objects.filter(pk__in=[t.pk for t in twins]).delete()
        ids = list(rows.values_list("pk", flat=True))
        if ids:
            snapshot["moved"][f"{model._meta.label}.{fk}"] = ids
            model.objects.filter(pk__in=ids).update(**{fk: survivor})
    filled = {
        f: getattr(merged, f)
        for f, empty in _FILLABLE.items()
        if getattr(survivor, f) in (empty, "") and getattr(merged, f) not in (empty, "")
    }
    Person.objects.filter(pk=survivor.pk).update(**filled, updated_at=timezone.now())
    Person.objects.filter(pk=merged.pk).update(merged_into=survivor, updated_at=timezone.now())
    merge = PersonMerge.objects.create(
        survivor=survivor, merged=merged, reason=reason, snapshot=snapshot, merged_by=actor
    )
    audit.audit_log(
        actor=actor,
        action=audit.PERSON_MERGE,
        obj=survivor,
        merged=merged.pk,
        moved={k: len(v) for k, v in snapshot["moved"].items()},
        reason_chars=len(reason),
    )  # the reason is kept on the merge, not the trail
    return merge


def _restore_person(dump: dict) -> None:
    """Every column back as it was (``update`` leaves ``auto_now`` alone)."""
    obj = _load(dump)
    Person.objects.filter(pk=obj.pk).update(**_columns(obj))


def _columns(obj: models.Model) -> dict:
    return {
        f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields if not f.primary_key
    }


@transaction.atomic
def person_unmerge(*, actor: Any, merge: PersonMerge, reason: str) -> None:
    """Undo a merge: the rows it moved go back, both people are as they were before it."""
    _require(actor, "intel.merge_person")
    reason = _reason(reason)
    merge = PersonMerge.objects.select_for_update().get(pk=merge.pk)
    if merge.unmerged_at is not None:
        raise ValidationError("This merge has already been undone.")
    survivor = Person.objects.select_for_update().get(pk=merge.survivor_id)
    merged = Person.objects.select_for_update().get(pk=merge.merged_id)
    if survivor.is_merged:
        raise ValidationError("The survivor has since been merged itself: un-merge that first.")
    if merged.merged_into_id != survivor.pk:
        raise ValidationError("This merge is no longer in effect.")
    relations = {f"{m._meta.label}.{fk}": (m, fk) for m, fk in _relations()}
    for key, ids in merge.snapshot["moved"].items():
        model, fk = relations[key]
        model.objects.filter(pk__in=ids, **{fk: survivor}).update(**{fk: merged})
    for dump in merge.snapshot["removed"]:
        row = _load(dump)
        columns = _columns(row)  # before bulk_create stamps auto_now_add fields
        type(row).objects.bulk_create([row])  # same primary key; then the dates as they were
        type(row).objects.filter(pk=row.pk).update(**columns)
    _restore_person(merge.snapshot["survivor"])
    _restore_person(merge.snapshot["merged"])
    PersonMerge.objects.filter(pk=merge.pk).update(
        unmerged_by=actor, unmerged_at=timezone.now(), unmerge_reason=reason
    )
    audit.audit_log(
        actor=actor,
        action=audit.PERSON_UNMERGE,
        obj=survivor,
        merged=merged.pk,
        merge=merge.pk,
        reason_chars=len(reason),
    )
