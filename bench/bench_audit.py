"""The cost of the audit trail: ``audit_log`` per event against a raw INSERT of the same row.

Every sign-in, export and sensitive read writes one event, so its overhead sits on hot paths.
Baseline: a prepared single-row INSERT into ``csu_auditevent`` with the same values, through the
same connection, one statement per event (what any audit write must pay).
"""

from __future__ import annotations

import json

from django.db import connection, transaction
from django.test import RequestFactory
from django.utils import timezone

from bench.support import best_of, settings_report
from csu.actors import system_actor
from csu.audit import audit_log
from csu.services import user_create

N = 2000


def run() -> dict[str, float]:
    actor, _code = user_create(
        actor=system_actor(),
        username="bench.supervisor",
        password="a benchmark passphrase long enough",  # noqa: S106
        role="supervisor",
    )
    request = RequestFactory().get(
        "/intel/person/1/", REMOTE_ADDR="10.1.2.3", HTTP_USER_AGENT="bench"
    )

    def helper() -> None:
        with transaction.atomic():
            for i in range(N):
                audit_log(actor=actor, action="intel.view", request=request, record=i)

    def raw() -> None:
        now = timezone.now()
        with transaction.atomic(), connection.cursor() as cursor:
            for i in range(N):
                cursor.execute(
                    "INSERT INTO csu_auditevent (occurred_at, action, outcome, actor_id, "
                    "actor_username, object_type, object_id, object_repr, component, method, "
                    "ip_address, user_agent, purpose, detail) VALUES "
                    "(%s,%s,%s,%s,%s,'','','',%s,%s,%s,%s,'',%s)",
                    [
                        now,
                        "intel.view",
                        "success",
                        actor.pk,
                        actor.username,
                        "/intel/person/1/",
                        "GET",
                        "10.1.2.3",
                        "bench",
                        json.dumps({"record": i}),
                    ],
                )

    baseline = best_of(3, raw)
    ours = best_of(3, helper)
    print(f"   postgres: {settings_report()}")
    each = baseline * 1e6 / N
    print(f"   raw INSERT baseline: {N / baseline:,.0f} events/s ({each:.0f} µs each)")
    print(f"   audit_log helper:    {N / ours:,.0f} events/s ({ours * 1e6 / N:.0f} µs each)")
    print(f"   ratio helper/raw: {ours / baseline:.2f}x")
    return {"baseline_s": baseline, "ours_s": ours, "ratio": ours / baseline}
