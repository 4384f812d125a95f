"""What an analysis request is about: the boundary layer it groups by, looked up for the actor."""

from __future__ import annotations

from django.contrib.postgres.aggregates import ArrayAgg
from django.core.exceptions import ValidationError
from django.db.models import Q

from csu.models import User
from intel.models import Zone, ZoneLayer


def layer_get(*, actor: User, name: str) -> ZoneLayer:
    """The boundary layer called ``name`` (its slug) among those the actor may see.

    An unknown layer is bad input, not a missing object: the caller asked for a grouping that
    does not exist, so this raises ``ValidationError`` on the ``layer`` field (a 400). The
    layer comes with its zones' ids (``in_layer``), in the same query."""
    layer = (
        ZoneLayer.objects.visible_to(actor)
        .filter(name=name)
        .annotate(zone_ids=ArrayAgg("zones__id", default=[]))
        .first()
    )
    if layer is None:
        raise ValidationError({"layer": [f'No boundary layer is called "{name}".']})
    return layer


def zone_list(*, actor: User, layer: ZoneLayer) -> list[Zone]:
    """The zones of ``layer`` the actor may see, by key (one query): the filters' choices."""
    return list(Zone.objects.visible_to(actor).filter(layer=layer).order_by("key"))


def in_layer(layer: ZoneLayer, field: str = "zone_id") -> Q:
    """Records whose stored zone is one of ``layer``'s, as ``zone_id IN (ids...)``.

    Not a join on the zone's layer: PostgreSQL estimates a join through a small table such as
    the zones (rarely analysed: a layer of 25 zones never reaches autovacuum's threshold) at
    one zone, and then visits the records zone by zone, reading the whole table once per zone
    (6.7 s instead of 1.3 s for a trend at 1,000,000 incidents). A list of ids is estimated
    from the records' own statistics. The ids come with the layer from ``layer_get`` or
    ``intel.records.selectors.zone_layer_list``; any other layer costs one query for them."""
    ids = getattr(layer, "zone_ids", None)
    if ids is None:
        ids = list(Zone.objects.filter(layer=layer).values_list("id", flat=True))
        layer.zone_ids = ids  # type: ignore[attr-defined]
    return Q(**{f"{field}__in": [i for i in ids if i is not None]})
