"""The named system actor: who acts when no person does (beat tasks, management commands,
signals, the demo seed).

Services take ``actor: User`` always, so a permission check and an audit row always have
someone to name; "skip the check" is never spelled with a ``None`` actor. A service that lets
the system do what a person would need a permission for says so with ``is_system(actor)``.

The system user is a real row (migration ``0006_system_actor``) that can never sign in: it is
inactive, has an unusable password, no role, group or permission, and is not staff.
"""

from __future__ import annotations

from django.contrib.auth.hashers import make_password

from csu.models import User

SYSTEM_USERNAME = "system"


def system_actor() -> User:
    """The system user. The migration creates it; ``get_or_create`` only stands in where the
    table was emptied since (a test database flushed between transactional tests)."""
    user, _created = User.objects.get_or_create(
        username=SYSTEM_USERNAME,
        defaults={
            "is_active": False,
            "is_staff": False,
            "is_superuser": False,
            "password": make_password(None),  # unusable: no password ever matches
            "first_name": "CSU",
            "last_name": "system",
        },
    )
    return user


def is_system(user: User) -> bool:
    """Whether ``user`` is the system actor. A person's account renamed to "system" does not
    count: the system user is also inactive and has no usable password."""
    return (
        user.username == SYSTEM_USERNAME and not user.is_active and not user.has_usable_password()
    )
