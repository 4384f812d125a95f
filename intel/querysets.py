"""Querysets of the intel app: every read for an interface starts from ``visible_to(actor)``.

Need to know is decided here and nowhere else. A model that refers to case data without being
it (a challenge, a merge, a dissemination log row, a person's names) is visible only when what
it refers to is: its queryset asks the parent's ``visible_to``, so a rule added to the parent
reaches every page that lists the child.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, TypeVar

from django.db import models

if TYPE_CHECKING:
    from csu.models import User

_M = TypeVar("_M", bound=models.Model)


def _may_view(actor: User, model: type[models.Model]) -> bool:
    """The role's model-level ``view`` permission (``csu.roles``)."""
    opts = model._meta
    return actor.has_perm(f"{opts.app_label}.view_{opts.model_name}")


def _parent(queryset: models.QuerySet[Any], field: str) -> type[models.Model]:
    related = queryset.model._meta.get_field(field).related_model
    assert isinstance(related, type)
    return related


def visibility_key(actor: User, models_read: Iterable[type[models.Model]]) -> str:
    """What decides which rows of ``models_read`` ``visible_to`` returns for ``actor``, as a
    short string: two actors with the same key see exactly the same rows of those models, so
    anything computed from what one sees (``dashboards.analysis.cache``) may be served to the
    other.

    A model whose queryset is the plain ``VisibleQuerySet`` is visible by the role's
    ``view`` permission alone, so the permission is the key. Any other queryset narrows rows
    per actor (stage, grants, submitter), so the key names the actor: a record-level rule
    added to a model by a subclass here is covered without touching this function."""
    if not actor.is_active:
        return "inactive"
    parts = []
    for model in sorted(models_read, key=lambda m: m._meta.label_lower):
        label = model._meta.label_lower
        if type(model._default_manager.all()) is not VisibleQuerySet:
            parts.append(f"{label}=actor:{actor.pk}")
        else:
            parts.append(f"{label}={int(_may_view(actor, model))}")
    return ",".join(parts)


class VisibleQuerySet(models.QuerySet[_M]):
    """A queryset that knows which rows an actor may see.

    For now visibility is the role's model-level ``view`` permission (``csu.roles``): a role
    without it sees nothing, rather than being refused, so lists and counts simply come back
    empty. Record-level rules (access rules, legal holds) will narrow this further in one place.
    """

    def visible_to(self, actor: User) -> VisibleQuerySet[_M]:
        if _may_view(actor, self.model):
            return self.all()
        return self.none()


class IntelRecordQuerySet(VisibleQuerySet[_M]):
    """Intelligence records an actor may see: the one place need-to-know is enforced (R5).

    The role's ``view_intelrecord`` permission, and both of:

    * its stage: a draft is its submitter's alone; a pending record is also open to the
      supervisors who may approve it (``approve_intelrecord``); an approved or purged record is
      open to every reader. An unreviewed record is not yet intelligence (28 CFR 23.20(a)).
    * its sensitivity: a restricted record only with a django-guardian grant on that record (to
      the user or one of their groups), or to its submitter. Global permissions never count as a
      grant (``accept_global_perms=False``), and neither does being a superuser: a restricted
      record is for named users only, and a supervisor approves one only once named on it.
    """

    def visible_to(self, actor: User) -> IntelRecordQuerySet[_M]:
        from guardian.shortcuts import get_objects_for_user

        if not actor.has_perm("intel.view_intelrecord"):
            return self.none()
        status = self.model.Status  # type: ignore[attr-defined]
        granted = get_objects_for_user(
            actor,
            "intel.view_intelrecord",
            klass=self.model,
            with_superuser=False,
            accept_global_perms=False,
        )
        mine = models.Q(submitted_by=actor)
        stage = ~models.Q(status__in=[status.DRAFT, status.PENDING]) | mine
        if actor.has_perm("intel.approve_intelrecord"):
            stage |= models.Q(status=status.PENDING)
        sensitivity = (
            ~models.Q(sensitivity="restricted") | mine | models.Q(pk__in=granted.values("pk"))
        )
        return self.filter(stage & sensitivity)


class GroupMembershipQuerySet(VisibleQuerySet[_M]):
    """Memberships: a pending one (not yet intelligence) only to its submitter and the
    supervisors who may approve it; approved and removed ones to every role that reads them."""

    def visible_to(self, actor: User) -> GroupMembershipQuerySet[_M]:
        if not _may_view(actor, self.model):
            return self.none()
        if actor.has_perm("intel.approve_groupmembership"):
            return self.all()
        pending = self.model.Status.PENDING  # type: ignore[attr-defined]
        return self.filter(~models.Q(status=pending) | models.Q(submitted_by=actor))


class ChallengeQuerySet(VisibleQuerySet[_M]):
    """Challenges: the role's ``view_challenge`` and the contested entry visible to the actor,
    so a challenge never names a record (number, counsel, outcome) the actor cannot open."""

    def visible_to(self, actor: User) -> ChallengeQuerySet[_M]:
        if not _may_view(actor, self.model):
            return self.none()
        records = _parent(self, "intel_record").objects.visible_to(actor)  # type: ignore[attr-defined]
        memberships = _parent(self, "membership").objects.visible_to(actor)  # type: ignore[attr-defined]
        return self.filter(
            models.Q(intel_record__in=records.values("pk"))
            | models.Q(membership__in=memberships.values("pk"))
        )


class DisseminationLogQuerySet(VisibleQuerySet[_M]):
    """Who received a record: the role's ``view_disseminationlog`` (supervisors) and only for
    records the actor can see."""

    def visible_to(self, actor: User) -> DisseminationLogQuerySet[_M]:
        if not _may_view(actor, self.model):
            return self.none()
        records = _parent(self, "record").objects.visible_to(actor)  # type: ignore[attr-defined]
        return self.filter(record__in=records.values("pk"))


class IntelRecordPartQuerySet(VisibleQuerySet[_M]):
    """A part of one record shown on its page (review decisions, non-criminal identifiers):
    visible exactly when the record is. The parts have no view permission of their own."""

    def visible_to(self, actor: User) -> IntelRecordPartQuerySet[_M]:
        records = _parent(self, "record").objects.visible_to(actor)  # type: ignore[attr-defined]
        if records.query.is_empty():
            return self.none()
        return self.filter(record__in=records.values("pk"))


class PersonPartQuerySet(VisibleQuerySet[_M]):
    """What belongs to one person (names, name keys, identifiers, links): visible when the
    person is. While people are visible by role alone, no per-row filter is added, so the name
    search keeps its index-only plans."""

    person_fields: tuple[str, ...] = ("person",)

    def visible_to(self, actor: User) -> PersonPartQuerySet[_M]:
        people = _parent(self, self.person_fields[0]).objects.visible_to(actor)  # type: ignore[attr-defined]
        if people.query.is_empty():
            return self.none()
        if not people.query.where:  # every person: nothing to narrow
            return self.all()
        rows = self.all()
        for name in self.person_fields:
            rows = rows.filter(**{f"{name}__in": people.values("pk")})
        return rows


class PersonFactQuerySet(PersonPartQuerySet[_M]):
    """A fact about people with a view permission of its own (a designation, a score, a merge):
    the role's ``view`` permission on the model, and its people visible."""

    def visible_to(self, actor: User) -> PersonFactQuerySet[_M]:
        if not _may_view(actor, self.model):
            return self.none()
        return super().visible_to(actor)  # type: ignore[return-value]


class PersonMergeQuerySet(PersonFactQuerySet[_M]):
    """Merges: the role's ``view_personmerge`` and both people visible."""

    person_fields = ("survivor", "merged")
