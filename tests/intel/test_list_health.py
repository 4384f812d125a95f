"""The list health report against a fixture whose every figure is computed by hand below."""

from __future__ import annotations

import html
from datetime import UTC, date, datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from intel.models import PriorityDesignation
from intel.priority.health import age_group, designation_list_health
from tests.factories import ArrestChargeFactory, ArrestFactory, CaseReferralFactory, PersonFactory

pytestmark = pytest.mark.django_db

AS_OF = datetime(2026, 6, 30, 12, 0, tzinfo=UTC)  # the period: 2025-06-30 12:00 to here
REASON = "Three violent arrests in eighteen months, two with a recovered handgun."


def at(y: int, m: int, d: int) -> datetime:
    return datetime(y, m, d, 12, 0, tzinfo=UTC)


def _designation(analyst, supervisor, person, status, approved=None, expires=None, **fields):  # type: ignore[no-untyped-def]
    return PriorityDesignation.objects.create(
        person=person,
        status=status,
        reason=REASON,
        proposed_by=analyst,
        proposed_at=approved or at(2026, 6, 1),
        decided_by=supervisor if approved else None,
        decided_at=approved,
        approved_at=approved,
        expires_at=expires,
        **fields,
    )


def _arrest(person, when, *, violent_charges=0, other="property", **fields):  # type: ignore[no-untyped-def]
    if person is None:
        fields.setdefault("name_as_recorded", "DOE, JOHN")
        fields.setdefault("dob_as_recorded", None)
    arrest = ArrestFactory(person=person, arrested_at=when, **fields)
    for n in range(violent_charges):
        ArrestChargeFactory(arrest=arrest, sequence=n + 1, category="violent")
    if not violent_charges:
        ArrestChargeFactory(arrest=arrest, sequence=1, category=other)
    return arrest


def _case(person, when, status):  # type: ignore[no-untyped-def]
    return CaseReferralFactory(arrest=None, defendant=person, referred_at=when, status=status)


@pytest.fixture
def fixture(analyst, supervisor):  # type: ignore[no-untyped-def]
    """Four people designated on AS_OF (P1-P4), five who are not, and five arrestees."""
    p1 = PersonFactory(race="black", sex="M", dob=date(2000, 1, 1))  # 26: 25-34
    for when in (at(2024, 1, 15), at(2025, 3, 10)):
        _arrest(p1, when, violent_charges=1, race="black", sex="M")
    _arrest(p1, at(2026, 5, 10), violent_charges=1, race="black", sex="M")  # in the period
    _case(p1, at(2024, 2, 1), "convicted")

    p2 = PersonFactory(race="black", sex="M", dob=date(2005, 3, 1))  # 21: 18-24
    _arrest(p2, at(2023, 2, 1), violent_charges=1, race="black")
    _arrest(p2, at(2022, 4, 1), race="black")
    _arrest(p2, at(2022, 9, 1), race="black")
    _case(p2, at(2022, 5, 1), "dismissed")  # nothing in the last 12 months: stale

    # Unknown on the person record: race, sex and age from the latest arrest (35 on AS_OF).
    p3 = PersonFactory(race="unknown", sex="U", dob=None)
    _arrest(p3, at(2019, 1, 1), other="drug", race="white", sex="M", dob_as_recorded=None)
    _arrest(
        p3,
        at(2025, 12, 1),
        other="drug",
        race="hispanic",
        sex="F",
        dob_as_recorded=date(1990, 7, 1),
    )
    _case(p3, at(2025, 12, 15), "pleaded")

    p4 = PersonFactory(race="white", sex="M", dob=date(1980, 1, 1))  # 46: 45+
    _arrest(p4, at(2021, 6, 1), violent_charges=2, race="white")  # one arrest, two charges
    _arrest(p4, at(2022, 6, 1), violent_charges=1, race="white")
    _case(p4, at(2026, 2, 1), "charged")  # recent through the case; no conviction

    for person in (p1, p2, p3):
        _designation(analyst, supervisor, person, "active", at(2026, 1, 5), at(2027, 1, 5))
    _designation(
        analyst,
        supervisor,
        p4,
        "active",
        at(2025, 8, 1),
        at(2026, 8, 1),
        renewal_reason="Charged in February with the Pier 4 shooting.",
        renewal_requested_by=analyst,
        renewal_requested_at=at(2026, 6, 20),
    )

    # Not designated on AS_OF.
    _designation(analyst, supervisor, PersonFactory(), "proposed")
    _designation(analyst, supervisor, PersonFactory(), "active", at(2026, 7, 15), at(2027, 7, 15))
    expired_kw = {"ended_reason": "Twelve months passed."}
    _designation(  # expired in the period
        analyst,
        supervisor,
        PersonFactory(),
        "expired",
        at(2025, 1, 1),
        at(2026, 1, 1),
        ended_at=at(2026, 1, 1),
        **expired_kw,
    )
    _designation(  # expired before it
        analyst,
        supervisor,
        PersonFactory(),
        "expired",
        at(2024, 3, 1),
        at(2025, 3, 1),
        ended_at=at(2025, 3, 1),
        **expired_kw,
    )
    _designation(
        analyst,
        supervisor,
        PersonFactory(),
        "removed",
        at(2025, 9, 1),
        at(2026, 9, 1),
        ended_at=at(2026, 3, 1),
        ended_reason="Moved out of state.",
    )

    # Other arrestees in the period: Q1 twice (17, then 18: the latest counts), Q2 with no
    # age, Q3 aged 55; one arrest resolved to nobody.
    q1 = PersonFactory(race="black", sex="M", dob=None)
    _arrest(q1, at(2025, 8, 1), race="black", sex="M", age=17, dob_as_recorded=None)
    _arrest(q1, at(2026, 1, 1), race="black", sex="M", age=18, dob_as_recorded=None)
    q2 = PersonFactory(race="asian", sex="F", dob=None)
    _arrest(q2, at(2026, 2, 1), race="asian", sex="F", dob_as_recorded=None)
    q3 = PersonFactory(race="asian", sex="M")
    _arrest(q3, at(2026, 3, 1), race="asian", sex="M", dob_as_recorded=date(1970, 5, 5))
    _arrest(None, at(2026, 4, 1), race="white")
    # Outside the period: not an arrestee of it.
    _arrest(PersonFactory(race="white"), at(2025, 6, 1), race="white")


