"""``manage.py import_boundaries PATH --layer NAME``: import a boundary layer as the system.

NAME may be any name ("DC districts"); the layer is stored under its slug ("dc-districts")."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from csu.actors import system_actor
from intel.records.boundaries import boundary_layer_import


class Command(BaseCommand):
    help = (
        "Import zone boundaries (police precincts, districts, beats) from a GeoJSON file or a "
        "zipped shapefile in any coordinate system, then reassign records to zones. "
        "Re-importing a layer updates it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="A .geojson/.json file or a zipped shapefile.")
        parser.add_argument(
            "--layer",
            required=True,
            help='Layer name, e.g. "precincts" or "DC districts": stored under its slug '
            '("dc-districts"); a name that is not a slug is also the label, unless --label '
            "is given.",
        )
        parser.add_argument(
            "--key-field",
            default=None,
            help="The property identifying each zone (detected if omitted).",
        )
        parser.add_argument("--label", default=None, help='Display label, e.g. "Precincts".')
        parser.add_argument(
            "--priority",
            type=int,
            default=None,
            help="Where layers overlap the lower number wins (default 100).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file.")
        priority = options["priority"]
        if priority is not None and not 0 <= priority <= 32767:
            raise CommandError("--priority must be between 0 and 32767.")
        try:
            layer = boundary_layer_import(
                actor=system_actor(),
                path=path,
                layer=options["layer"],
                key_field=options["key_field"],
                label=options["label"],
                priority=priority,
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        s = layer.import_summary  # type: ignore[attr-defined]
        self.stdout.write(
            f'Layer "{layer.name}" ({layer.label}, priority {layer.priority}) from {path.name}: '
            f"{s['features']} features in {s['source_crs']}, {s['polygon_features']} with "
            "polygons."
        )
        self.stdout.write(f'Key field: "{s["key_field"]}" ({s["key_field_reason"]}).')
        self.stdout.write(
            f"Zones: {s['zones']} ({s['created']} created, {s['updated']} updated, "
            f"{s['unchanged']} unchanged, {s['removed']} removed)."
        )
        moved = ", ".join(f"{name} {count}" for name, count in s["reassigned"].items())
        self.stdout.write(f"Records reassigned: {moved or 'none'}.")
