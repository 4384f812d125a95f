"""R8: the four labels every intelligence record carries, on screen and in every export, and how
a record's dissemination history reads. Pure functions of loaded rows: the selectors and the
sharing services both use them, so neither imports the other for them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from csu.models import User
from intel.models import DisseminationLog, IntelRecord

LABEL_NAMES = ("sensitivity", "confidence", "submitting_agency", "control_official")


@dataclass(frozen=True)
class Labels:
    """The four R8 labels of a record, as people read them."""

    sensitivity: str
    confidence: str
    submitting_agency: str
    control_official: str

    def items(self) -> list[tuple[str, str]]:
        return [
            ("Sensitivity", self.sensitivity),
            ("Confidence", self.confidence),
            ("Submitting agency", self.submitting_agency),
            ("Control official", self.control_official),
        ]


def person_name(user: User) -> str:
    full = user.get_full_name()
    return f"{full} ({user.get_username()})" if full else user.get_username()


def record_labels(record: IntelRecord) -> Labels:
    """Sensitivity; confidence as source reliability + content validity (e.g. "B2"); the
    submitting agency; the control official, who is the approving supervisor."""
    reliability = record.get_source_reliability_display().split(": ", 1)[-1]
    validity = record.get_content_validity_display().split(": ", 1)[-1]
    return Labels(
        sensitivity=record.get_sensitivity_display(),
        confidence=(
            f"{record.source_reliability}{record.content_validity}: source {reliability}"
            f", content {validity}"
        ),
        submitting_agency=record.submitting_agency.name,
        control_official=(
            person_name(record.approved_by) if record.approved_by else "not yet approved"
        ),
    )


def dissemination_recipients(logs: Iterable[DisseminationLog]) -> str:
    return "; ".join(f"{log.recipient} ({log.recipient_agency.name})" for log in logs)