def _rows(rows) -> dict:  # type: ignore[no-untyped-def]
    return {
        r.label: (r.on_list, r.on_list_share, r.arrestees, r.arrestee_share, r.ratio) for r in rows
    }


def test_every_figure_matches_the_hand_computed_values(fixture, supervisor) -> None:
    report = designation_list_health(actor=supervisor, as_of=AS_OF, period_days=365)

    assert report.designated == 4  # P1-P4
    assert (report.violent_0_1, report.violent_0_1_share) == (2, 0.5)  # P2 (1), P3 (0)
    assert (report.no_conviction, report.no_conviction_share) == (2, 0.5)  # P2, P4
    assert (report.stale, report.stale_share) == (1, 0.25)  # P2
    assert report.expired_in_period == 1
    assert report.pending_renewals == 1  # P4
    assert (report.arrestees, report.arrests_unresolved) == (5, 1)  # P1, P3, Q1, Q2, Q3

    # Race. List: black 2 (P1, P2), hispanic 1 (P3, from the arrest), white 1 (P4).
    # Arrestees: black 2 (P1, Q1), hispanic 1 (P3), asian 2 (Q2, Q3).
    assert _rows(report.race) == {
        "White": (1, 0.25, 0, 0.0, None),  # no white arrestee in the period: "—"
        "Black or African American": (2, 0.5, 2, 0.4, pytest.approx(1.25)),
        "Hispanic or Latino": (1, 0.25, 1, 0.2, pytest.approx(1.25)),
        "Asian": (0, 0.0, 2, 0.4, 0.0),
    }
    # Sex. List: M 3, F 1 (P3, from the arrest). Arrestees: M 3 (P1, Q1, Q3), F 2 (P3, Q2).
    assert _rows(report.sex) == {
        "Male": (3, 0.75, 3, 0.6, pytest.approx(1.25)),
        "Female": (1, 0.25, 2, 0.4, pytest.approx(0.625)),
    }
    # Age. List: P2 21, P1 26, P3 35, P4 46. Arrestees: Q1 18, P1 26, P3 35, Q3 55, Q2 unknown.
    assert _rows(report.age) == {
        "18–24": (1, 0.25, 1, 0.2, pytest.approx(1.25)),
        "25–34": (1, 0.25, 1, 0.2, pytest.approx(1.25)),
        "35–44": (1, 0.25, 1, 0.2, pytest.approx(1.25)),
        "45+": (1, 0.25, 1, 0.2, pytest.approx(1.25)),
        "Unknown": (0, 0.0, 1, 0.2, 0.0),
    }


def test_the_period_and_date_move_the_figures(fixture, supervisor) -> None:
    """On 1 January 2024 nobody in the fixture was designated: the shares are undefined
    ("—"), not zero, and the 90 days before hold no arrest."""
    report = designation_list_health(actor=supervisor, as_of=at(2024, 1, 1), period_days=90)

    assert report.designated == 0
    assert report.violent_0_1_share is None and report.stale_share is None
    assert report.expired_in_period == 0
    assert report.arrestees == 0


def test_age_groups() -> None:
    assert [age_group(a) for a in (None, 0, 17, 18, 24, 25, 34, 35, 44, 45, 90)] == [
        "Unknown",
        "<18",
        "<18",
        "18–24",
        "18–24",
        "25–34",
        "25–34",
        "35–44",
        "35–44",
        "45+",
        "45+",
    ]


def test_only_supervisors_get_the_report(analyst, prosecutor) -> None:
    for actor in (analyst, prosecutor):
        with pytest.raises(PermissionDenied):
            designation_list_health(actor=actor, as_of=AS_OF)


def test_the_page_shows_the_figures_and_how_they_are_counted(
    fixture, supervisor, client_for
) -> None:
    response = client_for(supervisor).get(
        reverse("intel:list-health"), {"as_of": "2026-06-30", "period_days": "365"}
    )

    page = html.unescape(response.content.decode())
    assert response.status_code == 200
    assert 'data-figure="designated">4<' in page
    assert 'data-figure="violent_0_1_share">50%<' in page
    assert 'data-figure="stale_share">25%<' in page
    assert "all time up to the report date" in page  # violent arrests: all time, said so
    assert "in the 12 months before the report date" in page  # stale: defined on the page
    assert '<td>White</td><td class="num">1</td>' in page
    assert "1.25" in page and "—" in page
    assert "not a basis for detention or arrest" in page
