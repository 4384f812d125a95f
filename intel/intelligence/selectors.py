"""Reads of the 28 CFR Part 23 entries for the pages, the export and the R11 report: intelligence
records, groups and their memberships, challenges.

Each starts from the model's ``visible_to(actor)`` (need to know, R5), except the inspection
report, which covers every approved record by design and is audited as such. A single-object
read raises the model's ``DoesNotExist`` for an entry that is missing or out of the actor's
sight alike (the pages answer 404 to both).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.db.models import Case, Count, Q, QuerySet, Value, When
from django.utils import timezone

from csu import audit
from csu.models import User
from intel.intelligence.groups import membership_screen_hits
from intel.intelligence.labels import dissemination_recipients, record_labels
from intel.models import (
    Challenge,
    DisseminationLog,
    Group,
    GroupMembership,
    IntelIdentifier,
    IntelRecord,
    Person,
    ReviewDecision,
)

REVIEW_WINDOW_DAYS = 90
Status = GroupMembership.Status
Outcome = Challenge.Status


class Tab:
    """The lists on the intelligence page."""

    SEARCH = "search"
    MINE = "mine"
    AWAITING = "awaiting"
    REVIEW = "review"


def _with_parts(records: QuerySet[IntelRecord]) -> QuerySet[IntelRecord]:
    return records.select_related(
        "subject_person", "submitting_agency", "submitted_by", "approved_by"
    )


def intel_record_search(*, actor: User, text: str = "") -> QuerySet[IntelRecord]:
    """Approved records only: drafts, pending and purged records are never searchable."""
    records = IntelRecord.objects.visible_to(actor).filter(status=IntelRecord.Status.APPROVED)
    for word in text.split():
        records = records.filter(
            Q(narrative__icontains=word)
            | Q(predicate_narrative__icontains=word)
            | Q(subject_name__icontains=word)
            | Q(subject_person__last_name__iexact=word)
            | Q(subject_person__first_name__iexact=word)
        )
    return _with_parts(records)


def intel_record_tabs(*, actor: User) -> list[tuple[str, str]]:
    """The tabs this actor has: everyone searches; analysts follow their own drafts;
    supervisors approve and review."""
    tabs = [(Tab.SEARCH, "Search approved intelligence")]
    if actor.has_perm("intel.add_intelrecord"):
        tabs.append((Tab.MINE, "My drafts and pending"))
    if actor.has_perm("intel.approve_intelrecord"):
        tabs += [
            (Tab.AWAITING, "Awaiting approval"),
            (Tab.REVIEW, f"Due for review ({REVIEW_WINDOW_DAYS} days)"),
        ]
    return tabs


def intel_record_list(
    *, actor: User, tab: str = Tab.SEARCH, text: str = ""
) -> QuerySet[IntelRecord]:
    """The records of one tab; a tab the actor does not have lists nothing."""
    if tab not in dict(intel_record_tabs(actor=actor)):
        return IntelRecord.objects.none()
    if tab == Tab.SEARCH:
        return intel_record_search(actor=actor, text=text)
    visible = _with_parts(IntelRecord.objects.visible_to(actor))
    if tab == Tab.MINE:
        return visible.filter(
            submitted_by=actor, status__in=[IntelRecord.Status.DRAFT, IntelRecord.Status.PENDING]
        )
    if tab == Tab.AWAITING:
        return (
            visible.filter(status=IntelRecord.Status.PENDING)
            .exclude(submitted_by=actor)
            .order_by("updated_at", "id")
        )
    horizon = timezone.localdate() + timedelta(days=REVIEW_WINDOW_DAYS)
    return visible.filter(status=IntelRecord.Status.APPROVED, review_due__lte=horizon).order_by(
        "review_due", "id"
    )


def intel_record_get(*, actor: User, pk: int) -> IntelRecord:
    """One record the actor may see, for an action on it; ``IntelRecord.DoesNotExist``
    otherwise, whether it does not exist or is out of scope (the page says 404 to both)."""
    return _with_parts(IntelRecord.objects.visible_to(actor)).get(pk=pk)


@dataclass
class RecordDetail:
    """Everything the record page shows, with what this actor may do on it."""

    record: IntelRecord
    labels: Any
    identifiers: list[IntelIdentifier]
    reviews: list[ReviewDecision]
    disseminations: list[DisseminationLog] | None
    readers: list[Any] | None
    actions: set[str] = field(default_factory=set)


def _actions(actor: User, record: IntelRecord) -> set[str]:
    from intel.intelligence.access import may_grant

    status, mine = record.status, record.submitted_by_id == actor.pk
    supervisor = actor.has_perm("intel.approve_intelrecord")
    actions = set()
    if mine and status == IntelRecord.Status.DRAFT:
        actions.add("submit")
    if (
        mine
        and status in (IntelRecord.Status.DRAFT, IntelRecord.Status.PENDING)
        and actor.has_perm("intel.add_intelrecord")
    ):
        actions.add("identify")
    if supervisor and not mine and status == IntelRecord.Status.PENDING:
        actions.add("approve")
    if supervisor and status == IntelRecord.Status.APPROVED:
        actions.add("revalidate")
    if supervisor and status != IntelRecord.Status.PURGED:
        actions.add("purge")
    if actor.has_perm("intel.add_disseminationlog") and status == IntelRecord.Status.APPROVED:
        actions.add("share")
    if may_grant(actor=actor, record=record):
        actions.add("grant")
    return actions


def intel_record_detail(*, actor: User, pk: int) -> RecordDetail:
    """The record page's content. Every read is audited by ``csu.audit_reads`` (one event per
    request, as "intel.record_viewed")."""
    from intel.intelligence.access import intel_record_readers

    record = intel_record_get(actor=actor, pk=pk)
    actions = _actions(actor, record)
    disseminations = None
    if actor.has_perm("intel.view_disseminationlog"):
        disseminations = list(
            DisseminationLog.objects.visible_to(actor)
            .filter(record=record)
            .select_related("recipient_agency", "disseminated_by")
        )
    readers = list(intel_record_readers(record=record)) if "grant" in actions else None
    return RecordDetail(
        record=record,
        labels=record_labels(record),
        actions=actions,
        identifiers=list(record.identifiers.select_related("person")),
        reviews=list(record.reviews.select_related("reviewer").order_by("decided_at", "id")),
        disseminations=disseminations,
        readers=readers,
    )


REPORT_HEADER = [
    "record_id",
    "subject",
    "predicate_category",
    "predicate_narrative",
    "submitted_by",
    "approved_by",
    "approved_at",
    "review_due",
    "sensitivity",
    "confidence",
    "submitting_agency",
    "control_official",
    "disseminations",
    "recipients",
]


def intel_report_rows(*, actor: User) -> list[list[Any]]:
    """R11: one row per approved record with its predicate, submitter, approver, labels and
    dissemination history, for an audit or inspection. Three queries whatever the size."""

    records = list(
        _with_parts(IntelRecord.objects.filter(status=IntelRecord.Status.APPROVED)).order_by("id")
    )
    history: dict[int, list[DisseminationLog]] = {}
    for log in (
        DisseminationLog.objects.filter(record__status=IntelRecord.Status.APPROVED)
        .select_related("recipient_agency")
        .order_by("disseminated_at", "id")
    ):
        history.setdefault(log.record_id, []).append(log)
    rows = []
    for r in records:
        labels, logs = record_labels(r), history.get(r.pk, [])
        # An approved record always has its approver, approval time and review date.
        assert r.approved_by is not None and r.approved_at is not None
        assert r.review_due is not None
        rows.append(
            [
                r.pk,
                str(r.subject_person) if r.subject_person_id else r.subject_name,
                r.predicate_category,
                r.predicate_narrative,
                r.submitted_by.get_username(),
                r.approved_by.get_username(),
                r.approved_at.isoformat(),
                r.review_due.isoformat(),
                labels.sensitivity,
                labels.confidence,
                labels.submitting_agency,
                labels.control_official,
                len(logs),
                dissemination_recipients(logs),
            ]
        )
    audit.audit_log(
        actor=actor,
        action=audit.EXPORT,
        component="intel_report",
        export="intel_report",
        rows=len(rows),
    )
    return rows


# Groups and memberships -------------------------------------------------------------------


def group_list(*, actor: User, q: str = "") -> QuerySet[Group]:
    """Groups with their approved members counted (pending and removed ones do not count)."""
    groups = Group.objects.visible_to(actor)
    if q:
        groups = groups.filter(name__icontains=q.strip())
    return (
        groups.select_related("parent")
        .annotate(member_count=Count("memberships", filter=Q(memberships__status=Status.APPROVED)))
        .order_by("name")
    )


def group_get(*, actor: User, pk: int) -> Group:
    """The group; ``Group.DoesNotExist`` when it does not exist or is out of the actor's
    sight."""
    return Group.objects.visible_to(actor).select_related("parent", "created_by").get(pk=pk)


def membership_get(*, actor: User, pk: int) -> GroupMembership:
    """The membership; ``GroupMembership.DoesNotExist`` when it does not exist or is out of
    the actor's sight (a pending one is its submitter's and the supervisors')."""
    return (
        GroupMembership.objects.visible_to(actor)
        .select_related("group", "person", "submitted_by")
        .get(pk=pk)
    )


