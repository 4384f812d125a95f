"""The application's database role (``csu.dbroles``): it cannot change the append-only tables.

These tests connect as the role production's web, workers and beat use (``csu_app_test``, made
by the session fixture in ``tests/conftest.py`` with the grants ``migrate`` gives ``csu_app``),
not as the owner the rest of the suite runs as.
"""

# ruff: noqa: S608  (the SQL built here is the attack, on this project's own table names)
from __future__ import annotations

import io
from collections.abc import Iterator

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from csu.append_only import APPEND_ONLY_TABLES
from csu.audit import audit_log
from csu.dbroles import grant_after_migrate
from tests.conftest import APP_ROLE, _database_url

pytestmark = pytest.mark.django_db(transaction=True)


def _per_table(t: str) -> list[str]:
    return [
        f"ALTER TABLE {t} DISABLE TRIGGER {t}_no_update_delete; DELETE FROM {t}",
        f"ALTER TABLE {t} DISABLE TRIGGER ALL; UPDATE {t} SET id = id",
        f"ALTER TABLE {t} DISABLE TRIGGER {t}_no_truncate; TRUNCATE {t}",
        f"ALTER TABLE {t} ENABLE REPLICA TRIGGER {t}_no_update_delete",
        f"DROP TRIGGER {t}_no_update_delete ON {t}; DELETE FROM {t}",
        f"UPDATE {t} SET id = id",
        f"DELETE FROM {t}",
        f"TRUNCATE {t}",
        f"TRUNCATE {t} CASCADE",
        f"SET session_replication_role = replica; DELETE FROM {t}",
        f"ALTER TABLE {t} OWNER TO CURRENT_USER",
        f"ALTER TABLE {t} RENAME TO {t}_old",
        f"ALTER TABLE {t} ADD COLUMN tampered int",
        f"DROP TABLE {t} CASCADE",
        f"CREATE RULE {t}_swallow AS ON INSERT TO {t} DO INSTEAD NOTHING",
        f"CREATE TRIGGER {t}_swallow BEFORE INSERT ON {t} "
        f"FOR EACH ROW EXECUTE FUNCTION csu_refuse_change()",
        f"LOCK TABLE {t} IN ACCESS EXCLUSIVE MODE",
        # GRANT without the grant option only warns, so check that it took effect.
        f"GRANT UPDATE, DELETE, TRUNCATE ON {t} TO CURRENT_USER; "
        f"DO $$ BEGIN IF NOT has_table_privilege('{t}', 'UPDATE') THEN "
        f"RAISE EXCEPTION 'not granted'; END IF; END $$",
        f"COPY {t} TO PROGRAM 'cat > /dev/null'",
    ]


def _database_wide(owner: str) -> list[str]:
    return [
        "CREATE OR REPLACE FUNCTION csu_refuse_change() RETURNS trigger LANGUAGE plpgsql "
        "AS $$ BEGIN RETURN NEW; END $$",
        "DROP FUNCTION csu_refuse_change() CASCADE",
        "ALTER FUNCTION csu_refuse_change() OWNER TO CURRENT_USER",
        "CREATE TABLE public.csu_tamper (id int)",
        "CREATE FUNCTION public.csu_tamper() RETURNS int LANGUAGE sql AS 'SELECT 1'",
        "CREATE SCHEMA csu_tamper",
        f'SET ROLE "{owner}"',
        "ALTER ROLE CURRENT_USER SUPERUSER",
        "ALTER ROLE CURRENT_USER BYPASSRLS",
        "SET pgtrigger.ignore = 'csu_auditevent'; UPDATE csu_auditevent SET outcome = 'success'",
    ]


def _owner() -> str:
    return connection.settings_dict["USER"] or "postgres"


TAMPERING = [s for t in APPEND_ONLY_TABLES for s in _per_table(t)]


def _attempt(url: str, statements: list[str]) -> list[str]:
    """Each statement in its own transaction, always rolled back; the ones that ran."""
    succeeded = []
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SET lock_timeout = '10s'")
        for statement in statements:
            try:
                with conn.transaction(force_rollback=True):
                    conn.execute(statement)
                succeeded.append(statement)
            except psycopg.Error:
                pass
    return succeeded


@pytest.fixture
def stored_rows(analyst) -> Iterator[dict[str, int]]:  # type: ignore[no-untyped-def]
    """One audit event stored, and the row count of every append-only table."""
    audit_log(actor=analyst, action="test.event", component="test")
    yield _counts()


