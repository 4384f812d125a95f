"""Create the four role groups; their permissions come from ``csu.roles.ROLE_PERMISSIONS`` and
are applied after every migrate (``sync_role_permissions``)."""

from django.db import migrations

ROLES = ["prosecutor", "analyst", "supervisor", "admin"]


def create_groups(apps, schema_editor):  # type: ignore[no-untyped-def]
    Group = apps.get_model("auth", "Group")
    for name in ROLES:
        Group.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [("csu", "0002_auditevent_append_only"), ("auth", "0012_alter_user_first_name_max_length")]

    operations = [migrations.RunPython(create_groups, migrations.RunPython.noop)]
