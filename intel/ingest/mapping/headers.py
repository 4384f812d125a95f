"""What a header says: how well it names a field (``_header_match``), whether it names a
report (``is_report_header``), any field at all, or another identifier than the record's.
"""

from __future__ import annotations

import re

from intel.ingest.fields import FIELDS, Kind, normalise_header
from intel.ingest.mapping.base import HEADER_EXACT, HEADER_WITHIN

# Identifiers of something else than the record: never the record id where the kind has them.
_OTHER_IDS = ("booking_number", "arrest_number", "case_number")
_REPORT_HEADER = re.compile(r"report|rptd|rpt(?:dt|date|time)?$|^rpt")
# Row numbers of the export (a GIS layer's object id, a spreadsheet's row id): they name a row,
# not the agency's record, so any header that names a record number wins over them. Where rows
# share an incident key (one row per victim or offense), the key is the record id.
_ROW_NUMBERS = frozenset({"objectid", "object id", "row id", "rowid", "fid", "index", "oid"})
HEADER_ROW_NUMBER = 0.8


def _header_match(field_name: str, header: str) -> tuple[float, str]:
    """How well a header names a field (1.0 exact synonym, 0.6 synonym within it), and why."""
    norm = normalise_header(header)
    best, why = 0.0, ""
    if field_name == "source_id" and norm in _ROW_NUMBERS:
        return HEADER_ROW_NUMBER, f'header "{norm}" (a row number of the export)'
    # Headers written run together ("ArrestNumber", "ChargeDescription", "occurrencedate") name
    # the same field as their spaced synonym, once long enough not to match by accident.
    run_together = norm.replace(" ", "")
    compact = run_together if len(run_together) >= 8 or field_name == "source_id" else None
    for synonym in FIELDS[field_name].synonyms:
        if norm == synonym.strip() or compact == synonym.replace(" ", ""):
            return HEADER_EXACT, f'header "{synonym.strip()}"'
        # The longer synonym within a header says more: "Victim Last Name" names the last name
        # ("last name") before the full name ("name").
        within = HEADER_WITHIN + min(len(synonym), 30) / 1000
        if len(synonym) >= 4 and (f" {synonym} " in f" {norm} ") and best < within:
            best, why = within, f'header contains "{synonym}"'
    return best, why


def _header_score(field_name: str, header: str) -> float:
    return _header_match(field_name, header)[0]


def is_report_header(header: str) -> bool:
    """Whether a header names a report (``Reported_Date``, ``REPORT_DAT``, ``reporteddate``,
    ``Date Rptd``...): a report date is when the agency heard of it, not when it happened."""
    compact = normalise_header(header).replace(" ", "")
    return bool(_REPORT_HEADER.search(compact))


def _named_by_any_field(header: str) -> bool:
    """Whether any field's synonyms name this header (then it is not "unrecognised")."""
    return any(_header_score(name, header) > 0 for name in FIELDS)


def _names_other_id(header: str, spec: Kind) -> bool:
    return any(
        name in spec.fields and _header_score(name, header) == HEADER_EXACT for name in _OTHER_IDS
    )


# Who a person column is about, by the words of its header: the subject of a shooting is its
# victim, of an arrest or an incident the arrestee or subject, never the other party.
_VICTIM_WORDS = frozenset({"vic", "victim", "victims"})
_OFFENDER_WORDS = frozenset({"perp", "perpetrator", "suspect", "offender", "susp", "arrestee"})


def names_other_party(header: str, spec: Kind) -> bool:
    """Whether a person column's header names the other party than the kind's subject."""
    words = set(normalise_header(header).split())
    if spec.name == "shootings":
        return bool(words & _OFFENDER_WORDS)
    return bool(words & _VICTIM_WORDS)
