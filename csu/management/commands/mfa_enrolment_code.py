"""``manage.py mfa_enrolment_code USERNAME``: print a one-time MFA enrolment code.

For the first administrator (nobody can hand them one on the Users page) and for demo users;
issued from the server console, so the system is the actor. Earlier unused codes stop working.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from csu.actors import is_system, system_actor
from csu.models import User
from csu.services import mfa_enrolment_code_issue


class Command(BaseCommand):
    help = "Print a new one-time MFA enrolment code for USERNAME (audited)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None or is_system(user):
            raise CommandError(f"No user named {options['username']!r}.")
        code = mfa_enrolment_code_issue(actor=system_actor(), user=user)
        hours = settings.CSU_MFA_ENROLMENT_CODE_HOURS
        self.stdout.write(f"Enrolment code for {user.username} (once, within {hours} h): {code}")
