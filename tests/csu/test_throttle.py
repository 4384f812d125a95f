"""Sign-in throttling by address in front of the account lockout, and the API's rate limits
(finding 8: one address sprayed usernames and locked real accounts)."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.test import Client, override_settings
from django.urls import reverse

from csu.api.throttling import AnonRateThrottle
from csu.models import AuditEvent
from csu.services import api_token_create
from tests.conftest import current_code, password_step, totp_device

pytestmark = pytest.mark.django_db

WRONG = "not the password at all, sorry"
ATTACKER = "203.0.113.66"
COLLEAGUE = "198.51.100.20"


@pytest.fixture(autouse=True)
def _fast_hasher(settings):  # type: ignore[no-untyped-def]
    """Hundreds of attempts: what is measured is the throttle, not Argon2 (test_auth covers it)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _failures(username: str) -> int:
    """The account's failures as axes counts them (summed over its rows, one per address)."""
    attempts = AccessAttempt.objects.filter(username=username)
    return attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0


def _locked(username: str) -> bool:
    return _failures(username) >= settings.AXES_FAILURE_LIMIT


def _full_sign_in(client: Client, user, ip: str) -> int:  # type: ignore[no-untyped-def]
    """Password, then a fresh code, from ``ip``; the status of the MFA step (302 = signed in)."""
    device = totp_device(user)
    assert password_step(client, user.username, ip=ip).status_code == 302
    device.refresh_from_db()
    device.last_t = -1
    device.save(update_fields=["last_t"])
    return client.post(
        reverse("csu:mfa"), {"otp_token": current_code(device)}, REMOTE_ADDR=ip
    ).status_code


def test_it_a_spray_from_one_address_locks_no_real_account(analyst, prosecutor) -> None:
    real = [analyst.username, prosecutor.username]
    usernames = real + [f"guess.user{i:02d}" for i in range(38)]
    statuses = []
    # The reproduced attack: five tries at each of two real accounts (it locked both) ...
    for name in real:
        statuses += [
            password_step(Client(), name, WRONG, ip=ATTACKER).status_code for _ in range(5)
        ]
    # ... then 40 usernames x 5 rounds.
    for _ in range(5):
        statuses += [
            password_step(Client(), name, WRONG, ip=ATTACKER).status_code for name in usernames
        ]

    locked = [name for name in real if _locked(name)]
    reached = len([s for s in statuses if s != 429])
    print(f"real accounts locked by one address: {len(locked)}")
    print(f"spray attempts that reached authentication: {reached} of {len(statuses)}")
    assert locked == []
    assert reached == settings.CSU_SIGNIN_THROTTLE_PER_ADDRESS
    assert max(_failures(name) for name in real) <= 3
    assert (
        AuditEvent.objects.filter(
            action="auth.throttled", outcome="denied", ip_address=ATTACKER
        ).count()
        == len(statuses) - reached
    )
    # The real users, from their own desks, are not affected.
    assert _full_sign_in(Client(), analyst, COLLEAGUE) == 302
    assert _full_sign_in(Client(), prosecutor, "127.0.0.1") == 302


def test_it_answers_429_after_three_failures_for_one_username_from_one_address(analyst) -> None:
    statuses = [
        password_step(Client(), analyst.username, WRONG, ip=ATTACKER).status_code for _ in range(6)
    ]

    k = statuses.index(429)
    print(f"address+username limit: 429 after {k} tries")
    assert statuses == [400, 400, 400, 429, 429, 429]
    assert _failures(analyst.username) == 3  # refused attempts never reached the lockout

    client = Client()
    refused = password_step(client, analyst.username, ip=ATTACKER)  # the right password
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= settings.CSU_SIGNIN_THROTTLE_WINDOW + 1
    assert "Too many sign-in attempts" in refused.content.decode()
    assert "csu_pending_user" not in client.session
    assert client.get(reverse("csu:home")).status_code == 302
    event = AuditEvent.objects.filter(action="auth.throttled").latest("occurred_at")
    assert (event.outcome, event.actor_username, event.detail["limit"]) == (
        "denied",
        analyst.username,
        "address+username",
    )

    assert _full_sign_in(Client(), analyst, COLLEAGUE) == 302  # another address signs in


