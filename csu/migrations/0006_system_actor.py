"""The system actor (``csu.actors``): a real user row that tasks, commands and signals act as,
so permission checks and the audit trail never see ``None``. It cannot sign in: inactive, an
unusable password, no group, no permission, not staff."""

from django.contrib.auth.hashers import make_password
from django.db import migrations

SYSTEM_USERNAME = "system"


def create_system_actor(apps, schema_editor):
    User = apps.get_model("csu", "User")
    user, created = User.objects.get_or_create(
        username=SYSTEM_USERNAME,
        defaults={
            "is_active": False,
            "is_staff": False,
            "is_superuser": False,
            "password": make_password(None),
            "first_name": "CSU",
            "last_name": "system",
        },
    )
    if not created and (user.is_active or user.is_staff or user.is_superuser
                        or not user.password.startswith("!")):
        # A person's account already holds the name: never take it over silently.
        raise RuntimeError(
            f"A user named {SYSTEM_USERNAME!r} already exists and can sign in; rename it "
            "before migrating (the name is reserved for the system actor)."
        )


class Migration(migrations.Migration):

    dependencies = [
        ("csu", "0005_api_tokens_mfa_enrolment"),
    ]

    operations = [
        # Reversing leaves the row: audit events may name it (their foreign key protects it).
        migrations.RunPython(create_system_actor, migrations.RunPython.noop),
    ]
