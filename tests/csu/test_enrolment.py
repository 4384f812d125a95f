"""MFA enrolment (issue 8, finding 3): a password alone never reaches an enrolment secret; each
attempt gets a fresh secret bound to its session; confirming one invalidates the others."""

from __future__ import annotations

import re
from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from csu.actors import system_actor
from csu.models import AuditEvent, MFAEnrolmentCode, User
from csu.services import mfa_enrolment_code_issue
from tests.conftest import PASSWORD, password_step

pytestmark = pytest.mark.django_db

SECRET = re.compile(r'data-testid="totp-secret">([A-Z2-7=]+)<')
CODE = re.compile(r'data-testid="enrolment-code">([^<]+)<')


def _secret(page: str) -> str | None:
    match = SECRET.search(page)
    return match.group(1) if match else None


def _totp_for(secret: str) -> str:
    import base64

    return f"{TOTP(base64.b32decode(secret)).token():06d}"


def _signed_in(client: Client) -> bool:
    return client.get(reverse("csu:account")).status_code == 200


def _start(client: Client, username: str, code: str | None) -> str:
    """Password step, then (if given) the enrolment code; the MFA page as the session sees it."""
    ip = client.defaults.get("REMOTE_ADDR", "127.0.0.1")
    assert password_step(client, username, ip=ip).status_code == 302
    if code is not None:
        client.post(reverse("csu:mfa"), {"enrolment_code": code})
    return client.get(reverse("csu:mfa")).content.decode()


def test_the_password_alone_never_reaches_the_secret(admin_user, client_for) -> None:
    created = client_for(admin_user).post(
        reverse("csu:user-list"),
        {
            "username": "new.analyst",
            "first_name": "New",
            "last_name": "Analyst",
            "email": "new@example.org",
            "role": "analyst",
            "password": PASSWORD,
        },
    )
    assert created.status_code == 200
    code = CODE.search(created.content.decode()).group(1)
    user = User.objects.get(username="new.analyst")

    attacker = Client()
    page = _start(attacker, user.username, None)
    # Three failures from one address is what the sign-in throttle lets through per account.
    guesses = [
        attacker.post(reverse("csu:mfa"), {"enrolment_code": guess}).status_code
        for guess in ("000000-000000-000000", code[::-1])
    ]
    seen_by_attacker = [
        _secret(page),
        *(_secret(attacker.get(reverse("csu:mfa")).content.decode()) for _ in range(2)),
    ]
    otp = attacker.post(reverse("csu:mfa"), {"otp_token": "123456"})
    attacker_sign_ins = int(_signed_in(attacker))

    victim = Client(REMOTE_ADDR="10.20.0.1")
    secret = _secret(_start(victim, user.username, code))
    assert secret is not None
    assert victim.post(reverse("csu:mfa"), {"otp_token": _totp_for(secret)}).status_code == 302
    attacker_sign_ins += int(_signed_in(attacker))

    print(
        f"attacker sign-ins: {attacker_sign_ins}; secrets shown to the attacker: "
        f"{sum(s is not None for s in seen_by_attacker)} of {len(seen_by_attacker)}"
    )
    assert attacker_sign_ins == 0
    assert seen_by_attacker == [None, None, None]
    assert guesses == [400, 400] and otp.status_code == 400
    assert "enrolment code" in page
    # A wrong enrolment code counts toward the lockout like a wrong password.
    assert (
        AuditEvent.objects.filter(
            action="auth.login_failed", actor=user, detail__factor="enrolment_code"
        ).count()
        == 2
    )
    assert TOTPDevice.objects.filter(user=user).count() == 1  # only the victim's, confirmed
    # An admin chose the password: the new user's first page is the password change.
    home = victim.get(reverse("csu:home"))
    assert home.status_code == 302 and home["Location"] == reverse("csu:password-change")


