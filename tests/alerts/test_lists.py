"""Watch lists: nesting, roles inherited downward, members, pause; the pages' scope."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.urls import reverse

from alerts.models import WatchList
from alerts.selectors.lists import watchlist_tree
from alerts.services.lists import (
    DEPTH_REFUSED,
    watch_list_role,
    watchlist_create,
    watchlist_member_remove,
    watchlist_member_set,
    watchlist_pause,
    watchlist_resume,
    watchlist_update,
)
from csu.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def gangs(prosecutor):  # type: ignore[no-untyped-def]
    """Gangs > Eastside Crew > Confirmed, owned by the prosecutor, and a sibling category."""
    category = watchlist_create(actor=prosecutor, name="Gangs", priority="normal", silent=False)
    group = watchlist_create(actor=prosecutor, name="Eastside Crew", parent=category)
    sub = watchlist_create(actor=prosecutor, name="Confirmed", parent=group)
    other = watchlist_create(actor=prosecutor, name="Open cases", priority="high")
    return category, group, sub, other


def test_the_creator_owns_the_list_and_levels_follow_the_parent(prosecutor, gangs) -> None:
    category, group, sub, _ = gangs

    assert [category.level, group.level, sub.level] == [1, 2, 3]
    assert sub.owner == prosecutor
    assert watch_list_role(actor=prosecutor, watch_list=sub) == "owner"
    assert AuditEvent.objects.filter(action="alerts.watchlist_create").count() == 4


def test_a_fourth_level_is_refused_with_a_clear_error(prosecutor, gangs) -> None:
    with pytest.raises(ValidationError) as exc:
        watchlist_create(actor=prosecutor, name="Too deep", parent=gangs[2])

    assert DEPTH_REFUSED in exc.value.messages
    assert not WatchList.objects.filter(name="Too deep").exists()


def test_a_viewer_of_a_category_sees_its_sub_groups_not_sibling_categories(
    prosecutor, analyst, gangs
) -> None:
    category, group, sub, other = gangs
    watchlist_member_set(actor=prosecutor, watch_list=category, user=analyst, role="viewer")

    seen = set(WatchList.objects.visible_to(analyst))

    assert seen == {category, group, sub}
    assert watch_list_role(actor=analyst, watch_list=sub) == "viewer"
    tree = watchlist_tree(actor=analyst)
    assert [n.watch_list for n in tree] == [category]
    assert [n.watch_list for n in tree[0].children] == [group]
    assert [n.role for n in tree[0].children[0].children] == ["viewer"]


def test_the_strongest_role_on_the_list_or_an_ancestor_wins(prosecutor, analyst, gangs) -> None:
    category, group, sub, _ = gangs
    watchlist_member_set(actor=prosecutor, watch_list=category, user=analyst, role="viewer")
    watchlist_member_set(actor=prosecutor, watch_list=group, user=analyst, role="editor")

    assert watch_list_role(actor=analyst, watch_list=category) == "viewer"
    assert watch_list_role(actor=analyst, watch_list=sub) == "editor"


def test_a_child_only_by_an_owner_or_editor_of_the_parent(prosecutor, analyst, gangs) -> None:
    category = gangs[0]
    with pytest.raises(PermissionDenied):
        watchlist_create(actor=analyst, name="Mine", parent=category)
    watchlist_member_set(actor=prosecutor, watch_list=category, user=analyst, role="viewer")
    with pytest.raises(PermissionDenied):
        watchlist_create(actor=analyst, name="Mine", parent=category)
    watchlist_member_set(actor=prosecutor, watch_list=category, user=analyst, role="editor")

    child = watchlist_create(actor=analyst, name="Mine", parent=category)

    assert child.owner == analyst and child.level == 2


def test_an_admin_cannot_keep_lists(admin_user) -> None:
    with pytest.raises(PermissionDenied):
        watchlist_create(actor=admin_user, name="Nope")


def test_editors_cannot_manage_members(prosecutor, analyst, supervisor, gangs) -> None:
    category = gangs[0]
    watchlist_member_set(actor=prosecutor, watch_list=category, user=analyst, role="editor")

    with pytest.raises(PermissionDenied):
        watchlist_member_set(actor=analyst, watch_list=category, user=supervisor, role="viewer")
    with pytest.raises(PermissionDenied):
        watchlist_member_remove(actor=analyst, watch_list=category, user=prosecutor)


def test_only_users_who_may_receive_alerts_can_be_members(prosecutor, admin_user, gangs) -> None:
    with pytest.raises(ValidationError, match="cannot receive alerts"):
        watchlist_member_set(actor=prosecutor, watch_list=gangs[0], user=admin_user, role="viewer")


def test_the_last_owner_cannot_be_removed_or_demoted(prosecutor, analyst, gangs) -> None:
    category = gangs[0]
    with pytest.raises(ValidationError, match="last owner"):
        watchlist_member_remove(actor=prosecutor, watch_list=category, user=prosecutor)
    with pytest.raises(ValidationError, match="last owner"):
        watchlist_member_set(actor=prosecutor, watch_list=category, user=prosecutor, role="viewer")

    watchlist_member_set(actor=prosecutor, watch_list=category, user=analyst, role="owner")
    watchlist_member_remove(actor=prosecutor, watch_list=category, user=prosecutor)

    category.refresh_from_db()
    assert category.owner == analyst  # the contact named on alerts follows the owners
    assert watch_list_role(actor=prosecutor, watch_list=category) is None


def test_pause_by_the_owner_or_a_supervisor_reviewing_fatigue(
    prosecutor, analyst, supervisor, gangs
) -> None:
    category = gangs[0]
    with pytest.raises(PermissionDenied):
        watchlist_pause(actor=analyst, watch_list=category, reason="too noisy")

    watchlist_pause(actor=supervisor, watch_list=category, reason="nobody acknowledges it")
    category.refresh_from_db()
    assert category.paused_by == supervisor and category.pause_reason == "nobody acknowledges it"
    with pytest.raises(ValidationError):
        watchlist_pause(actor=prosecutor, watch_list=category, reason="again")

    watchlist_resume(actor=prosecutor, watch_list=category, reason="")
    category.refresh_from_db()
    assert category.paused_at is None
    actions = list(
        AuditEvent.objects.filter(action__startswith="alerts.watchlist_p").values_list(
            "action", flat=True
        )
    )
    assert actions.count("alerts.watchlist_pause") == 1


def test_update_by_owners_only(prosecutor, analyst, gangs) -> None:
    category = gangs[0]
    watchlist_member_set(actor=prosecutor, watch_list=category, user=analyst, role="editor")
    with pytest.raises(PermissionDenied):
        watchlist_update(actor=analyst, watch_list=category, priority="high")

    watchlist_update(actor=prosecutor, watch_list=category, priority="high", silent=True)

    category.refresh_from_db()
    assert (category.priority, category.silent) == ("high", True)


# --- pages ----------------------------------------------------------------------------------


def test_the_list_page_shows_the_tree_with_roles_and_counts(
    prosecutor, analyst, gangs, client_for
) -> None:
    watchlist_member_set(actor=prosecutor, watch_list=gangs[0], user=analyst, role="viewer")

    page = client_for(analyst).get(reverse("alerts:list-list")).content.decode()

    assert "Eastside Crew" in page and "Confirmed" in page
    assert "Open cases" not in page
    assert "viewer" in page


def test_an_outsider_gets_404_on_a_list(analyst, gangs, client_for) -> None:
    client = client_for(analyst)
    pk = gangs[1].pk

    assert client.get(reverse("alerts:list-detail", args=[pk])).status_code == 404
    response = client.post(reverse("alerts:list-pause", args=[pk]), {"reason": "probe"})
    assert response.status_code == 404
    gangs[1].refresh_from_db()
    assert gangs[1].paused_at is None


def test_an_owner_creates_a_sub_list_and_adds_a_member_from_the_pages(
    prosecutor, analyst, supervisor, gangs, client_for
) -> None:
    client = client_for(prosecutor)
    category = gangs[0]
    watchlist_member_set(actor=prosecutor, watch_list=category, user=supervisor, role="viewer")

    response = client.post(
        reverse("alerts:list-create"),
        {"name": "Westside", "parent": category.pk, "priority": "normal", "description": ""},
    )
    west = WatchList.objects.get(name="Westside")
    assert response.status_code == 302 and west.parent == category
    client.post(
        reverse("alerts:list-member-set", args=[west.pk]),
        {"username": analyst.username, "role": "editor"},
    )

    assert watch_list_role(actor=analyst, watch_list=west) == "editor"
    page = client.get(reverse("alerts:list-detail", args=[west.pk])).content.decode()
    assert analyst.username in page and "editor" in page
    assert supervisor.username in page and "inherited from Gangs" in page


def test_every_write_and_page_read_is_audited_with_ids_only(
    prosecutor, analyst, gangs, client_for
) -> None:
    """Each service write leaves its own event; a page read leaves the route's read event;
    the events name the list by type and id, never by its name or an entry's reason."""
    from alerts.services.entries import watch_entry_add, watch_entry_remove, watch_entry_renew

    category = gangs[0]
    watchlist_member_set(actor=prosecutor, watch_list=category, user=analyst, role="editor")
    entry = watch_entry_add(
        actor=analyst,
        watch_list=category,
        kind="charge",
        charge="PL 265.03",
        reason="Loaded firearms in the crew's hands.",
    )
    watch_entry_renew(actor=analyst, entry=entry, reason="Two more gun arrests this month.")
    watch_entry_remove(actor=analyst, entry=entry)
    watchlist_update(actor=prosecutor, watch_list=category, description="Crews.")
    watchlist_pause(actor=prosecutor, watch_list=category, reason="Quiet season.")
    watchlist_resume(actor=prosecutor, watch_list=category)
    watchlist_member_remove(actor=prosecutor, watch_list=category, user=analyst)
    client_for(prosecutor).get(reverse("alerts:list-detail", args=[category.pk]))
    client_for(analyst).get(reverse("alerts:list-detail", args=[category.pk]))  # now 404

    events = AuditEvent.objects.filter(
        Q(action__startswith="alerts.watch") | Q(action__startswith="watchlist.")
    )
    actions = set(events.values_list("action", flat=True))
    assert {
        "alerts.watchlist_create", "alerts.watchlist_member_set",
        "alerts.watchlist_member_remove", "alerts.watchlist_update", "alerts.watchlist_pause",
        "alerts.watchlist_resume", "alerts.watch_entry_add", "alerts.watch_entry_renew",
        "alerts.watch_entry_remove", "watchlist.viewed",
    } <= actions  # fmt: skip
    outcomes = set(
        events.filter(action="watchlist.viewed").values_list("actor__username", "outcome")
    )
    assert outcomes == {(prosecutor.username, "success"), (analyst.username, "denied")}
    text = " ".join(str(e.detail) + e.object_repr for e in events)
    assert "Gangs" not in text and "Loaded firearms" not in text


