"""How the brief and the treatment assessment cite a fact: the agency, the agency's own number
for the record, and what kind of source it is. A court record (a case referral and its
disposition) is not a police report (an arrest, an incident, a shooting), and neither is
intelligence, which is named with its labels, or called uncorroborated when its content cannot
be judged or is doubtful. The reader must always be able to tell which is which."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from django.urls import reverse

from intel.models import (
    Agency,
    Arrest,
    CaseReferral,
    GroupMembership,
    Incident,
    IntelRecord,
    Shooting,
    SupervisionStatus,
)

COURT_RECORD = "court record"
POLICE_REPORT = "police report"
UNCORROBORATED = "uncorroborated intelligence"
SUPERVISION = "supervising agency's record"

# Content that is confirmed or probably true is intelligence; the rest is not corroborated.
CORROBORATED = (IntelRecord.Validity.CONFIRMED, IntelRecord.Validity.PROBABLE)


@dataclass(frozen=True)
class Citation:
    """One source record: ``agency`` and ``number`` as the agency knows it, ``kind`` of source,
    and ``url``, the page or anchor that shows it ("" where none exists)."""

    agency: str
    number: str
    kind: str
    url: str = ""

    @property
    def label(self) -> str:
        return f"{self.agency} {self.number}"

    def __str__(self) -> str:
        return f"{self.label} ({self.kind})"


def agency_name(agency: Agency) -> str:
    return agency.short_name or agency.name


@lru_cache(maxsize=4096)
def _person_url(person_id: int) -> str:
    # A brief cites each arrest several times (by year, by charge, in counts): resolving the
    # same URL each time was a fifth of the selector's Python time.
    return reverse("intel:person-detail", args=[person_id])


def _person_anchor(person_id: int | None, anchor: str) -> str:
    if person_id is None:
        return ""
    return f"{_person_url(person_id)}#{anchor}"


def cite_arrest(arrest: Arrest) -> Citation:
    return Citation(
        agency_name(arrest.source_agency),
        f"arrest {arrest.source_id}",
        POLICE_REPORT,
        _person_anchor(arrest.person_id, "links-title"),
    )


def cite_incident(incident: Incident) -> Citation:
    return Citation(
        agency_name(incident.source_agency), f"incident {incident.source_id}", POLICE_REPORT
    )


def cite_shooting(shooting: Shooting, person_id: int | None = None) -> Citation:
    return Citation(
        agency_name(shooting.source_agency),
        f"shooting {shooting.source_id}",
        POLICE_REPORT,
        _person_anchor(person_id, "victim-title"),
    )


def cite_case(case: CaseReferral) -> Citation:
    return Citation(
        agency_name(case.source_agency),
        f"case {case.case_number} (record {case.source_id})",
        COURT_RECORD,
        _person_anchor(case.defendant_id, "cases-title"),
    )


def intel_source_kind(record: IntelRecord) -> str:
    """ "intelligence (source reliability X, content validity Y)", or "uncorroborated
    intelligence" when the content is doubtful or cannot be judged."""
    if record.content_validity not in CORROBORATED:
        return (
            f"{UNCORROBORATED} (source reliability {record.get_source_reliability_display()}, "
            f"content validity {record.get_content_validity_display()})"
        )
    return (
        f"intelligence (source reliability {record.get_source_reliability_display()}, "
        f"content validity {record.get_content_validity_display()})"
    )


def cite_intel(record: IntelRecord) -> Citation:
    return Citation(
        "CSU",
        f"intel #{record.pk}",
        intel_source_kind(record),
        reverse("intel:record-detail", args=[record.pk]),
    )


def cite_membership(membership: GroupMembership) -> Citation:
    return Citation(
        "CSU",
        f"membership #{membership.pk}",
        f"intelligence (approved group membership; source: "
        f"{membership.get_source_type_display().lower()})",
        reverse("intel:group-detail", args=[membership.group_id]),
    )


def cite_supervision(status: SupervisionStatus) -> Citation:
    return Citation(
        status.agency, status.reference or f"term from {status.starts_on:%Y-%m-%d}", SUPERVISION
    )
