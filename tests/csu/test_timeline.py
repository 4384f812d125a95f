"""The one timeline component (``components/timeline.html``): the area timeline and the person
page both render through it; a person's entries cite their source (the import linked only for
those who may open imports) and link intelligence records and groups to their pages."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.dashboards.records import at
from tests.factories import ShootingFactory, ZoneFactory, ZoneLayerFactory
from tests.factories.intel import GroupMembershipFactory, IntelRecordFactory
from tests.intel.test_people import T0, arrest_of, person

pytestmark = pytest.mark.django_db

COMPONENT = '<ol class="timeline" data-component="timeline">'


def timeline_of(html: str) -> list[str]:
    """The entries of the page's one timeline, as HTML, in the order shown."""
    assert html.count(COMPONENT) == 1
    listed = html[html.index(COMPONENT) : html.index("</ol>", html.index(COMPONENT))]
    return listed.split("<li>\n    <p><strong>")[1:]


@pytest.fixture
def jon(analyst, supervisor):  # type: ignore[no-untyped-def]
    """A man with an arrest brought by import #41, a shooting he survived, an approved
    intelligence record and an approved group membership."""
    jon = person("SMITH, JON", date(1990, 1, 2))
    arrest = arrest_of(jon, "SMITH, JON", 1, data_import_id=41)
    ShootingFactory(victim=jon, occurred_at=T0.replace(day=20), source_id="S-1")
    record = IntelRecordFactory(
        subject_person=jon,
        sensitivity="sensitive",
        submitted_by=analyst,
        status="approved",
        approved_by=supervisor,
        approved_at=T0.replace(month=5),
    )
    membership = GroupMembershipFactory(
        person=jon,
        submitted_by=analyst,
        status="approved",
        approved_by=supervisor,
        approved_at=T0.replace(month=6),
    )
    return {"person": jon, "arrest": arrest, "intel": record, "membership": membership}


def test_the_person_page_and_the_zone_timeline_render_through_the_one_component(
    jon, analyst, supervisor, client_for
) -> None:
    zone = ZoneFactory(layer=ZoneLayerFactory(name="precincts"), key="N1", name="North")
    ShootingFactory(zone=zone, occurred_at=at(timezone.localdate()), victim_count=2)

    person_page = client_for(analyst).get(reverse("intel:person-detail", args=[jon["person"].pk]))
    zone_page = client_for(supervisor).get(reverse("dashboards:zone-timeline", args=[zone.pk]))

    for response in (person_page, zone_page):
        assert response.status_code == 200
        assert "components/timeline.html" in [t.name for t in response.templates]
    (zone_entry,) = timeline_of(zone_page.content.decode())
    assert "Shooting, 2 victims" in zone_entry and "Source:" not in zone_entry
    entries = timeline_of(person_page.content.decode())
    # The selector's entries in its order; being shot is an entry of its own, not an arrest's.
    kinds = [re.findall(r'<span class="tag">(\w+)</span>', entry) for entry in entries]
    assert kinds == [["membership"], ["intel"], ["shooting"], ["arrest"]]
    membership, intel, shooting, arrest = entries
    record = jon["intel"]
    assert f"Intelligence record #{record.pk} approved" in intel
    assert (
        f'<a href="{reverse("intel:record-detail", args=[record.pk])}">Record&#x27;s page</a>'
        in intel
    )
    assert f'<p class="hint">Source: TCPD intel #{record.pk}</p>' in intel
    group_url = reverse("intel:group-detail", args=[jon["membership"].group_id])
    assert f'<a href="{group_url}">Group&#x27;s page</a>' in membership
    assert f'<p class="hint">Source: CSU membership #{jon["membership"].pk}</p>' in membership
    assert "Shot, survived" in shooting and "<a href" not in shooting
    assert "Source: TCPD S-1</p>" in shooting
    import_url = reverse("intel:import-detail", args=[41])
    assert f'Source: TCPD A00001, <a href="{import_url}">import #41</a>' in arrest


def test_the_import_is_named_but_not_linked_for_those_who_may_not_open_imports(
    jon, prosecutor, client_for
) -> None:
    page = client_for(prosecutor).get(reverse("intel:person-detail", args=[jon["person"].pk]))

    arrest = timeline_of(page.content.decode())[-1]
    assert '<p class="hint">Source: TCPD A00001, import #41</p>' in arrest
    assert reverse("intel:import-detail", args=[41]) not in page.content.decode()
    # The intelligence record still links to its page, as before.
    assert reverse("intel:record-detail", args=[jon["intel"].pk]) in page.content.decode()