def _counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        counts = {}
        for table in APPEND_ONLY_TABLES:
            cursor.execute(f"SELECT count(*) FROM {table}")
            counts[table] = cursor.fetchone()[0]
    return counts


def _always_enabled_triggers() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_trigger WHERE tgname LIKE '%%_no_%%' "
            "AND tgrelid::regclass::text = ANY(%s) AND tgenabled = 'A'",
            [list(APPEND_ONLY_TABLES)],
        )
        return cursor.fetchone()[0]


def test_no_tamper_statement_succeeds_as_the_application_role(
    app_role_database_url: str, stored_rows: dict[str, int]
) -> None:
    statements = TAMPERING + _database_wide(_owner())

    succeeded = _attempt(app_role_database_url, statements)

    print(
        f"tamper statements that succeeded as the application role: "
        f"{len(succeeded)} of {len(statements)}"
    )
    assert succeeded == []
    assert _counts() == stored_rows
    assert _always_enabled_triggers() == 2 * len(APPEND_ONLY_TABLES)


def test_the_same_statements_would_succeed_as_the_table_owner(stored_rows) -> None:
    """The control: the statements are real attacks, which the owner (what compose used to run
    the app as) gets through, so the test above would notice an application role that can."""
    succeeded = _attempt(_database_url(), TAMPERING)

    print(
        f"tamper statements that succeeded as the table owner (control): "
        f"{len(succeeded)} of {len(TAMPERING)}"
    )
    disable_then_delete = [s for s in succeeded if "DISABLE TRIGGER" in s and "DELETE" in s]
    assert len(disable_then_delete) == len(APPEND_ONLY_TABLES)
    assert _counts() == stored_rows  # every attempt was rolled back


def test_the_application_role_can_still_read_and_append_to_the_audit_trail(
    app_role_database_url: str, stored_rows: dict[str, int]
) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = "
            "'csu_auditevent' AND column_name <> 'id'"
        )
        names = [row[0] for row in cursor.fetchall()]
    columns = ", ".join(names)
    # A copy of the stored event under a new action (every NOT NULL column filled, whatever
    # columns the model has by then).
    values = ", ".join("'app.role.insert'" if n == "action" else n for n in names)

    with psycopg.connect(app_role_database_url, autocommit=True) as conn:
        assert conn.execute("SELECT current_user").fetchone()[0] == APP_ROLE
        seen = conn.execute("SELECT count(*) FROM csu_auditevent").fetchone()[0]
        new_id = conn.execute(
            f"INSERT INTO csu_auditevent ({columns}) SELECT {values} FROM csu_auditevent "
            f"ORDER BY id LIMIT 1 RETURNING id"
        ).fetchone()[0]
        conn.execute("SELECT count(*) FROM intel_disseminationlog").fetchone()

    assert seen == stored_rows["csu_auditevent"]
    assert _counts()["csu_auditevent"] == seen + 1
    with connection.cursor() as cursor:
        cursor.execute("SELECT action FROM csu_auditevent WHERE id = %s", [new_id])
        assert cursor.fetchone()[0] == "app.role.insert"


