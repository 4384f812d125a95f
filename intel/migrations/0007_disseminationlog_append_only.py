"""The dissemination log is append-only in the database, like the audit trail (28 CFR 23.20(g))."""

from django.db import migrations

from csu.append_only import FUNCTION_SQL, protect_sql, unprotect_sql

TABLE = "intel_disseminationlog"


class Migration(migrations.Migration):
    dependencies = [("intel", "0006_intel_records"), ("csu", "0004_one_append_only_function")]

    operations = [migrations.RunSQL(FUNCTION_SQL + protect_sql(TABLE), unprotect_sql(TABLE))]
