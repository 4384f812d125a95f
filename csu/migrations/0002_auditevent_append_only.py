"""Make the audit trail append-only in the database itself (CJIS AU-9, ASVS 16.4.2).

Triggers refuse UPDATE, DELETE and TRUNCATE for every role, superusers included, and unlike
pgtrigger's Protect they have no session-variable bypass. Only the table owner can drop them,
with ALTER TABLE, which is itself a change visible in the schema. Retention of audit rows past
their minimum keeps them (C12 asks for at least a year; purging is an owner-run procedure).
"""

from django.db import migrations

SQL = """
CREATE OR REPLACE FUNCTION csu_refuse_audit_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'csu_auditevent is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER csu_auditevent_no_update_delete
    BEFORE UPDATE OR DELETE ON csu_auditevent
    FOR EACH ROW EXECUTE FUNCTION csu_refuse_audit_change();

CREATE TRIGGER csu_auditevent_no_truncate
    BEFORE TRUNCATE ON csu_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION csu_refuse_audit_change();

ALTER TABLE csu_auditevent ENABLE ALWAYS TRIGGER csu_auditevent_no_update_delete;
ALTER TABLE csu_auditevent ENABLE ALWAYS TRIGGER csu_auditevent_no_truncate;
REVOKE UPDATE, DELETE, TRUNCATE ON csu_auditevent FROM PUBLIC;
"""

REVERSE = """
DROP TRIGGER IF EXISTS csu_auditevent_no_update_delete ON csu_auditevent;
DROP TRIGGER IF EXISTS csu_auditevent_no_truncate ON csu_auditevent;
DROP FUNCTION IF EXISTS csu_refuse_audit_change();
"""


class Migration(migrations.Migration):
    dependencies = [("csu", "0001_initial")]

    operations = [migrations.RunSQL(SQL, REVERSE)]
