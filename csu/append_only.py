"""Append-only tables: triggers that refuse UPDATE, DELETE and TRUNCATE for every role.

One function (``csu_refuse_change``) serves every such table. ``ENABLE ALWAYS`` keeps the
triggers firing even under ``session_replication_role = replica``, and unlike pgtrigger's Protect
they have no session-variable bypass. Only the table owner can lift them, with ALTER TABLE.
"""

from __future__ import annotations

# Every append-only table, for code that must know them (the test suite's flush).
APPEND_ONLY_TABLES = ("csu_auditevent", "intel_disseminationlog")

FUNCTION_SQL = """
CREATE OR REPLACE FUNCTION csu_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
"""


def protect_sql(table: str) -> str:
    """The triggers (and revoked privileges) that make ``table`` append-only."""
    return f"""
CREATE TRIGGER {table}_no_update_delete BEFORE UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION csu_refuse_change();
CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION csu_refuse_change();
ALTER TABLE {table} ENABLE ALWAYS TRIGGER {table}_no_update_delete;
ALTER TABLE {table} ENABLE ALWAYS TRIGGER {table}_no_truncate;
REVOKE UPDATE, DELETE, TRUNCATE ON {table} FROM PUBLIC;
"""


def unprotect_sql(table: str) -> str:
    return f"""
DROP TRIGGER IF EXISTS {table}_no_update_delete ON {table};
DROP TRIGGER IF EXISTS {table}_no_truncate ON {table};
"""
