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
