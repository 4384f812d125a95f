"""Sign-in to CJIS level: banner (AC-8), MFA (IA-2), lockout (AC-7), replay (IA-2(8)),
passwords (IA-5)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import django.contrib.auth.password_validation as pv
import pytest
import time_machine
from axes.models import AccessAttempt
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from csu.actors import system_actor
from csu.forms import BANNER_STATEMENTS
from csu.models import AuditEvent, User
from tests.conftest import PASSWORD, current_code, password_step, sign_in, totp_device

pytestmark = pytest.mark.django_db


def test_login_page_shows_all_four_banner_statements() -> None:
    body = Client().get(reverse("csu:login")).content.decode()

    shown = [s for s in BANNER_STATEMENTS if s in body]
    print(f"banner statements shown: {len(shown)}/4")
    assert len(shown) == 4


def test_password_without_banner_acknowledgement_signs_no_one_in(analyst) -> None:
    client = Client()
    response = client.post(
        reverse("csu:login"), {"username": analyst.username, "password": PASSWORD}
    )

    assert response.status_code == 400
    assert "acknowledge the system-use notice" in response.content.decode()
    assert "csu_pending_user" not in client.session
    assert client.get(reverse("csu:home")).status_code == 302


def _all_get_urls() -> list[str]:
    """One concrete URL for every pattern in the URLconf (ids filled with 1)."""
    urls: list[str] = []

    def walk(patterns: list, prefix: str = "") -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                route = prefix + str(p.pattern)
                route = route.replace("^", "").replace("$", "").replace("\\Z", "")
                for conv in ("<int:pk>", "<pk>", "<int:object_id>", "<path:object_id>"):
                    route = route.replace(conv, "1")
                if "<" in route or "(?P" in route or "\\" in route:
                    continue  # admin's regex routes: covered by the admin prefix itself
                urls.append("/" + route)

    walk(get_resolver().url_patterns)
    return sorted(set(urls))


def test_password_only_session_reaches_no_protected_page(analyst) -> None:
    client = Client()
    response = password_step(client, analyst.username)
    assert response.status_code == 302 and response["Location"] == reverse("csu:mfa")

    public = {"/accounts/login/", "/accounts/mfa/", "/healthz", "/accounts/logout/"}
    leaked = []
    urls = _all_get_urls()
    for url in urls:
        if url in public:
            continue
        r = client.get(url)
        if r.status_code == 200:
            leaked.append(url)
        else:
            assert r.status_code in (302, 401, 403, 404, 405), (url, r.status_code)
    print(f"password-only session: {len(leaked)} of {len(urls) - len(public)} views served content")
    assert leaked == []


def test_full_sign_in_reaches_home_and_logs_in_once(analyst) -> None:
    client = sign_in(Client(), analyst)

    assert client.get(reverse("csu:home")).status_code == 200
    assert AuditEvent.objects.filter(action="auth.login", actor=analyst).count() == 1


def test_first_sign_in_enrols_an_authenticator(analyst) -> None:
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from csu.services import mfa_enrolment_code_issue

    code = mfa_enrolment_code_issue(actor=system_actor(), user=analyst)
    client = Client()
    password_step(client, analyst.username)
    page = client.get(reverse("csu:mfa")).content.decode()
    assert "enrolment code" in page and "data:image/svg+xml;base64," not in page
    assert client.post(reverse("csu:mfa"), {"enrolment_code": code}).status_code == 302
    page = client.get(reverse("csu:mfa")).content.decode()
    assert "Set up your authenticator" in page and "data:image/svg+xml;base64," in page

    device = TOTPDevice.objects.get(user=analyst, confirmed=False)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    response = client.post(reverse("csu:mfa"), {"otp_token": f"{totp.token():06d}"})

    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert AuditEvent.objects.filter(action="auth.mfa_enroll", actor=analyst).count() == 1


def test_a_used_code_cannot_be_replayed(analyst) -> None:
    device = totp_device(analyst)
    code = current_code(device)
    first, second = Client(), Client()
    password_step(first, analyst.username)
    assert first.post(reverse("csu:mfa"), {"otp_token": code}).status_code == 302

    password_step(second, analyst.username)
    replay = second.post(reverse("csu:mfa"), {"otp_token": code})

    assert replay.status_code == 400
    assert second.get(reverse("csu:home")).status_code == 302


def test_four_failures_then_the_right_password_still_signs_in(analyst) -> None:
    client = Client()
    for i in range(4):  # from two addresses: one alone is throttled after three (test_throttle)
        assert (
            password_step(
                client, analyst.username, "wrong password entirely", ip=f"10.0.0.{i % 2}"
            ).status_code
            == 400
        )

    assert password_step(client, analyst.username).status_code == 302


def test_five_failures_lock_the_account_until_an_admin_releases_it(analyst, admin_user) -> None:
    statuses = [
        password_step(
            Client(), analyst.username, "wrong password entirely", ip=f"10.0.0.{i % 3}"
        ).status_code
        for i in range(5)
    ]
    assert statuses == [400, 400, 400, 400, 429]  # locked at exactly the fifth, across 3 IPs

    refused = [
        password_step(Client(), analyst.username, ip=f"10.0.1.{i}").status_code for i in range(20)
    ]
    print(f"logins while locked: {refused.count(302)} of 20 tries with the right password")
    assert refused == [429] * 20
    with time_machine.travel(timezone.now() + timedelta(hours=24)):
        assert password_step(Client(), analyst.username).status_code == 429
    assert AuditEvent.objects.filter(action="auth.lockout", actor=analyst).count() >= 1

    admin_client = sign_in(Client(), admin_user)
    assert admin_client.post(reverse("csu:user-unlock", args=[analyst.pk])).status_code == 302

    assert password_step(Client(), analyst.username).status_code == 302
    assert AuditEvent.objects.filter(action="user.unlock", object_id=str(analyst.pk)).count() == 1


def test_wrong_codes_count_toward_the_lockout(analyst) -> None:
    device = totp_device(analyst)
    client = Client()
    password_step(client, analyst.username)
    statuses = []
    for i in range(5):  # each from its own address: one alone is throttled after three
        statuses.append(
            client.post(
                reverse("csu:mfa"), {"otp_token": "000000"}, REMOTE_ADDR=f"10.0.2.{i}"
            ).status_code
        )
        device.refresh_from_db()
        device.throttling_failure_timestamp = None  # skip the backoff wait, keep the count
        device.save()

    assert statuses == [400, 400, 400, 400, 429]
    attempts = AccessAttempt.objects.filter(username=analyst.username)  # one row per address
    assert attempts.aggregate(n=Sum("failures_since_start"))["n"] == 5
    assert password_step(Client(), analyst.username).status_code == 429  # right password, locked
    failures = AuditEvent.objects.filter(action="auth.login_failed", actor=analyst)
    assert failures.filter(detail__factor="otp").count() == 5
    assert failures.filter(detail__factor="password").count() == 1  # the refused locked attempt


def test_session_idles_out_after_thirty_minutes(analyst) -> None:
    start = timezone.now()
    with time_machine.travel(start, tick=False) as traveller:
        client = sign_in(Client(), analyst)
        traveller.shift(timedelta(minutes=29))
        assert client.get(reverse("csu:home")).status_code == 200
        traveller.shift(timedelta(minutes=31))
        response = client.get(reverse("csu:home"))

    assert response.status_code == 302 and reverse("csu:login") in response["Location"]


def test_an_active_session_must_sign_in_again_after_twelve_hours(analyst) -> None:
    start = timezone.now()
    with time_machine.travel(start, tick=False) as traveller:
        client = sign_in(Client(), analyst)
        for _ in range(71):  # a request every 10 minutes for 11 h 50 min
            traveller.shift(timedelta(minutes=10))
            assert client.get(reverse("csu:home")).status_code == 200
        traveller.shift(timedelta(minutes=11))  # 12 h 01 min after sign-in
        response = client.get(reverse("csu:home"))

    assert response.status_code == 302 and reverse("csu:login") in response["Location"]


def test_logout_ends_the_session_on_the_server(analyst) -> None:
    client = sign_in(Client(), analyst)
    cookie = client.cookies["sessionid"].value

    client.post(reverse("csu:logout"))
    replay = Client()
    replay.cookies["sessionid"] = cookie
    response = replay.get(reverse("csu:home"))

    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="auth.logout", actor=analyst).count() == 1


def test_disabled_account_loses_its_live_session(analyst) -> None:
    client = sign_in(Client(), analyst)
    User.objects.filter(pk=analyst.pk).update(is_active=False)

    assert client.get(reverse("csu:home")).status_code == 302


def test_stale_accounts_are_disabled_once(make_user) -> None:
    from csu.services import accounts_disable_stale

    now = timezone.now()
    users = {days: make_user("analyst", f"idle{days}") for days in (89, 91, 200)}
    for days, user in users.items():
        User.objects.filter(pk=user.pk).update(last_login=now - timedelta(days=days))

    first = accounts_disable_stale(actor=system_actor(), now=now)
    second = accounts_disable_stale(actor=system_actor(), now=now)

    active = {d: User.objects.get(pk=u.pk).is_active for d, u in users.items()}
    assert active == {89: True, 91: False, 200: False}
    assert (first, second) == (2, 0)


def test_common_passwords_are_refused_and_passphrases_accepted() -> None:
    common_file = Path(pv.__file__).parent / "common-passwords.txt.gz"
    import gzip

    with gzip.open(common_file, "rt") as handle:
        words = handle.read().splitlines()[:3000]
    accepted = 0
    for word in words:
        try:
            validate_password(word)
            accepted += 1
        except ValidationError:
            pass
    print(f"top 3,000 common passwords accepted: {accepted}")
    assert accepted == 0

    validate_password("a long passphrase with spaces " * 2 + "and four")  # 64+ characters
    validate_password(("another rather long passphrase " * 7)[:200])


def test_passwords_are_stored_with_argon2(analyst) -> None:
    assert analyst.password.startswith("argon2")


# --- Finding 10: password age and admin-chosen passwords; finding 6: one's own role ----------

NEW_PASSWORD = "my very own passphrase, not the admin's"  # noqa: S105


def _blocked_pages(client: Client) -> dict[str, int]:
    """Pages a user who must change their password asks for, and what they get."""
    urls = [
        reverse("csu:home"),
        reverse("csu:account"),
        reverse("intel:person-list"),
        reverse("api-me"),
    ]
    return {url: client.get(url).status_code for url in urls}


def test_an_admin_chosen_password_must_be_changed_before_anything_else(
    admin_user, client_for
) -> None:
    response = client_for(admin_user).post(
        reverse("csu:user-list"),
        {
            "username": "fresh.prosecutor",
            "first_name": "Fresh",
            "last_name": "Prosecutor",
            "email": "fresh@example.org",
            "role": "prosecutor",
            "password": PASSWORD,
        },
    )
    assert response.status_code == 200
    user = User.objects.get(username="fresh.prosecutor")
    assert user.must_change_password
    client = sign_in(Client(), user)

    blocked = _blocked_pages(client)
    api = client.get(reverse("api-me"))
    print(
        f"pages served before the forced password change: "
        f"{sum(s == 200 for s in blocked.values())} of {len(blocked)}"
    )
    assert all(status in (302, 403) for status in blocked.values()), blocked
    assert client.get(reverse("csu:home"))["Location"] == reverse("csu:password-change")
    assert api.status_code == 403 and api.json()["code"] == "password_change_required"
    assert client.get(reverse("csu:password-change")).status_code == 200

    same = client.post(
        reverse("csu:password-change"),
        {"old_password": PASSWORD, "new_password1": PASSWORD, "new_password2": PASSWORD},
    )
    assert same.status_code == 400  # the admin's password cannot simply be kept
    changed = client.post(
        reverse("csu:password-change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert changed.status_code == 302
    user.refresh_from_db()
    assert not user.must_change_password
    assert client.get(reverse("csu:home")).status_code == 200  # the same session goes on
    assert AuditEvent.objects.filter(action="user.password_change", actor=user).count() == 1


def test_system_created_accounts_are_not_forced_to_change(analyst, client_for) -> None:
    assert not analyst.must_change_password
    assert client_for(analyst).get(reverse("csu:home")).status_code == 200


def test_a_password_past_the_maximum_age_must_be_changed(analyst, settings) -> None:
    from csu.services import api_token_create

    key = api_token_create(actor=analyst)
    later = timezone.now() + timedelta(days=settings.CSU_PASSWORD_MAX_AGE_DAYS - 1)
    with time_machine.travel(later):
        assert sign_in(Client(), analyst).get(reverse("csu:home")).status_code == 200
    with time_machine.travel(later + timedelta(days=2)):
        client = sign_in(Client(), analyst)
        home = client.get(reverse("csu:home"))
        token_use = Client(HTTP_AUTHORIZATION=f"Token {key}").get(reverse("api-me"))
    print(
        f"password max age: {settings.CSU_PASSWORD_MAX_AGE_DAYS} days; after it, home answers "
        f"{home.status_code} to {home['Location']}"
    )
    assert home.status_code == 302 and home["Location"] == reverse("csu:password-change")
    # The token is past its own 12 hours too; the point is that it is not accepted.
    assert token_use.status_code in (401, 403)


def test_changing_the_password_keeps_this_session_and_ends_the_others(analyst) -> None:
    this, other = sign_in(Client(), analyst), sign_in(Client(), analyst)

    response = this.post(
        reverse("csu:password-change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    assert this.get(reverse("csu:home")).status_code == 200
    assert other.get(reverse("csu:home")).status_code == 302
    analyst.refresh_from_db()
    assert analyst.check_password(NEW_PASSWORD)
    assert timezone.now() - analyst.password_changed_at < timedelta(minutes=1)


def test_an_admin_reset_in_the_django_admin_forces_a_change_and_kills_tokens(
    analyst, admin_user
) -> None:
    from csu.models import ApiToken
    from csu.services import api_token_create

    User.objects.filter(pk=admin_user.pk).update(is_staff=True)
    api_token_create(actor=analyst)
    client = sign_in(Client(), admin_user)

    response = client.post(
        f"/admin/csu/user/{analyst.pk}/password/",
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )

    assert response.status_code == 302, response.content[:600]
    analyst.refresh_from_db()
    assert analyst.check_password(NEW_PASSWORD) and analyst.must_change_password
    assert not ApiToken.objects.filter(user=analyst).exists()


def test_nobody_changes_their_own_role(admin_user, client_for) -> None:
    from django.core.exceptions import PermissionDenied

    from csu.services import user_set_role

    client = client_for(admin_user)
    response = client.post(
        reverse("csu:user-set-role", args=[admin_user.pk]), {"role": "supervisor"}
    )
    with pytest.raises(PermissionDenied):
        user_set_role(actor=admin_user, user=admin_user, role="supervisor")
    page = client.get(reverse("csu:user-list")).content.decode()

    admin_user.refresh_from_db()
    print(f"own role changes accepted: {int(admin_user.roles != ['admin'])} of 2")
    assert response.status_code == 403 and admin_user.roles == ["admin"]
    assert f'id="role-{admin_user.pk}"' not in page


def test_the_django_admin_edits_no_grants_and_not_ones_own_standing(admin_user, analyst) -> None:
    from django.contrib.auth.models import Group

    User.objects.filter(pk=admin_user.pk).update(is_staff=True)
    client = sign_in(Client(), admin_user)
    own = client.get(f"/admin/csu/user/{admin_user.pk}/change/").content.decode()
    other = client.get(f"/admin/csu/user/{analyst.pk}/change/").content.decode()
    supervisors = Group.objects.get(name="supervisor")
    client.post(
        f"/admin/csu/user/{admin_user.pk}/change/",
        {
            "username": admin_user.username,
            "is_superuser": "on",
            "is_staff": "on",
            "groups": [supervisors.pk],
            "first_name": "Ada",
            "last_name": "Admin",
            "email": "",
            "agency": "",
            "title": "",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "00:00:00",
        },
    )

    admin_user.refresh_from_db()
    editable = [
        f
        for f in ("is_superuser", "groups", "user_permissions")
        if f'name="{f}"' in own or f'name="{f}"' in other
    ]
    print(f"grant fields editable in the Django admin: {len(editable)}")
    assert editable == []
    assert 'name="is_staff"' not in own and 'name="is_staff"' in other
    assert not admin_user.is_superuser and admin_user.roles == ["admin"]
    assert client.get("/admin/auth/group/").status_code == 404
