"""``manage.py import_watchlist PATH --list "Category/Group/Sub-group" --owner USERNAME
[--json]``: load a CSV of watch entries (columns in ``alerts.services.imports.COLUMNS``)."""

from __future__ import annotations

import json
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from alerts.services.imports import watchlist_import
from csu.actors import system_actor


class Command(BaseCommand):
    help = (
        "Import watch entries from a CSV (type, last_name, first_name, dob, state_id, charge, "
        "address, latitude, longitude, radius_m, zone, reason, expires) into a watch list, "
        "creating the lists along its path. Atomic and idempotent; bad rows are reported."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path")
        parser.add_argument("--list", required=True, dest="list_path", help="Category/Group/Sub")
        parser.add_argument("--owner", required=True, help="Username of the lists' owner.")
        parser.add_argument("--json", action="store_true", help="Print a JSON summary last.")

    def handle(self, *args: Any, **options: Any) -> None:
        owner = get_user_model().objects.filter(username=options["owner"]).first()
        if owner is None:
            raise CommandError(f"No user named {options['owner']!r}: nothing was imported.")
        try:
            result = watchlist_import(
                actor=system_actor(),
                path=options["path"],
                list_path=options["list_path"],
                owner=owner,
            )
        except (ValidationError, PermissionDenied) as exc:
            text = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            raise CommandError(f"{text} Nothing was imported.") from exc
        for line, reason in result.rejects:
            self.stderr.write(f"line {line}: rejected: {reason}")
        summary = (
            f"{result.rows} rows: {result.created} created, {result.updated} updated, "
            f"{len(result.rejects)} rejected (list #{result.list_id})."
        )
        if options["json"]:
            self.stdout.write(summary)
            self.stdout.write(json.dumps(result.as_json()))
        else:
            self.stdout.write(self.style.SUCCESS(summary))
