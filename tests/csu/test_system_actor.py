"""The named system actor (issue 9): tasks, commands and signals act as a real user that can
never sign in and holds nothing, and the services no longer take ``actor=None`` to mean
"skip the check"."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from axes.utils import reset as axes_reset
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from guardian.models import UserObjectPermission

from csu import audit
from csu.actors import SYSTEM_USERNAME, is_system, system_actor
from csu.models import AuditEvent, User
from csu.services import api_token_create, user_create, user_set_role
from csu.tasks import accounts_disable_stale_task
from tests.conftest import PASSWORD, password_step

pytestmark = pytest.mark.django_db


def test_the_system_actor_is_a_real_row_from_the_migration() -> None:
    # The migration made it: it exists before any task or command asks for it.
    stored = User.objects.get(username=SYSTEM_USERNAME)

    assert system_actor().pk == stored.pk
    assert is_system(stored)
    assert not stored.is_active and not stored.has_usable_password()


def test_the_system_actor_cannot_sign_in() -> None:
    actor = system_actor()
    attempts = ["", PASSWORD, "system", "!", "password"]
    succeeded = []
    for n, password in enumerate(attempts[:4]):
        client = Client()
        response = password_step(client, actor.username, password=password, ip=f"10.9.0.{n}")
        if response.status_code == 302 or "_auth_user_id" in client.session:
            succeeded.append(password)
    # Even a password set on the row by mistake does not open it: the account is inactive.
    axes_reset(username=actor.username)
    actor.set_password(attempts[4])
    actor.save(update_fields=["password"])
    client = Client()
    response = password_step(client, actor.username, password=attempts[4], ip="10.9.0.9")
    if response.status_code == 302 or "_auth_user_id" in client.session:
        succeeded.append(attempts[4])

    print(f"sign-ins as the system actor that succeeded: {len(succeeded)} of {len(attempts)}")
    assert succeeded == []


def test_the_system_actor_holds_no_role_and_no_permission() -> None:
    actor = system_actor()
    codenames = [
        f"{p.content_type.app_label}.{p.codename}"
        for p in Permission.objects.select_related("content_type")
    ]
    held = [name for name in codenames if actor.has_perm(name)]

    print(f"permissions the system actor holds: {len(held)} of {len(codenames)}")
    assert held == []
    # Not only because it is inactive (which makes has_perm say no): nothing is granted at all.
    assert actor.roles == [] and actor.groups.count() == 0
    assert actor.user_permissions.count() == 0
    assert UserObjectPermission.objects.filter(user=actor).count() == 0
    assert not actor.is_staff and not actor.is_superuser


def test_a_person_named_system_is_not_the_system_actor(make_user) -> None:
    person = make_user("analyst", "system.analyst")
    person.username = "system"  # only in memory: the real row keeps the name

    assert not is_system(person)


def test_the_users_page_and_its_actions_leave_the_system_actor_out(admin_user, client_for) -> None:
    client = client_for(admin_user)
    actor = system_actor()

    listed = [u.username for u in client.get(reverse("csu:user-list")).context["users"]]
    statuses = [
        client.post(reverse("csu:user-unlock", args=[actor.pk])).status_code,
        client.post(reverse("csu:user-reset-mfa", args=[actor.pk])).status_code,
        client.post(reverse("csu:user-set-role", args=[actor.pk]), {"role": "admin"}).status_code,
    ]

    assert admin_user.username in listed and SYSTEM_USERNAME not in listed
    assert statuses == [404, 404, 404]
    assert system_actor().roles == []


def test_the_django_admin_does_not_list_the_system_actor(make_user, client_for) -> None:
    staff = make_user("admin", "staff.admin")
    User.objects.filter(pk=staff.pk).update(is_staff=True)
    client = client_for(User.objects.get(pk=staff.pk))

    changelist = client.get(reverse("admin:csu_user_changelist"))
    change = client.get(reverse("admin:csu_user_change", args=[system_actor().pk]))

    assert changelist.status_code == 200 and b"staff.admin" in changelist.content
    assert b">system<" not in changelist.content
    assert change.status_code == 302  # the admin's "does not exist" redirect, no form


def test_the_stale_account_run_never_touches_the_system_actor() -> None:
    actor = system_actor()
    User.objects.filter(pk=actor.pk).update(date_joined=timezone.now() - timedelta(days=400))

    accounts_disable_stale_task.apply()

    assert not AuditEvent.objects.filter(
        action=audit.USER_DISABLE, object_id=str(actor.pk)
    ).exists()


def test_a_task_run_is_audited_with_the_system_as_actor(make_user) -> None:
    idle = make_user("analyst", "idle.analyst")
    User.objects.filter(pk=idle.pk).update(last_login=timezone.now() - timedelta(days=120))
    api_token_create(actor=idle, name="sync")

    disabled = accounts_disable_stale_task.apply().get()

    events = AuditEvent.objects.filter(
        object_id=str(idle.pk), action__in=[audit.USER_DISABLE, audit.TOKEN_REVOKE]
    )
    actors = sorted({(e.action, e.actor_username, e.actor_id) for e in events})
    print(
        f"task audit rows naming the system actor: "
        f"{sum(1 for e in events if e.actor_id == system_actor().pk)} of {len(events)}"
    )
    assert disabled == 1 and not User.objects.get(pk=idle.pk).is_active
    assert actors == [
        (audit.TOKEN_REVOKE, "system", system_actor().pk),
        (audit.USER_DISABLE, "system", system_actor().pk),
    ]


def test_the_console_command_is_audited_with_the_system_as_actor(analyst) -> None:
    call_command("mfa_enrolment_code", analyst.username, stdout=StringIO())

    event = AuditEvent.objects.get(
        action=audit.MFA_ENROLMENT_CODE, object_id=str(analyst.pk), component="mfa_enrolment_code"
    )
    assert event.actor_id == system_actor().pk and event.actor_username == "system"


def test_a_lockout_revokes_tokens_as_the_system(analyst) -> None:
    api_token_create(actor=analyst, name="sync")
    for n in range(5):
        password_step(Client(), analyst.username, password="wrong", ip=f"10.8.0.{n}")

    event = AuditEvent.objects.get(action=audit.TOKEN_REVOKE, object_id=str(analyst.pk))
    assert event.detail["reason"] == "lockout" and event.actor_username == "system"


def test_user_create_and_set_role_refuse_actors_who_are_not_admins(personas, make_user) -> None:
    target = make_user("analyst", "role.target")
    non_admins = [
        personas["prosecutor"],
        personas["analyst"],
        personas["supervisor"],
        system_actor(),
    ]
    refused = []
    for n, actor in enumerate(non_admins):
        if not is_system(actor):  # the system creates users (demo seed, console); it is named
            try:
                user_create(
                    actor=actor, username=f"made.by{n}", password=PASSWORD, role="supervisor"
                )
            except PermissionDenied:
                refused.append(("user_create", actor.username))
        try:
            user_set_role(actor=actor, user=target, role="supervisor")
        except PermissionDenied:
            refused.append(("user_set_role", actor.username))
    with pytest.raises((PermissionDenied, AttributeError)):
        user_set_role(actor=None, user=target, role="supervisor")  # type: ignore[arg-type]

    attempts = len(non_admins) * 2 - 1
    print(
        f"user_create/user_set_role calls by non-admin actors refused: {len(refused)} of {attempts}"
    )
    assert len(refused) == attempts
    assert not User.objects.filter(username__startswith="made.by").exists()
    target.refresh_from_db()
    assert target.roles == ["analyst"]
    # An admin still may, and the system's own creations are named in the trail.
    user_set_role(actor=personas["admin"], user=target, role="supervisor")
    assert User.objects.get(pk=target.pk).roles == ["supervisor"]


def test_a_user_created_by_the_system_actor_is_recorded_as_the_systems_act() -> None:
    # No actor is no longer taken to mean the system: it is refused and creates nobody.
    with pytest.raises((PermissionDenied, AttributeError)):
        user_create(actor=None, username="nobody.made", password=PASSWORD, role="analyst")  # type: ignore[arg-type]
    assert not User.objects.filter(username="nobody.made").exists()
    user, _code = user_create(
        actor=system_actor(), username="seeded.analyst", password=PASSWORD, role="analyst"
    )

    event = AuditEvent.objects.get(action=audit.USER_CREATE, object_id=str(user.pk))
    assert event.actor_username == "system" and event.actor_id == system_actor().pk
    assert not user.must_change_password  # nobody else knows that password