def test_the_application_role_owns_nothing_and_holds_no_power(app_role_database_url: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT
                 (SELECT count(*) FROM pg_class WHERE relowner = r.oid),
                 (SELECT count(*) FROM pg_proc WHERE proowner = r.oid),
                 (SELECT count(*) FROM pg_namespace WHERE nspowner = r.oid),
                 (SELECT count(*) FROM pg_type WHERE typowner = r.oid),
                 (SELECT count(*) FROM pg_database WHERE datdba = r.oid),
                 r.rolsuper, r.rolcreatedb, r.rolcreaterole, r.rolbypassrls, r.rolreplication,
                 has_schema_privilege(r.oid, 'public', 'CREATE'),
                 has_database_privilege(r.oid, current_database(), 'CREATE'),
                 has_database_privilege(r.oid, current_database(), 'TEMPORARY')
               FROM pg_roles r WHERE r.rolname = %s""",
            [APP_ROLE],
        )
        (
            tables,
            functions,
            schemas,
            types,
            databases,
            superuser,
            createdb,
            createrole,
            bypassrls,
            replication,
            create_in_schema,
            create_in_db,
            temporary,
        ) = cursor.fetchone()
        cursor.execute(
            """SELECT c.relname, p.privilege FROM pg_class c
               JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
               CROSS JOIN unnest(ARRAY['TRUNCATE', 'REFERENCES', 'TRIGGER']) AS p(privilege)
               WHERE c.relkind IN ('r', 'p') AND has_table_privilege(%s, c.oid, p.privilege)""",
            [APP_ROLE],
        )
        powers = cursor.fetchall()
        cursor.execute(
            """SELECT t, p FROM unnest(%s::text[]) AS t,
                 unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE']) AS p
               WHERE has_table_privilege(%s, t, p)""",
            [list(APPEND_ONLY_TABLES), APP_ROLE],
        )
        on_append_only = sorted(cursor.fetchall())

    owned = tables + functions + schemas + types + databases
    print(
        f"objects the application role owns: {owned}; "
        f"TRUNCATE/REFERENCES/TRIGGER privileges it holds: {len(powers)}"
    )
    assert owned == 0
    assert not (superuser or createdb or createrole or bypassrls or replication)
    assert not create_in_schema and not create_in_db
    assert temporary  # the import pipeline stages rows in temp tables
    assert powers == []
    expected = sorted((t, p) for t in APPEND_ONLY_TABLES for p in ("INSERT", "SELECT"))
    assert on_append_only == expected


def test_migrate_reapplies_the_grants_to_the_named_role(settings, app_role_database_url) -> None:
    settings.CSU_DB_APP_ROLE = APP_ROLE
    with connection.cursor() as cursor:
        cursor.execute(f"REVOKE ALL ON csu_auditevent, intel_person FROM {APP_ROLE}")
        cursor.execute(f"GRANT DELETE ON csu_auditevent TO {APP_ROLE}")  # a DBA's slip
    try:
        call_command("migrate", interactive=False, verbosity=0)

        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT has_table_privilege(%s, 'csu_auditevent', 'INSERT'), "
                "has_table_privilege(%s, 'csu_auditevent', 'DELETE'), "
                "has_table_privilege(%s, 'intel_person', 'UPDATE')",
                [APP_ROLE] * 3,
            )
            assert cursor.fetchone() == (True, False, True)
    finally:
        grant_after_migrate(sender=None)


def test_the_dba_command_grants_a_role_and_refuses_a_strange_name(app_role_database_url) -> None:
    with pytest.raises(CommandError, match="not a plain PostgreSQL role name"):
        call_command("db_grant_app_role", 'csu_app"; DROP TABLE csu_auditevent; --')
    with connection.cursor() as cursor:
        cursor.execute(f"REVOKE INSERT ON csu_auditevent FROM {APP_ROLE}")

    out = io.StringIO()
    call_command("db_grant_app_role", APP_ROLE, stdout=out)

    with connection.cursor() as cursor:
        cursor.execute("SELECT has_table_privilege(%s, 'csu_auditevent', 'INSERT')", [APP_ROLE])
        assert cursor.fetchone()[0] is True
    assert f"Granted {APP_ROLE} the application's privileges" in out.getvalue()


WRITER_LOG = """
CREATE TABLE test_writer_log (username text);
CREATE FUNCTION test_log_writer() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER AS $$
BEGIN INSERT INTO test_writer_log VALUES (session_user); RETURN NULL; END $$;
CREATE TRIGGER test_log_writer AFTER UPDATE ON csu_user
    FOR EACH STATEMENT EXECUTE FUNCTION test_log_writer();
"""


@pytest.mark.worker
def test_the_celery_worker_writes_as_the_application_role(worker, make_user) -> None:
    """The real-worker tests (imports, resolution) therefore run as the role production uses."""
    import time
    from datetime import timedelta

    from django.utils import timezone

    from csu.models import AuditEvent, User
    from csu.tasks import accounts_disable_stale_task

    queue, proc = worker
    idle = make_user("analyst", "idle.analyst")
    User.objects.filter(pk=idle.pk).update(last_login=timezone.now() - timedelta(days=120))
    with connection.cursor() as cursor:  # who signs in to update csu_user from now on
        cursor.execute(WRITER_LOG)
    try:
        accounts_disable_stale_task.apply_async(queue=queue)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and User.objects.get(pk=idle.pk).is_active:
            assert proc.poll() is None, proc.log_path.read_text()
            time.sleep(0.25)
        with connection.cursor() as cursor:
            cursor.execute("SELECT DISTINCT username FROM test_writer_log")
            writers = sorted(row[0] for row in cursor.fetchall())
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE test_writer_log; DROP FUNCTION test_log_writer() CASCADE")

    print(f"database users the worker wrote as: {writers}")
    assert AuditEvent.objects.filter(action="user.disable", object_id=str(idle.pk)).exists()
    assert writers == [APP_ROLE]
