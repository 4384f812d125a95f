"""Boundaries: import zone layers (precincts, districts, beats) and place records in zones.

A layer comes from a GeoJSON file or a zipped shapefile in any coordinate system. It is read with
pyogrio, reprojected to WGS84, repaired, dissolved by its key and upserted as ``Zone`` rows; the
records whose zone may have changed are then reassigned with one set-based UPDATE per batch.
Placing points in zones and reassigning records is in ``zones.py``.
"""

from __future__ import annotations

import json
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyogrio
import shapely
from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from csu.audit import audit_log
from csu.models import User
from intel.models import Zone, ZoneLayer
from intel.records.zones import located_models, records_reassign_zones, zone_index_clear

SUFFIXES = (".geojson", ".json", ".zip")
_DRIVERS = {"GeoJSON", "ESRI Shapefile"}
_POLYGONAL = {"Polygon", "MultiPolygon"}
# Property names that usually identify a zone, best first. "dist_num" outranks "district"
# because an ArcInfo coverage's "DISTRICT_" is its internal sequence number.
_KEY_WORDS = (
    "precinct",
    "dist_num",
    "district",
    "beat",
    "ward",
    "zone",
    "sector",
    "area",
    "pct",
    "id",
)
# GIS bookkeeping columns: unique, but not a zone's identity.
_SYSTEM_FIELD = re.compile(
    r"^(objectid(_\d+)?|fid|gid|ogc_fid|globalid|shape_.*|st_.*|.*_)$", re.IGNORECASE
)
_NAME_FIELD = re.compile(r"^(name|label|title|.*_?name|.*_nm)$", re.IGNORECASE)


def _source_of(path: Path) -> str:
    """The GDAL path to read: the file itself, or the one layer inside a zip."""
    if path.suffix.lower() != ".zip":
        return str(path)
    try:
        with zipfile.ZipFile(path) as archive:
            names = [
                n
                for n in archive.namelist()
                if not n.startswith("__MACOSX/") and not n.endswith("/")
            ]
    except zipfile.BadZipFile as exc:
        raise ValidationError(f"{path.name} is not a valid zip file.") from exc
    shapefiles = [n for n in names if n.lower().endswith(".shp")]
    inner = shapefiles or [n for n in names if n.lower().endswith((".geojson", ".json"))]
    if len(inner) != 1:
        found = ", ".join(inner) if inner else "no .shp or GeoJSON file"
        raise ValidationError(
            f"{path.name} must hold exactly one shapefile (.shp with its .shx, .dbf and .prj) "
            f"or one GeoJSON file; found {found}."
        )
    return f"/vsizip/{path}/{inner[0]}"


def _read(path: Path) -> pd.DataFrame:
    """The file's features as a GeoDataFrame in its own CRS; ValidationError if unreadable."""
    if path.suffix.lower() not in SUFFIXES:
        raise ValidationError(
            f"{path.name}: boundaries must be GeoJSON (.geojson, .json) or a zipped shapefile "
            "(.zip)."
        )
    source = _source_of(path)
    try:
        driver = pyogrio.read_info(source)["driver"]
        if driver not in _DRIVERS:
            raise ValidationError(f"{path.name} is a {driver} file, not GeoJSON or a shapefile.")
        return pyogrio.read_dataframe(source)
    except (
        pyogrio.errors.DataSourceError,
        pyogrio.errors.DataLayerError,
        pyogrio.errors.FieldError,
        pyogrio.errors.GeometryError,
        OSError,
    ) as exc:
        reason = str(exc).split("; It might help")[0].replace(source, path.name)
        raise ValidationError(
            f"{path.name} could not be read as GeoJSON or a shapefile ({reason})."
        ) from exc


def _to_wgs84(frame: Any, name: str) -> Any:
    """Reproject to EPSG:4326 (lon, lat). A file without a CRS is taken as WGS84 (as RFC 7946
    says of GeoJSON) only if its coordinates fit; a projected one needs its .prj."""
    if frame.crs is None:
        minx, miny, maxx, maxy = frame.total_bounds
        if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
            raise ValidationError(
                f"{name} does not say its coordinate system and its coordinates are not "
                "longitude/latitude; include the shapefile's .prj or a GeoJSON crs."
            )
        return frame.set_crs(4326)
    return frame.to_crs(4326)


