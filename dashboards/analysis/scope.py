"""What an analysis request is about: the boundary layer it groups by, looked up for the actor."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from csu.models import User
from intel.models import Zone, ZoneLayer


def layer_get(*, actor: User, name: str) -> ZoneLayer:
    """The boundary layer called ``name`` (its slug) among those the actor may see.

    An unknown layer is bad input, not a missing object: the caller asked for a grouping that
    does not exist, so this raises ``ValidationError`` on the ``layer`` field (a 400)."""
    layer = ZoneLayer.objects.visible_to(actor).filter(name=name).first()
    if layer is None:
        raise ValidationError({"layer": [f'No boundary layer is called "{name}".']})
    return layer


def zone_list(*, actor: User, layer: ZoneLayer) -> list[Zone]:
    """The zones of ``layer`` the actor may see, by key (one query): the filters' choices."""
    return list(Zone.objects.visible_to(actor).filter(layer=layer).order_by("key"))