def membership_list(
    *, actor: User, person: Person | None = None, group: Group | None = None
) -> QuerySet[GroupMembership]:
    """Approved memberships only: what counts as membership on every other page."""
    rows = GroupMembership.objects.visible_to(actor).filter(status=Status.APPROVED)
    if person is not None:
        rows = rows.filter(person=person)
    if group is not None:
        rows = rows.filter(group=group)
    return rows.select_related("group", "person")


@dataclass
class GroupPage:
    """What the group page shows: approved members by level; for supervisors the proposals
    awaiting review and the removed memberships; the analyst's own pending proposals."""

    group: Group
    members_by_level: list[tuple[str, list[GroupMembership]]]
    pending: list[GroupMembership] = field(default_factory=list)
    removed: list[GroupMembership] = field(default_factory=list)
    challenges: list[Challenge] = field(default_factory=list)
    sets: list[Group] = field(default_factory=list)


def group_page(*, actor: User, pk: int) -> GroupPage:
    """The group page; ``Group.DoesNotExist`` as ``group_get``."""
    group = group_get(actor=actor, pk=pk)
    rows = list(
        GroupMembership.objects.visible_to(actor)
        .filter(group=group)
        .select_related("person", "submitted_by", "approved_by")
        .order_by("person__last_name", "person__first_name", "id")
    )
    reviewer = actor.has_perm("intel.approve_groupmembership")
    by_level = [
        (label, [m for m in rows if m.status == Status.APPROVED and m.level == level])
        for level, label in GroupMembership.Level.choices
    ]
    for membership in rows:
        membership.screen_hits = membership_screen_hits(membership)  # type: ignore[attr-defined]
    pending = [
        m
        for m in rows
        if m.status == Status.PENDING and (reviewer or m.submitted_by_id == actor.pk)
    ]
    removed = [m for m in rows if m.status == Status.REMOVED] if reviewer else []
    challenges: list[Challenge] = []
    if actor.has_perm("intel.view_challenge"):
        challenges = list(
            Challenge.objects.visible_to(actor)
            .filter(membership__group=group)
            .select_related("person", "membership")
        )
    return GroupPage(
        group=group,
        members_by_level=by_level,
        pending=pending,
        removed=removed,
        challenges=challenges,
        sets=list(group.sets.all()),
    )