def test_it_answers_429_after_twenty_failures_from_one_address(analyst) -> None:
    statuses = [
        password_step(Client(), f"nobody{i}", WRONG, ip=ATTACKER).status_code for i in range(25)
    ]

    k = statuses.index(429)
    print(f"address limit: 429 after {k} tries")
    assert statuses == [400] * 20 + [429] * 5
    assert password_step(Client(), analyst.username, ip=ATTACKER).status_code == 429
    assert _full_sign_in(Client(), analyst, COLLEAGUE) == 302


def test_it_counts_wrong_codes_at_the_mfa_step(analyst) -> None:
    device = totp_device(analyst)
    client = Client()
    assert password_step(client, analyst.username, ip=ATTACKER).status_code == 302
    statuses = []
    for _ in range(4):
        statuses.append(
            client.post(
                reverse("csu:mfa"), {"otp_token": "000000"}, REMOTE_ADDR=ATTACKER
            ).status_code
        )
        device.refresh_from_db()
        device.throttling_failure_timestamp = None  # skip django-otp's backoff wait
        device.save()

    print(f"MFA step: 429 after {statuses.index(429)} wrong codes")
    assert statuses == [400, 400, 400, 429]
    assert _failures(analyst.username) == 3
    right = client.post(
        reverse("csu:mfa"), {"otp_token": current_code(device)}, REMOTE_ADDR=ATTACKER
    )
    assert right.status_code == 429
    assert client.get(reverse("csu:home")).status_code == 302  # not signed in


def test_it_never_throttles_an_office_signing_in_from_one_address(make_user) -> None:
    users = [make_user("analyst") for _ in range(25)]

    statuses = [_full_sign_in(Client(), user, "127.0.0.1") for user in users]

    print(
        f"successful sign-ins from one address: {statuses.count(302)} of 25, "
        f"address limit {settings.CSU_SIGNIN_THROTTLE_PER_ADDRESS} failures"
    )
    assert statuses == [302] * 25


def test_it_clears_the_address_username_counter_on_sign_in(analyst) -> None:
    for _ in range(2):
        assert password_step(Client(), analyst.username, WRONG, ip=ATTACKER).status_code == 400
    assert _full_sign_in(Client(), analyst, ATTACKER) == 302

    statuses = [
        password_step(Client(), analyst.username, WRONG, ip=ATTACKER).status_code for _ in range(4)
    ]

    assert statuses == [400, 400, 400, 429]  # a fresh count of three


@pytest.fixture
def low_api_rates():  # type: ignore[no-untyped-def]
    rates = {"user": "5/minute", "anon": "3/minute"}
    with override_settings(
        REST_FRAMEWORK={**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    ):
        yield rates


def test_it_throttles_api_requests_per_user_in_the_error_shape(
    low_api_rates, analyst, supervisor, client_for
) -> None:
    client = client_for(analyst)

    responses = [client.get(reverse("api-me")) for _ in range(7)]

    statuses = [r.status_code for r in responses]
    print(f"API: 429 after {statuses.index(429)} requests per user at 5/minute")
    assert statuses == [200] * 5 + [429] * 2
    body = responses[-1].json()
    assert set(body) == {"message", "code", "extra"} and body["code"] == "throttled"
    assert 0 < int(responses[-1]["Retry-After"]) <= 60
    # Another user, by session or by token, is unaffected.
    assert client_for(supervisor).get(reverse("api-me")).status_code == 200
    key = api_token_create(actor=supervisor)
    assert Client().get(reverse("api-me"), HTTP_AUTHORIZATION=f"Token {key}").status_code == 200


def test_it_counts_a_token_user_by_user_whatever_address_it_claims(low_api_rates, analyst) -> None:
    key = api_token_create(actor=analyst)

    statuses = [
        Client()
        .get(
            reverse("api-me"),
            HTTP_AUTHORIZATION=f"Token {key}",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{i}",
        )
        .status_code
        for i in range(6)
    ]

    assert statuses == [200] * 5 + [429]


def test_it_identifies_an_anonymous_api_client_by_its_real_address_only() -> None:
    from rest_framework.request import Request
    from rest_framework.test import APIRequestFactory

    request = Request(
        APIRequestFactory().get(
            "/api/v1/me/", REMOTE_ADDR=ATTACKER, HTTP_X_FORWARDED_FOR="192.0.2.1"
        )
    )

    assert AnonRateThrottle().get_ident(request) == ATTACKER
