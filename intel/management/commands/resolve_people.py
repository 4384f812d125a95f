"""``python manage.py resolve_people [--json]``: resolve every arrest not yet linked to a person
or waiting in the review queue (after a threshold change, or for arrests imported before
entity resolution existed)."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand

from csu.actors import system_actor
from intel.people.resolution.engine import resolve_arrests


class Command(BaseCommand):
    help = "Resolve unlinked arrests to people (identifier, automatic, review queue or new)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--json", action="store_true", help="Print one JSON summary line.")

    def handle(self, *args: Any, **options: Any) -> None:
        summary = resolve_arrests(actor=system_actor())
        if options["json"]:
            self.stdout.write(json.dumps(vars(summary)))
            return
        self.stdout.write(
            f"{summary.arrests:,} arrests: {summary.identifier:,} linked by identifier, "
            f"{summary.auto:,} automatically, {summary.review:,} queued for review, "
            f"{summary.new_people:,} new people, in {summary.seconds:.1f} s."
        )
