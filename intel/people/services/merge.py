"""Merge two people and un-merge them.

A merge moves every row that points at the merged person to the survivor and keeps, in the
``PersonMerge`` row, exactly what it moved and what it changed, so that un-merge puts every row
and every field back as it was.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from csu import audit
from csu.models import User
from intel.models import (
    GroupMembership,
    MatchCandidate,
    Person,
    PersonMerge,
    PersonNameKey,
    PriorityDesignation,
    PriorityScore,
)
from intel.people.services.common import _reason, _require

# Fields of the survivor a merge may fill from the merged person when the survivor lacks them.
_FILLABLE = {"middle_name": "", "dob": None, "sex": "U", "race": "unknown"}
# Rows that may not move because the survivor already has their twin: (model, unique fields
# besides the person, extra filter). They are kept in the snapshot and recreated on un-merge.
_TWINS: dict[type[models.Model], tuple[tuple[str, ...], dict[str, Any]]] = {
    PersonNameKey: (("last", "first"), {}),
    MatchCandidate: (("arrest_id", "shooting_victim_id", "case_id"), {}),
    GroupMembership: (("group_id",), {"status__in": ["pending", "approved"]}),
    # One score per person and version: the survivor's stays (the next run of the scores
    # counts the merged person's records on it); un-merge puts the merged one's back.
    PriorityScore: (("config_id",), {}),
}


def _dump(obj: models.Model) -> dict[str, Any]:
    """Every column of a row as JSON, to the microsecond (Django's serializer stops at ms)."""
    values = {}
    for f in obj._meta.concrete_fields:
        value = getattr(obj, f.attname)
        values[f.attname] = value.isoformat() if isinstance(value, date | datetime) else value
    return {"model": obj._meta.label, "fields": values}


def _load(dump: dict[str, Any]) -> models.Model:
    model: type[models.Model] = apps.get_model(dump["model"])
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
def person_merge(*, actor: User, survivor: Person, merged: Person, reason: str) -> PersonMerge:
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
    # A person has one open designation at most, and which of two stands is a supervisor's
    # decision, not a side effect of a merge.
    open_statuses = [PriorityDesignation.Status.PROPOSED, PriorityDesignation.Status.ACTIVE]
    if (
        PriorityDesignation.objects.filter(person__in=pair, status__in=open_statuses)
        .values("person")
        .distinct()
        .count()
        == 2
    ):
        raise ValidationError(
            "Both people have an open priority designation: end one of them (remove or reject "
            "it, with its reason) before merging."
        )
    snapshot: dict[str, Any] = {
        "survivor": _dump(survivor),
        "merged": _dump(merged),
        "moved": {},
        "removed": [],
    }
    for model, fk in _relations():
        rows = model._default_manager.filter(**{fk: merged})
        if model in _TWINS:
            unique, extra = _TWINS[model]
            mine = set(
                model._default_manager.filter(**{fk: survivor}, **extra).values_list(*unique)
            )
            twins = [
                obj
                for obj in rows.filter(**extra)
                if tuple(getattr(obj, f) for f in unique) in mine
            ]
            if twins:
                snapshot["removed"].extend(_dump(t) for t in twins)
                model._default_manager.filter(pk__in=[t.pk for t in twins]).delete()
        ids = list(rows.values_list("pk", flat=True))
        if ids:
            snapshot["moved"][f"{model._meta.label}.{fk}"] = ids
            model._default_manager.filter(pk__in=ids).update(**{fk: survivor})
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


def _restore_person(dump: dict[str, Any]) -> None:
    """Every column back as it was (``update`` leaves ``auto_now`` alone)."""
    obj = _load(dump)
    Person.objects.filter(pk=obj.pk).update(**_columns(obj))


def _columns(obj: models.Model) -> dict[str, Any]:
    return {
        f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields if not f.primary_key
    }


@transaction.atomic
def person_unmerge(*, actor: User, merge: PersonMerge, reason: str) -> None:
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
        model._default_manager.filter(pk__in=ids, **{fk: survivor}).update(**{fk: merged})
    for dump in merge.snapshot["removed"]:
        row = _load(dump)
        columns = _columns(row)  # before bulk_create stamps auto_now_add fields
        manager = type(row)._default_manager
        manager.bulk_create([row])  # same primary key; then the dates as they were
        manager.filter(pk=row.pk).update(**columns)
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
