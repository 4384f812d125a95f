"""A timeline entry as the shared component ``components/timeline.html`` shows it. An area's
records (the dashboards' zone timeline) and a person's (the person page) are both lists of these,
shaped by their views: the component only lays them out, so every URL is reversed in Python."""

from __future__ import annotations

from datetime import datetime
from typing import NotRequired, TypedDict


class TimelineSource(TypedDict):
    """Where an entry's fact came from: the agency, its id for the record, and the import that
    brought it. ``import_url`` is empty for a viewer who may not open imports: the import is
    then named, not linked."""

    agency: str
    source_id: str
    import_id: int | None
    import_url: str


class TimelineItem(TypedDict):
    """One dated entry: ``url`` (empty for none) is the page the entry links to, with
    ``link_label`` as its text; ``source``, when given, is shown as a "Source: ..." line."""

    at: datetime | None
    kind: str
    title: str
    url: str
    link_label: str
    details: list[str]
    source: NotRequired[TimelineSource]
