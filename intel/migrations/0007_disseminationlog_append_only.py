"""The dissemination log is append-only in the database, like the audit trail (28 CFR 23.20(g)):
triggers refuse UPDATE, DELETE and TRUNCATE for every role."""

from django.db import migrations

SQL = """
CREATE OR REPLACE FUNCTION csu_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER intel_disseminationlog_no_update_delete
    BEFORE UPDATE OR DELETE ON intel_disseminationlog
    FOR EACH ROW EXECUTE FUNCTION csu_refuse_change();
CREATE TRIGGER intel_disseminationlog_no_truncate
    BEFORE TRUNCATE ON intel_disseminationlog
    FOR EACH STATEMENT EXECUTE FUNCTION csu_refuse_change();
ALTER TABLE intel_disseminationlog ENABLE ALWAYS TRIGGER intel_disseminationlog_no_update_delete;
ALTER TABLE intel_disseminationlog ENABLE ALWAYS TRIGGER intel_disseminationlog_no_truncate;
REVOKE UPDATE, DELETE, TRUNCATE ON intel_disseminationlog FROM PUBLIC;
"""

REVERSE = """
DROP TRIGGER IF EXISTS intel_disseminationlog_no_update_delete ON intel_disseminationlog;
DROP TRIGGER IF EXISTS intel_disseminationlog_no_truncate ON intel_disseminationlog;
"""


class Migration(migrations.Migration):
    dependencies = [("intel", "0006_intel_records")]

    operations = [migrations.RunSQL(SQL, REVERSE)]