def _polygonal(geom: Any) -> Any:
    """The Polygon/MultiPolygon part of a geometry (repairing it first), or None."""
    if geom is None or shapely.is_empty(geom):
        return None
    if not shapely.is_valid(geom):
        geom = shapely.make_valid(geom)
    if geom.geom_type in _POLYGONAL:
        return geom
    parts = [p for p in shapely.get_parts(geom) if p.geom_type in _POLYGONAL]
    return shapely.union_all(parts) if parts else None


def _key_of(value: Any) -> str | None:
    """A property value as a zone key: "15", never "15.0"; None if missing or not key-like."""
    if isinstance(value, bool | np.bool_) or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        return str(int(value)) if float(value).is_integer() else None
    text = str(value).strip()
    if re.fullmatch(r"-?\d+\.0+", text):
        text = text.split(".")[0]
    return text if 0 < len(text) <= 64 and not re.fullmatch(r"-?\d*\.\d+", text) else None


@dataclass(frozen=True)
class _KeyChoice:
    field: str
    keys: list[str]
    reason: str


def _choose_key(props: pd.DataFrame, key_field: str | None, name: str) -> _KeyChoice:
    """The property that identifies each zone: the one given, else the best-named property
    whose values are zone-identifier-like and (nearly) unique per feature."""
    columns = [str(c) for c in props.columns]
    if key_field:
        folded = [c for c in columns if c.casefold() == key_field.casefold()]
        key_field = key_field if key_field in columns or len(folded) != 1 else folded[0]
        if key_field not in columns:
            listed = ", ".join(columns) or "none"
            raise ValidationError(
                f'{name} has no property "{key_field}"; its properties are: {listed}.'
            )
        given = [_key_of(v) for v in props[key_field].tolist()]
        missing = sum(k is None for k in given)
        if missing:
            raise ValidationError(
                f'{missing} of {len(given)} features have no usable "{key_field}" value '
                "(empty, or not an identifier)."
            )
        return _KeyChoice(key_field, [k for k in given if k is not None], "given")
    ranked: list[tuple[tuple[int, int, bool, int], str, list[str], bool]] = []
    for position, column in enumerate(columns):
        found = [_key_of(v) for v in props[column].tolist()]
        keys = [k for k in found if k is not None]
        if not keys or len(keys) < len(found) or _SYSTEM_FIELD.match(column):
            continue
        unique = len(set(keys)) == len(keys)
        lowered = column.lower()
        word = next((i for i, w in enumerate(_KEY_WORDS) if w in lowered), len(_KEY_WORDS))
        if not unique and (word == len(_KEY_WORDS) or len(set(keys)) < len(keys) / 2):
            continue  # a grouping (division, borough), not one zone per value
        exact = 0 if word < len(_KEY_WORDS) and lowered == _KEY_WORDS[word] else 1
        ranked.append(((word, exact, not unique, position), column, keys, unique))
    if not ranked:
        raise ValidationError(
            f"Could not tell which property of {name} identifies each zone; name it with the "
            f"key field (properties: {', '.join(columns) or 'none'})."
        )
    _, best, best_keys, best_unique = min(ranked, key=lambda r: r[0])
    why = "unique per feature" if best_unique else "shared by some features, which are merged"
    return _KeyChoice(best, best_keys, f"detected: {why}")


def _name_field(props: pd.DataFrame, key_field: str) -> str | None:
    for column in props.columns:
        if (
            column != key_field
            and _NAME_FIELD.match(str(column))
            and (props[column].map(lambda v: isinstance(v, str) and bool(v.strip())).all())
        ):
            return str(column)
    return None


