"""``manage.py seed_demo``: create the fictional Harbor County with its records and demo users."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from intel.demo import (
    DEMO_USERS,
    DemoAlreadySeeded,
    DemoConflict,
    demo_exists,
    demo_reset,
    demo_seed,
)


class Command(BaseCommand):
    help = (
        "Create a fictional county (Harbor County) with people, incidents, arrests, case "
        "referrals and one demo user per role. Does nothing if it exists, unless --reset."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=2026, help="Random seed (default 2026).")
        parser.add_argument("--people", type=int, default=3000)
        parser.add_argument("--incidents", type=int, default=6000)
        parser.add_argument("--arrests", type=int, default=3500)
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Delete the demo records first (demo users are kept: their audit trail stays).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        for name in ("people", "incidents", "arrests"):
            if options[name] < 0:
                raise CommandError(f"--{name} cannot be negative.")
        if options["arrests"] and not options["people"]:
            raise CommandError("Arrests need people to arrest: give --people as well.")
        try:
            with transaction.atomic():  # a reset whose re-seed fails leaves the old county
                if options["reset"] and demo_exists():
                    deleted = demo_reset()
                    removed = ", ".join(f"{n} {k}" for k, n in sorted(deleted.items()) if n)
                    self.stdout.write(f"Removed the demo county: {removed}.")
                summary = demo_seed(
                    seed=options["seed"],
                    people=options["people"],
                    incidents=options["incidents"],
                    arrests=options["arrests"],
                )
        except DemoAlreadySeeded:
            self.stdout.write("Harbor County is already seeded; nothing to do (use --reset).")
            self._logins()
            return
        except DemoConflict as exc:
            raise CommandError(str(exc)) from exc
        counts = summary.counts
        self.stdout.write(
            self.style.SUCCESS(f"Seeded Harbor County in {summary.seconds:.1f} s:")
            + "\n  "
            + ", ".join(f"{n:,} {label}" for label, n in counts.items())
        )
        if summary.users_kept:
            self.stdout.write(f"Kept existing demo users: {', '.join(summary.users_kept)}.")
        self._logins(summary.enrolment_codes)

    def _logins(self, codes: dict[str, str] | None = None) -> None:
        codes = codes or {}
        self.stdout.write("Demo sign-ins (fictional data only):")
        for user in DEMO_USERS:
            code = codes.get(user["username"], "") if settings.CSU_MFA_REQUIRED else ""
            line = f"  {user['role']:<11} {user['username']:<16} {user['password']}"
            self.stdout.write(f"{line}  enrolment code {code}" if code else line)
        if settings.CSU_MFA_REQUIRED:
            self.stdout.write(
                "With MFA required, each user enrols an authenticator with a one-time enrolment "
                "code; `manage.py mfa_enrolment_code USERNAME` prints a new one."
            )
