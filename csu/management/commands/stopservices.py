"""Stop the embedded PostgreSQL and Redis started for this checkout (``make stop``)."""

from typing import Any

from django.core.management.base import BaseCommand

from csu import embedded


class Command(BaseCommand):
    help = "Stop the embedded PostgreSQL and Redis under var/."

    def handle(self, *args: Any, **options: Any) -> None:
        stopped = embedded.stop_services()
        self.stdout.write(f"Stopped: {', '.join(stopped)}" if stopped else "Nothing was running.")