def _zones_from_file(
    path: Path, key_field: str | None, label: str
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Read, reproject, repair and dissolve: one dict per zone plus facts for the summary."""
    frame = _read(path)
    if len(frame) == 0:
        raise ValidationError(f"{path.name} holds no features.")
    source_crs = frame.crs.to_string()[:64] if frame.crs is not None else "EPSG:4326"
    frame = _to_wgs84(frame, path.name)
    geoms = [_polygonal(g) for g in frame.geometry.array]
    keep = np.array([g is not None for g in geoms])
    if not keep.any():
        kinds = ", ".join(sorted(set(frame.geom_type.dropna()))) or "no geometry"
        raise ValidationError(
            f"{path.name} has no polygons (found {kinds}); zone boundaries must be Polygon or "
            "MultiPolygon features."
        )
    props = frame.drop(columns=frame.geometry.name)[keep].reset_index(drop=True)
    choice = _choose_key(props, key_field, path.name)
    name_field = _name_field(props, choice.field)
    table = pd.DataFrame(
        {
            "key": choice.keys,
            "name": props[name_field].str.strip() if name_field else None,
            "geometry": [g for g in geoms if g is not None],
        }
    )
    zones = []
    for key, group in table.groupby("key", sort=True):
        parts = group["geometry"].tolist()
        geom = parts[0] if len(parts) == 1 else _polygonal(shapely.union_all(parts))
        minx, miny, maxx, maxy = shapely.bounds(geom)
        zones.append(
            {
                "key": str(key),
                "name": (group["name"].iloc[0] if name_field else f"{label} {key}")[:200],
                "geometry": json.loads(shapely.to_geojson(geom)),
                "min_lat": miny,
                "min_lon": minx,
                "max_lat": maxy,
                "max_lon": maxx,
            }
        )
    facts = {
        "features": len(frame),
        "polygon_features": int(keep.sum()),
        "key_field": choice.field,
        "key_field_reason": choice.reason,
        "name_field": name_field or "",
        "source_crs": source_crs,
    }
    return zones, facts


def layer_slug(name: str) -> str:
    """The short name a layer is stored under: the name itself if it is a slug already, else
    ``slugify`` of it ("DC districts" is "dc-districts"); ValidationError if nothing is left."""
    slug = slugify(name)[:64].strip("-_")
    if not slug:
        raise ValidationError(
            f'"{name}" cannot name a layer: it has no letter or digit to make its short name '
            '(a slug such as "dc-districts") from.'
        )
    try:
        validate_slug(name)
    except ValidationError:
        return slug
    return name


@transaction.atomic
def boundary_layer_import(
    *,
    actor: User,
    path: Path,
    layer: str,
    key_field: str | None = None,
    label: str | None = None,
    priority: int | None = None,
) -> ZoneLayer:
    """Import (or re-import) a boundary layer from a GeoJSON file or zipped shapefile.

    Zones are upserted by key, zones no longer in the file are deleted, and the records whose
    zone may have changed are reassigned. Bad input raises ValidationError having written
    nothing. The returned layer carries ``import_summary`` (key field, counts) for interfaces.

    ``layer`` may be any name ("DC districts"): the layer is stored under its slug
    ("dc-districts"), and a name that is not already a slug is the label unless one is given.
    """
    name = layer_slug(layer)
    existing = ZoneLayer.objects.select_for_update().filter(name=name).first()
    if not label and name != layer.strip():
        label = layer.strip()[:120]
    label = label or (existing.label if existing else name.replace("-", " ").title())
    zones, facts = _zones_from_file(Path(path), key_field, label)

    layer_obj = existing or ZoneLayer(name=name)
    layer_obj.label = label
    layer_obj.key_field = facts["key_field"]
    layer_obj.source_crs = facts["source_crs"]
    layer_obj.feature_count = facts["features"]
    layer_obj.imported_by = actor
    layer_obj.imported_at = timezone.now()
    if priority is not None:
        layer_obj.priority = priority
    layer_obj.save()

    current = {z.key: z for z in Zone.objects.filter(layer=layer_obj)}
    fields = ["name", "geometry", "min_lat", "min_lon", "max_lat", "max_lon"]
    created, changed = [], []
    for data in zones:
        zone = current.pop(data["key"], None)
        if zone is None:
            created.append(Zone(layer=layer_obj, **data))
        elif any(getattr(zone, f) != data[f] for f in fields):
            for f in fields:
                setattr(zone, f, data[f])
            changed.append(zone)
    Zone.objects.bulk_create(created, batch_size=500)
    Zone.objects.bulk_update(changed, fields, batch_size=200)
    stale = [z.pk for z in current.values()]
    if stale:
        for model in located_models():  # set-based, so the delete need not visit each record
            model._default_manager.filter(zone_id__in=stale).update(zone=None)
        Zone.objects.filter(pk__in=stale).delete()
    zone_index_clear()

    reassigned = records_reassign_zones(layer=layer_obj)
    summary = {
        **facts,
        "zones": len(zones),
        "created": len(created),
        "updated": len(changed),
        "unchanged": len(zones) - len(created) - len(changed),
        "removed": len(stale),
        "reassigned": reassigned,
    }
    audit_log(
        actor=actor, action="boundaries.import", obj=layer_obj, file=Path(path).name, **summary
    )
    layer_obj.import_summary = summary  # type: ignore[attr-defined]
    return layer_obj
