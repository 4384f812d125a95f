"""``python manage.py resolve_people [--json]``: resolve every arrest, named shooting victim and
case defendant not yet linked to a person or waiting in the review queue (after a threshold
change, or for records imported before entity resolution existed)."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand

from csu.actors import system_actor
from intel.people.resolution.engine import resolve_records


class Command(BaseCommand):
    help = (
        "Resolve unlinked arrests, shooting victims and case defendants to people "
        "(identifier, automatic, review queue or new)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--json", action="store_true", help="Print one JSON summary line.")

    def handle(self, *args: Any, **options: Any) -> None:
        summary = resolve_records(actor=system_actor())
        if options["json"]:
            self.stdout.write(json.dumps(vars(summary)))
            return
        self.stdout.write(
            f"{summary.taken()}: {summary.identifier:,} linked by identifier, "
            f"{summary.auto:,} automatically, {summary.via_arrest:,} through their case's "
            f"arrest, {summary.review:,} queued for review, {summary.new_people:,} new people, "
            f"in {summary.seconds:.1f} s."
        )