def test_each_attempt_gets_its_own_secret_and_confirming_one_voids_the_other(analyst) -> None:
    code = mfa_enrolment_code_issue(actor=system_actor(), user=analyst)
    first, second = Client(), Client()
    secret_1 = _secret(_start(first, analyst.username, code))
    secret_2 = _secret(_start(second, analyst.username, code))
    print(
        f"enrolment secrets across two sessions: "
        f"{'different' if secret_1 != secret_2 else 'THE SAME'}"
    )
    assert secret_1 and secret_2 and secret_1 != secret_2

    assert first.post(reverse("csu:mfa"), {"otp_token": _totp_for(secret_1)}).status_code == 302
    late = second.post(reverse("csu:mfa"), {"otp_token": _totp_for(secret_2)})

    # The second attempt's device is gone: its secret's codes are wrong codes now.
    assert late.status_code == 400 and "Enter your code" in late.content.decode()
    assert _secret(late.content.decode()) is None
    assert not _signed_in(second) and _signed_in(first)
    assert MFAEnrolmentCode.objects.filter(user=analyst, used_at__isnull=True).count() == 0
    devices = TOTPDevice.objects.filter(user=analyst)
    assert devices.count() == 1 and devices.get().confirmed


def test_used_and_expired_codes_are_refused(analyst, prosecutor) -> None:
    code = mfa_enrolment_code_issue(actor=system_actor(), user=analyst)
    secret = _secret(_start(Client(), analyst.username, code))
    client = Client()
    secret = _secret(_start(client, analyst.username, code))
    client.post(reverse("csu:mfa"), {"otp_token": _totp_for(secret)})
    TOTPDevice.objects.filter(user=analyst).delete()  # as if reset without a new code

    used = _start(Client(), analyst.username, code)

    old = mfa_enrolment_code_issue(actor=system_actor(), user=prosecutor)
    with time_machine.travel(timezone.now() + timedelta(hours=72, minutes=1)):
        expired = _start(Client(), prosecutor.username, old)

    refused = [_secret(page) is None for page in (used, expired)]
    print(f"used or expired enrolment codes accepted: {refused.count(False)} of 2")
    assert refused == [True, True]


def test_a_new_code_replaces_the_previous_one(analyst) -> None:
    first = mfa_enrolment_code_issue(actor=system_actor(), user=analyst)
    second = mfa_enrolment_code_issue(actor=system_actor(), user=analyst)

    assert _secret(_start(Client(), analyst.username, first)) is None
    assert _secret(_start(Client(), analyst.username, second)) is not None


def test_five_wrong_enrolment_codes_lock_the_account(analyst) -> None:
    mfa_enrolment_code_issue(actor=system_actor(), user=analyst)
    statuses = []
    for i in range(5):  # five addresses, so the address throttle does not answer first
        client = Client(REMOTE_ADDR=f"10.7.0.{i}")
        password_step(client, analyst.username, ip=f"10.7.0.{i}")
        statuses.append(client.post(reverse("csu:mfa"), {"enrolment_code": "wrong"}).status_code)

    assert statuses == [400, 400, 400, 400, 429]
    assert password_step(Client(), analyst.username, ip="10.7.1.1").status_code == 429
    assert AuditEvent.objects.filter(action="auth.lockout", actor=analyst).exists()


def test_the_database_keeps_only_a_digest_of_the_code(analyst) -> None:
    code = mfa_enrolment_code_issue(actor=system_actor(), user=analyst)

    stored = MFAEnrolmentCode.objects.filter(user=analyst).latest("created_at")
    assert code not in stored.digest and len(stored.digest) == 64


def test_the_console_command_prints_a_working_code_and_is_audited(analyst) -> None:
    out = StringIO()
    call_command("mfa_enrolment_code", analyst.username, stdout=out)
    code = out.getvalue().rsplit(":", 1)[1].strip()

    assert _secret(_start(Client(), analyst.username, code)) is not None
    event = AuditEvent.objects.get(
        action="user.mfa_enrolment_code", object_id=str(analyst.pk), component="mfa_enrolment_code"
    )
    assert event.actor == system_actor() and event.actor_username == "system"


def test_an_mfa_reset_shows_a_new_code_once(analyst, admin_user, client_for) -> None:
    from tests.conftest import totp_device

    totp_device(analyst)
    admin_client = client_for(admin_user)
    response = admin_client.post(reverse("csu:user-reset-mfa", args=[analyst.pk]))
    code = CODE.search(response.content.decode()).group(1)

    later = admin_client.get(reverse("csu:user-list")).content.decode()
    assert code not in later
    assert not TOTPDevice.objects.filter(user=analyst).exists()
    assert _secret(_start(Client(), analyst.username, code)) is not None
