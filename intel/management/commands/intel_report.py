"""``manage.py intel_report [--output PATH]``: the 28 CFR Part 23 inspection report (R11)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from csu.actors import system_actor
from csu.exports import csv_bytes
from intel.intelligence import intel_report_rows
from intel.intelligence.selectors import REPORT_HEADER


class Command(BaseCommand):
    help = (
        "Write a CSV of every approved intelligence record with its criminal predicate, "
        "submitter, approver, review date, labels and dissemination history (count and "
        "recipients), for an audit or inspection. The run is recorded in the audit trail."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output",
            type=Path,
            default=None,
            help="Write the CSV to this file instead of standard output.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        output: Path | None = options["output"]
        if output is not None and not output.parent.is_dir():
            raise CommandError(f"{output.parent}: no such directory.")
        rows = intel_report_rows(actor=system_actor())
        body = csv_bytes(REPORT_HEADER, rows)
        if output is None:
            self.stdout.write(body.decode("utf-8"), ending="")
            return
        output.write_bytes(body)
        self.stderr.write(f"{len(rows)} approved records written to {output}.")
