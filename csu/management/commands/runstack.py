"""Bring up the whole application on this machine: servers, schema, demo data, web, worker, beat.

``python manage.py runstack`` (the README's ``make run``) starts the embedded PostgreSQL and Redis
unless ``DATABASE_URL``/``REDIS_URL`` name others, migrates, seeds the demo county once, then runs
gunicorn, a Celery worker and Celery beat until interrupted, and stops what it started. On the
embedded server the first steps run as the owner and the three processes as ``csu_app``.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from csu import embedded

QUEUES = "default,imports,alerts,analysis"


class Command(BaseCommand):
    help = "Run CSU: web server, Celery worker and beat, on the embedded or configured servers."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--no-seed", action="store_true", help="Do not seed the demo county.")
        parser.add_argument("--web-workers", type=int, default=2)

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("Database schema is up to date.")
        if not options["no_seed"]:
            call_command("seed_demo")
        call_command("collectstatic", interactive=False, verbosity=0)

        env = {**os.environ, "DJANGO_SETTINGS_MODULE": os.environ["DJANGO_SETTINGS_MODULE"]}
        if embedded.wants_embedded_database():
            # Migrated and seeded as the owner (postgres); web, worker and beat run as the
            # application role, which owns nothing and cannot touch the append-only tables.
            env["DATABASE_URL"] = embedded.database_url(user=embedded.APP_ROLE)
        python = sys.executable
        address = f"{options['host']}:{options['port']}"
        commands = {
            "web": [
                python,
                "-m",
                "gunicorn",
                "csu.wsgi:application",
                "--bind",
                address,
                "--workers",
                str(options["web_workers"]),
                "--access-logfile",
                "-",
            ],
            "worker": [
                python,
                "-m",
                "celery",
                "-A",
                "csu",
                "worker",
                "-Q",
                QUEUES,
                "--concurrency",
                "2",
                "-l",
                "info",
                "-n",
                "csu-worker@%h",
            ],
            "beat": [python, "-m", "celery", "-A", "csu", "beat", "-l", "info"],
        }
        processes = {name: subprocess.Popen(cmd, env=env) for name, cmd in commands.items()}
        self._print_welcome(address)

        stopping = False

        def stop(signum: int, frame: Any) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        try:
            while not stopping:
                for name, proc in processes.items():
                    if proc.poll() is not None:
                        self.stderr.write(f"{name} exited with code {proc.returncode}; stopping.")
                        stopping = True
                time.sleep(0.5)
        finally:
            for proc in processes.values():
                if proc.poll() is None:
                    proc.terminate()
            for proc in processes.values():
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    proc.kill()
            stopped = (
                embedded.stop_services()
                if (embedded.wants_embedded_database() or embedded.wants_embedded_redis())
                else []
            )
            if stopped:
                self.stdout.write(f"Stopped the embedded {' and '.join(stopped)}.")

    def _print_welcome(self, address: str) -> None:
        from intel.demo import DEMO_USERS

        lines = ["", f"CSU is running at http://{address}/", ""]
        if not settings.CSU_MFA_REQUIRED:
            lines.append("Two-factor sign-in is OFF for this demo (CSU_MFA_REQUIRED=false).")
        else:
            lines.append("Each demo user enrols an authenticator app (TOTP) at first sign-in.")
        lines.append("Demo logins (tick the system-use notice at sign-in):")
        for demo in DEMO_USERS:
            lines.append(f"  {demo['role']:<11} {demo['username']:<17} {demo['password']}")
        lines += ["", "Health: /healthz   API docs: /api/docs/   Stop with Ctrl-C.", ""]
        self.stdout.write("\n".join(lines))
