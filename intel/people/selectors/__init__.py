"""Reads about one person for interfaces: the person page (identity, why its records are linked,
timeline), a merge, and the match review queue. Each starts from ``visible_to(actor)``; what the
actor may not see raises the model's ``DoesNotExist``, as a missing row does (the pages answer
404 to both). Search by name, identifier or date of birth is in ``search.py``.
"""

from __future__ import annotations

from intel.people.selectors.person import (
    OPEN_CASE_STATUSES,
    PersonProfile,
    Source,
    TimelineEntry,
    Victimisation,
    person_get,
    person_merge_get,
    person_profile,
    person_survivor,
    person_timeline,
)
from intel.people.selectors.review import (
    AsRecorded,
    MatchGroup,
    match_candidate_get,
    match_queue,
    match_queue_counts,
    match_record_get,
)

__all__ = [
    "OPEN_CASE_STATUSES",
    "PersonProfile",
    "Source",
    "TimelineEntry",
    "Victimisation",
    "person_get",
    "person_merge_get",
    "person_profile",
    "person_survivor",
    "person_timeline",
    "AsRecorded",
    "MatchGroup",
    "match_candidate_get",
    "match_queue",
    "match_queue_counts",
    "match_record_get",
]
