"""``manage.py db_grant_app_role ROLE``: give a database role the application's privileges.

For a DBA: run it as the owner of the tables (the role that migrates) after creating the
application role, or after restoring a dump. ``migrate`` does the same by itself when
``CSU_DB_APP_ROLE`` is set. See ``csu.dbroles`` for what the role may and may not do.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from csu.dbroles import ROLE_NAME, app_role_grant


class Command(BaseCommand):
    help = "Grant ROLE the application's privileges (no TRUNCATE, append-only tables read/insert)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("role", help="the application's PostgreSQL role, e.g. csu_app")
        parser.add_argument("--database", default="default")

    def handle(self, *args: Any, **options: Any) -> None:
        role = options["role"]
        if not ROLE_NAME.match(role):
            raise CommandError(f"{role!r} is not a plain PostgreSQL role name (a-z, 0-9, _).")
        statements = app_role_grant(role=role, using=options["database"])
        self.stdout.write(
            f"Granted {role} the application's privileges ({len(statements)} statements)."
        )