# Challenges -------------------------------------------------------------------------------


def challenge_visible(*, actor: User) -> QuerySet[Challenge]:
    """Challenges the actor may see: the role's ``view_challenge``, and for a challenge to an
    intel record or a membership, only if that entry is visible too (``Challenge.objects``)."""
    return Challenge.objects.visible_to(actor)


def challenge_list(*, actor: User, status: str = "") -> QuerySet[Challenge]:
    """Open challenges first (oldest received first: they have waited longest), then decided."""
    rows = challenge_visible(actor=actor)
    if status:
        rows = rows.filter(status=status)
    is_open = Case(When(status=Outcome.OPEN, then=Value(0)), default=Value(1))
    return rows.select_related(
        "person", "membership__group", "intel_record", "decided_by", "recorded_by"
    ).order_by(is_open, "received_at", "id")


def challenge_get(*, actor: User, pk: int) -> Challenge:
    """The challenge; ``Challenge.DoesNotExist`` when it does not exist or is out of the
    actor's sight."""
    return (
        challenge_visible(actor=actor)
        .select_related(
            "person",
            "membership__group",
            "membership__person",
            "intel_record",
            "decided_by",
            "recorded_by",
        )
        .get(pk=pk)
    )


def challenge_target_get(
    *, actor: User, membership_id: int | None = None, record_id: int | None = None
) -> GroupMembership | IntelRecord:
    """What a new challenge would contest: the membership, else the record, named by id.
    The model's ``DoesNotExist`` when the actor may not see it (or it does not exist); a
    ``ValueError`` when neither id is given."""
    if membership_id is not None:
        return (
            GroupMembership.objects.visible_to(actor)
            .select_related("group", "person")
            .get(pk=membership_id)
        )
    if record_id is not None:
        return (
            IntelRecord.objects.visible_to(actor).select_related("subject_person").get(pk=record_id)
        )
    raise ValueError("A challenge is against a membership or an intel record: give one id.")
