"""Retention that runs: who removed a membership and why (a category, not content), the
membership's screen attestation as a column rather than in the append-only audit detail, and
when an import's file and rollback snapshot were deleted."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("intel", "0008_people_resolution_groups"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="groupmembership",
            name="removal_category",
            field=models.CharField(
                blank=True, max_length=16,
                choices=[("no_longer_valid", "Removed by a supervisor"),
                         ("challenge_upheld", "Challenge upheld"),
                         ("review_lapsed", "Not revalidated by its review date")]),
        ),
        migrations.AddField(
            model_name="groupmembership",
            name="removed_by",
            field=models.ForeignKey(
                blank=True, null=True, on_delete=django.db.models.deletion.PROTECT,
                related_name="+", to=settings.AUTH_USER_MODEL,
                help_text="Empty when the system removed it (review lapsed)."),
        ),
        migrations.AddField(
            model_name="groupmembership",
            name="screen_attestation",
            field=models.TextField(
                blank=True,
                help_text="Supervisor: how screen terms relate directly to criminal conduct."),
        ),
        migrations.AlterField(
            model_name="groupmembership",
            name="removal_reason",
            field=models.TextField(
                blank=True,
                help_text="Content-free once removed: the category and any challenge id."),
        ),
        migrations.AddField(
            model_name="dataimport",
            name="file_deleted_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="dataimport",
            name="snapshot_deleted_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
    ]
