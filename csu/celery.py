"""The Celery application: ``celery -A csu worker`` / ``celery -A csu beat``."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "csu.settings.local")

app = Celery("csu")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
