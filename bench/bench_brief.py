"""The prosecutor's brief for a person with 200 linked records: server time of the HTML page and
of the PDF, against the time of the selector's own SQL measured in the same run.

Data: one designated person with ``CSU_BENCH_BRIEF_RECORDS`` (default 200) records linked to
them: arrests with two charges each, the incidents behind those arrests (half of them shared
with another person, so the brief has associates), case referrals (half open, assigned to the
reader), approved intelligence records, approved group memberships and shootings they survived;
plus parole, an active designation with its basis, a score under the current version, and the
drug-diversion treatment rule.

Measured, ``CSU_BENCH_BRIEF_HTML`` (default 60) and ``CSU_BENCH_BRIEF_PDF`` (default 12) times
each, after one warm-up call: the HTML view and the PDF view called in process with a
``RequestFactory`` request as the prosecutor (the whole view: selector, template, for the PDF
WeasyPrint too; not the middleware), and the selector ``person_brief`` alone. Baseline: the
queries the selector runs, captured with ``CaptureQueriesContext`` and executed again as raw
SQL with a cursor (the database's share of the work). Printed: p50 and p95 in ms, the query
count, and each time as a multiple of the raw SQL's p50.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from datetime import date, timedelta

from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.base import SessionBase
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from csu.actors import system_actor
from csu.models import User
from csu.services import user_create
from intel.models import (
    Agency,
    Arrest,
    ArrestCharge,
    CaseReferral,
    Group,
    GroupMembership,
    Incident,
    IntelRecord,
    Person,
    PriorityDesignation,
    PriorityScore,
    ScoreConfig,
    Shooting,
    SupervisionStatus,
    TreatmentRule,
)
from intel.models.priority import SCORE_FACTORS
from intel.priority.brief import person_brief
from intel.priority.views.brief import person_brief_pdf_view, person_brief_view

RECORDS = int(os.environ.get("CSU_BENCH_BRIEF_RECORDS", "200"))
HTML_RUNS = int(os.environ.get("CSU_BENCH_BRIEF_HTML", "60"))
PDF_RUNS = int(os.environ.get("CSU_BENCH_BRIEF_PDF", "12"))
PASSWORD = "a benchmark passphrase long enough"  # noqa: S105
PREDICATE = "Arrested twice with members carrying loaded handguns this year, per the reports."


def _user(username: str, role: str) -> User:
    user, _code = user_create(
        actor=system_actor(),
        username=username,
        password=PASSWORD,
        role=role,
        first_name=role.title(),
        last_name="Bench",
    )
    return user


def _shares(total: int) -> dict[str, int]:
    """How the records split: arrests and their incidents 30 % each, cases 15 %, intel 10 %,
    memberships 5 %, shootings as victim 10 %."""
    shares = {"arrests": 0.30, "incidents": 0.30, "cases": 0.15, "intel": 0.10, "memberships": 0.05}
    counts = {k: round(total * v) for k, v in shares.items()}
    counts["incidents"] = counts["arrests"]  # one incident behind each arrest
    counts["shootings"] = total - sum(counts.values())
    return counts


def _build(prosecutor: User, analyst: User, supervisor: User) -> tuple[Person, dict[str, int]]:
    counts = _shares(RECORDS)
    now = timezone.now()
    police = Agency.objects.create(name="Bench County PD", short_name="BCPD")
    court = Agency.objects.create(
        name="Bench County DA", short_name="BCDA", kind=Agency.Kind.PROSECUTOR
    )
    person = Person.objects.create(first_name="Bench", last_name="Subject", dob=date(1990, 1, 1))
    others = [
        Person.objects.create(first_name=f"Other{n}", last_name="Associate") for n in range(10)
    ]
    categories = ["violent", "drug", "weapons", "property"]
    arrests: list[Arrest] = []
    for n in range(counts["arrests"]):
        at = now - timedelta(days=20 * n + 1)
        incident = Incident.objects.create(
            source_agency=police,
            source_id=f"I{n:05d}",
            occurred_at=at - timedelta(hours=2),
            category=categories[n % 4],
            firearm=n % 5 == 0,
            offense_description=f"{categories[n % 4].upper()} INCIDENT",
        )
        arrest = Arrest.objects.create(
            source_agency=police,
            source_id=f"A{n:05d}",
            arrested_at=at,
            person=person,
            incident=incident,
            name_as_recorded="SUBJECT, BENCH",
        )
        for seq, category in enumerate((categories[n % 4], categories[(n + 1) % 4]), start=1):
            ArrestCharge.objects.create(
                arrest=arrest, sequence=seq, category=category, statute=f"PL {100 + seq}.0{n % 9}"
            )
        if n % 2 == 0:  # a co-arrestee: an associate of the person
            Arrest.objects.create(
                source_agency=police,
                source_id=f"A{n:05d}-B",
                arrested_at=at,
                person=others[n % len(others)],
                incident=incident,
            )
        arrests.append(arrest)
    for n in range(counts["cases"]):
        CaseReferral.objects.create(
            source_agency=court,
            source_id=f"C{n:05d}",
            case_number=f"2026-{n:05d}",
            referred_at=arrests[n % len(arrests)].arrested_at + timedelta(days=1),
            defendant=person,
            arrest=arrests[n % len(arrests)],
            status="charged" if n % 2 == 0 else "convicted",
            category=categories[n % 4],
            top_charge="CHARGE",
            assigned_to=prosecutor if n % 2 == 0 else None,
        )
    for n in range(counts["intel"]):
        IntelRecord.objects.create(
            subject_kind="person",
            subject_person=person,
            narrative=f"Observation {n}: seen with crew members at the corner of 4th and Elm.",
            owner_note="Handler's note." if n % 3 == 0 else "",
            predicate_category="weapons",
            predicate_narrative=PREDICATE,
            source_type="officer",
            source_reliability="B",
            content_validity="2" if n % 2 else "4",
            sensitivity="confidential",
            submitting_agency=police,
            lawfully_obtained=True,
            status="approved",
            submitted_by=analyst,
            approved_by=supervisor,
            approved_at=now - timedelta(days=n),
        )
    for n in range(counts["memberships"]):
        group = Group.objects.create(name=f"Bench crew {n}", created_by=analyst)
        GroupMembership.objects.create(
            group=group,
            person=person,
            level="associate",
            predicate_category="violent" if n % 2 else "drug",
            predicate_narrative=PREDICATE,
            source_type="officer",
            lawfully_obtained=True,
            status="approved",
            submitted_by=analyst,
            approved_by=supervisor,
            approved_at=now - timedelta(days=n),
        )
    for n in range(counts["shootings"]):
        Shooting.objects.create(
            source_agency=police,
            source_id=f"S{n:05d}",
            occurred_at=now - timedelta(days=30 * n + 5),
            victim=person,
        )
    SupervisionStatus.objects.create(
        person=person,
        kind="parole",
        agency="State Parole",
        reference="P-1",
        starts_on=date(2025, 1, 1),
        entered_by=analyst,
    )
    config = ScoreConfig.objects.create(
        version=1,
        weights=dict.fromkeys(SCORE_FACTORS, 1.0),
        note="bench",
        created_by=supervisor,
    )
    factors = [
        {
            "name": "violent_arrests",
            "value": 10,
            "weight": 1.0,
            "contribution": 10.0,
            "records": [{"type": "arrest", "id": a.pk} for a in arrests[:10]],
        }
    ]
    PriorityScore.objects.create(
        person=person, config=config, score=10.0, factors=factors, computed_at=now
    )
    PriorityDesignation.objects.create(
        person=person,
        status="active",
        reason="Benchmark designation with a long enough reason.",
        basis={"score": 10.0, "version": 1, "factors": factors},
        proposed_by=analyst,
        proposed_at=now - timedelta(days=5),
        decided_by=supervisor,
        decided_at=now - timedelta(days=4),
        approved_at=now - timedelta(days=4),
        expires_at=now + timedelta(days=360),
    )
    TreatmentRule.objects.create(
        name="Drug diversion",
        treatment="Drug court",
        guideline="Non-violent drug cases.",
        open_case_categories=["drug"],
        max_violent_arrests=0,
        no_firearm=True,
        no_violent_group=True,
        updated_by=supervisor,
    )
    return person, counts


def _timed(runs: int, fn: Callable[[], object]) -> list[float]:
    fn()  # warm-up: templates compiled, permissions cached, WeasyPrint imported
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return times


def _p(times: list[float], q: float) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _request(path: str, user: User):  # type: ignore[no-untyped-def]
    request = RequestFactory().get(path)
    request.user = user
    request.session = SessionBase()
    request._messages = FallbackStorage(request)  # type: ignore[attr-defined]
    return request


def run() -> dict[str, float]:
    prosecutor = _user("bench.prosecutor", "prosecutor")
    analyst = _user("bench.analyst", "analyst")
    supervisor = _user("bench.supervisor", "supervisor")
    person, counts = _build(prosecutor, analyst, supervisor)
    print(f"   person #{person.pk} with {sum(counts.values())} linked records: {counts}")
    # The reader: analysts see every kind of record (prosecutors do not read shootings).
    reader = User.objects.get(pk=analyst.pk)

    with CaptureQueriesContext(connection) as captured:
        brief = person_brief(actor=reader, person=person)
    person_brief(actor=reader, person=person)  # permissions now cached
    with CaptureQueriesContext(connection) as captured:
        brief = person_brief(actor=reader, person=person)
    statements = [q["sql"] for q in captured.captured_queries]
    cited = sum(1 for _ in brief.citations())

    def raw_sql() -> None:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
                if cursor.description is not None:
                    cursor.fetchall()

    html_path = reverse("intel:person-brief", args=[person.pk])
    pdf_path = reverse("intel:person-brief-pdf", args=[person.pk])

    def html() -> None:
        response = person_brief_view(_request(html_path, reader), pk=person.pk)
        assert response.status_code == 200 and len(response.content) > 10_000

    pdf_bytes = 0

    def pdf() -> None:
        nonlocal pdf_bytes
        response = person_brief_pdf_view(_request(pdf_path, reader), pk=person.pk)
        assert response.status_code == 200 and response.content.startswith(b"%PDF")
        pdf_bytes = len(response.content)

    with CaptureQueriesContext(connection) as view_queries:
        html()
    results = {
        "raw SQL of the selector": _timed(HTML_RUNS, raw_sql),
        "selector person_brief": _timed(
            HTML_RUNS, lambda: person_brief(actor=reader, person=person)
        ),
        "HTML view": _timed(HTML_RUNS, html),
        "PDF view": _timed(PDF_RUNS, pdf),
    }
    base = statistics.median(results["raw SQL of the selector"])
    print(
        f"   selector: {len(statements)} queries, {cited} distinct citations; HTML view: "
        f"{len(view_queries.captured_queries)} queries; PDF: {pdf_bytes / 1024:.0f} KiB"
    )
    print(f"   {'':<26}{'runs':>6}{'p50 ms':>10}{'p95 ms':>10}{'p50 / raw SQL p50':>20}")
    figures: dict[str, float] = {}
    for name, times in results.items():
        p50, p95 = statistics.median(times), _p(times, 0.95)
        print(f"   {name:<26}{len(times):>6}{p50:>10.1f}{p95:>10.1f}{p50 / base:>19.1f}x")
        figures[f"{name} p50 ms"] = p50
        figures[f"{name} p95 ms"] = p95
    return figures
