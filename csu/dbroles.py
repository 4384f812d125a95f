"""The application's database role: what the web server, workers and beat may do in PostgreSQL.

Two roles share the database. The *owner* runs migrations and owns every table, sequence and
function; only it can lift the append-only triggers (``csu.append_only``), because ALTER TABLE,
DROP TRIGGER and CREATE OR REPLACE FUNCTION need ownership. The *application* role owns nothing:
it reads and writes rows, may only SELECT and INSERT on the append-only tables, has no TRUNCATE,
REFERENCES or TRIGGER privilege anywhere, and cannot create objects in the schema. So a stolen
application connection (an injected statement, a compromised worker) cannot rewrite the audit
trail or the dissemination log: both the privileges and the triggers refuse it.

:func:`app_role_grant` applies this on the current database. It is idempotent and runs after
every ``migrate`` when ``CSU_DB_APP_ROLE`` is set (so new tables are covered the moment they
appear), and on demand with ``manage.py db_grant_app_role ROLE``.
"""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.db import connections

from csu.append_only import APPEND_ONLY_TABLES

ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def app_role_statements(*, role: str, database: str) -> list[str]:
    """The GRANT/REVOKE statements that make ``role`` the application role of ``database``."""
    if not ROLE_NAME.match(role):
        raise ValueError(f"{role!r} is not a plain PostgreSQL role name (a-z, 0-9, _).")
    r = f'"{role}"'
    db = '"' + database.replace('"', '""') + '"'
    statements = [
        # TEMPORARY: the import pipeline and entity resolution COPY into temp staging tables.
        f"GRANT CONNECT, TEMPORARY ON DATABASE {db} TO {r}",
        f"GRANT USAGE ON SCHEMA public TO {r}",
        # Nobody but the schema's owner creates objects in it (PostgreSQL < 15 let PUBLIC).
        "REVOKE CREATE ON SCHEMA public FROM PUBLIC",
        f"REVOKE CREATE ON SCHEMA public FROM {r}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {r}",
        f"REVOKE TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA public FROM {r}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {r}",
        # setval() on a sequence is a migration's business, not the application's.
        f"REVOKE UPDATE ON ALL SEQUENCES IN SCHEMA public FROM {r}",
    ]
    for table in APPEND_ONLY_TABLES:
        statements.append(f"REVOKE UPDATE, DELETE, TRUNCATE ON {table} FROM {r}")
    return statements


def app_role_grant(*, role: str, using: str = "default") -> list[str]:
    """Grant ``role`` exactly the application's privileges on the database ``using`` points at.

    Must run as the owner of the tables (the role that migrates). Returns the statements run.
    """
    connection = connections[using]
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_database()")
        database = cursor.fetchone()[0]
        statements = app_role_statements(role=role, database=database)
        for statement in statements:
            cursor.execute(statement)
    return statements


def grant_after_migrate(sender: Any, *, using: str = "default", **kwargs: Any) -> None:
    """``post_migrate`` receiver: re-apply the application role's grants after every migrate,
    so a table a migration just created is covered before the application uses it."""
    role = getattr(settings, "CSU_DB_APP_ROLE", None)
    if role:
        app_role_grant(role=role, using=using)
