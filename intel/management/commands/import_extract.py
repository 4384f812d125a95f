"""``python manage.py import_extract PATH --kind KIND --agency NAME [--profile NAME] [--json]``

Runs the import in this process (no worker needed), printing progress. Exits 0 with a summary
(``--json``: one JSON object on the last line), or non-zero with a readable message having
written nothing.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

from django.core.checks import Tags
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from csu.actors import system_actor
from intel.ingest.fields import KINDS
from intel.ingest.services import (
    agency_for_import,
    import_create,
    import_follow_ups,
    import_preview,
    import_run,
)
from intel.models import DataImport, MappingProfile


class Command(BaseCommand):
    help = "Import a police data extract (CSV or XLSX) with automatic column mapping."
    # The models' checks only: the URL, template and security checks concern the web server
    # (``manage.py check`` runs them all) and would import every view, plotly and all, before a
    # row is read: seconds a scheduled nightly import would pay for nothing.
    requires_system_checks = [Tags.models]

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("path")
        parser.add_argument("--kind", required=True, choices=sorted(KINDS))
        parser.add_argument("--agency", required=True, help="The agency the extract comes from.")
        parser.add_argument("--profile", help="A saved mapping profile of that agency and kind.")
        parser.add_argument("--sheet", default="", help="XLSX: the sheet to import.")
        parser.add_argument(
            "--time-zone",
            help="The agency's local time zone (IANA name); remembered for the agency.",
        )
        parser.add_argument(
            "--xy-epsg",
            type=int,
            help="EPSG code of projected X/Y columns, for extracts without latitude and longitude.",
        )
        parser.add_argument("--json", action="store_true", help="End with one JSON summary line.")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["path"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        try:
            agency = agency_for_import(name=options["agency"], time_zone=options["time_zone"] or "")
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        profile = None
        if options["profile"]:
            profile = MappingProfile.objects.filter(
                agency=agency, kind=options["kind"], name=options["profile"]
            ).first()
            if profile is None:
                raise CommandError(
                    f"No mapping profile {options['profile']!r} for {agency} {options['kind']}."
                )
        actor = system_actor()
        started = time.monotonic()
        try:
            with open(path, "rb") as source:
                data_import = import_create(
                    actor=actor,
                    source=source,
                    original_name=path.name,
                    kind=options["kind"],
                    agency=agency,
                    sheet=options["sheet"],
                    profile=profile,
                )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        if data_import.status == DataImport.Status.PENDING:
            last = [0.0]

            def progress(phase: str, done: int, total: int) -> None:
                now = time.monotonic()
                if now - last[0] >= 1 or done == total:
                    last[0] = now
                    share = f" {done:,}/{total:,}" if total else ""
                    self.stderr.write(f"  {phase}{share}")

            mapping = None
            if options["xy_epsg"]:
                mapping = import_preview(
                    actor=actor, data_import=data_import, options={"xy_epsg": options["xy_epsg"]}
                ).mapping
            data_import = import_run(
                actor=actor, data_import=data_import, mapping=mapping, progress=progress
            )
        seconds = round(time.monotonic() - started, 2)
        summary = {
            "import_id": data_import.pk,
            "status": data_import.status,
            "rows": data_import.rows,
            "created": data_import.created,
            "updated": data_import.updated,
            "unchanged": data_import.unchanged,
            "rejected": data_import.rejected,
            "folded": data_import.folded,
            "parts": data_import.parts,
            "seconds": seconds,
        }
        if data_import.status == DataImport.Status.DUPLICATE:
            summary["duplicate_of"] = data_import.duplicate_of_id
            self.stdout.write(data_import.error)
        elif data_import.status != DataImport.Status.SUCCEEDED:
            if options["json"]:
                self.stdout.write(json.dumps({**summary, "error": data_import.error}))
            raise CommandError(data_import.error or "The import failed.")
        else:
            people = import_follow_ups(actor=actor, data_import=data_import).people
            if people is not None:
                summary["people"] = people.counts()
                self.stdout.write(
                    f"People: {people.taken()} resolved: {people.identifier:,} by "
                    f"identifier, {people.auto:,} linked automatically, {people.review:,} for "
                    f"review, {people.new_people:,} new people"
                    + (f", {people.via_arrest:,} from their arrest." if people.via_arrest else ".")
                )
            self.stdout.write(
                f"Import #{data_import.pk}: {data_import.outcome}. {data_import.created:,} "
                f"created, {data_import.updated:,} updated, {data_import.unchanged:,} unchanged, "
                f"in {seconds} s."
            )
            if data_import.rejected:
                self.stdout.write(
                    f"Rejected rows and reasons: see import #{data_import.pk} "
                    "in the imports page (CSV download)."
                )
        if options["json"]:
            self.stdout.write(json.dumps(summary))
        sys.stdout.flush()