def test_the_tree_counts_active_and_soon_expiring_entries(prosecutor, gangs, client_for) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from alerts.services.entries import watch_entry_add

    category, group, _sub, _ = gangs
    for days in (10, 200):
        watch_entry_add(
            actor=prosecutor,
            watch_list=group,
            kind="charge",
            charge=f"PL 265.0{days % 7}",
            reason="Loaded firearms in the crew's hands.",
            expires_at=timezone.now() + timedelta(days=days),
        )

    node = watchlist_tree(actor=prosecutor)[0].children[0]
    page = client_for(prosecutor).get(reverse("alerts:list-list")).content.decode()

    assert (node.watch_list, node.entries, node.expiring) == (group, 2, 1)
    assert "2 active entries" in page and "1 expiring within 30 days" in page


def test_the_list_page_reads_a_fixed_number_of_queries(
    prosecutor, analyst, client_for, django_assert_max_num_queries
) -> None:
    """Twelve lists or three, the tree costs the same queries (no query per list)."""
    client = client_for(analyst)

    def build(n: int) -> None:
        for i in range(n):
            root = watchlist_create(actor=prosecutor, name=f"Category {n}-{i}")
            child = watchlist_create(actor=prosecutor, name="Group", parent=root)
            watchlist_create(actor=prosecutor, name="Sub-group", parent=child)
            watchlist_member_set(actor=prosecutor, watch_list=root, user=analyst, role="viewer")

    build(1)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        client.get(reverse("alerts:list-list"))
    build(4)

    with django_assert_max_num_queries(len(small.captured_queries)):
        page = client.get(reverse("alerts:list-list")).content.decode()

    assert page.count("Sub-group") == 5
