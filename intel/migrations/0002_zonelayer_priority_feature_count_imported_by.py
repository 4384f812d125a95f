# Boundaries: layer priority (lower wins where layers overlap), feature count, who imported it.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('intel', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='zonelayer',
            name='priority',
            field=models.PositiveSmallIntegerField(default=100, help_text="Where layers overlap, a point goes to the lower number's zone."),
        ),
        migrations.AddField(
            model_name='zonelayer',
            name='feature_count',
            field=models.PositiveIntegerField(default=0, help_text='Features in the last imported file, before dissolving by key.'),
        ),
        migrations.AddField(
            model_name='zonelayer',
            name='imported_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
    ]
