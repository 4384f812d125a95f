"""The audit trail's triggers move to the one function every append-only table shares
(``csu.append_only``); the audit-specific function goes."""

from django.db import migrations

from csu.append_only import FUNCTION_SQL, protect_sql, unprotect_sql

FORWARD = (FUNCTION_SQL + unprotect_sql("csu_auditevent") + protect_sql("csu_auditevent")
           + "DROP FUNCTION IF EXISTS csu_refuse_audit_change();")


class Migration(migrations.Migration):
    dependencies = [("csu", "0003_roles")]

    operations = [migrations.RunSQL(FORWARD, migrations.RunSQL.noop)]
