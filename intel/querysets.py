"""Querysets of the intel app: every read for an interface starts from ``visible_to(actor)``."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import models

_M = TypeVar("_M", bound=models.Model)


class VisibleQuerySet(models.QuerySet[_M]):
    """A queryset that knows which rows an actor may see.

    For now visibility is the role's model-level ``view`` permission (``csu.roles``): a role
    without it sees nothing, rather than being refused, so lists and counts simply come back
    empty. Record-level rules (access rules, legal holds) will narrow this further in one place.
    """

    def visible_to(self, actor: Any) -> VisibleQuerySet[_M]:
        opts = self.model._meta
        has_perm = getattr(actor, "has_perm", None)
        if has_perm is not None and has_perm(f"{opts.app_label}.view_{opts.model_name}"):
            return self.all()
        return self.none()


class IntelRecordQuerySet(VisibleQuerySet[_M]):
    """Intelligence records an actor may see: the one place need-to-know is enforced (R5).

    The role's ``view_intelrecord`` permission, and for a restricted record also one of: a
    django-guardian grant on that record (to the user or one of their groups), or being its
    submitter. Global permissions never count as a grant (``accept_global_perms=False``), and
    neither does being a superuser: a restricted record is for named users only.
    """

    def visible_to(self, actor: Any) -> IntelRecordQuerySet[_M]:
        from guardian.shortcuts import get_objects_for_user

        has_perm = getattr(actor, "has_perm", None)
        if has_perm is None or not has_perm("intel.view_intelrecord"):
            return self.none()
        granted = get_objects_for_user(actor, "intel.view_intelrecord", klass=self.model,
                                       with_superuser=False, accept_global_perms=False)
        return self.filter(~models.Q(sensitivity="restricted") | models.Q(submitted_by=actor)
                           | models.Q(pk__in=granted.values("pk")))
