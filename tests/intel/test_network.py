"""The associate network: right on a hand-built county, explainable, and set-based."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from django.urls import reverse

from csu.models import AuditEvent
from dashboards.charts import network_figure
from intel.models import Person
from intel.people.network import person_network_get
from tests.factories import (
    AgencyFactory,
    ArrestFactory,
    GroupFactory,
    GroupMembershipFactory,
    IncidentFactory,
    PersonFactory,
)

pytestmark = pytest.mark.django_db

T0 = datetime(2025, 3, 1, 14, 5, tzinfo=UTC)
ELM = {"address": "12 ELM ST", "latitude": 40.7001, "longitude": -73.9001}


def arrest(person, at, incident=None, **where):  # type: ignore[no-untyped-def]
    return ArrestFactory(person=person, arrested_at=at, incident=incident, **where)


@pytest.fixture
def county(analyst, supervisor):  # type: ignore[no-untyped-def]
    """Ana was arrested with Ben twice (two incidents), with Cal once in an incident and once
    together on Elm St, and with Fay at the same point (no address). Dee was arrested by the same
    agency in the same minute elsewhere, Eve at the same address an hour later, Zed at the same
    place and minute by another agency: none of them is an associate. Ben shares a third incident
    with Gus (two hops from Ana). Moe, arrested with Ana, was merged into Sol."""
    p = SimpleNamespace(
        **{
            name: PersonFactory(first_name=name.title(), last_name="Case")
            for name in ["ana", "ben", "cal", "dee", "eve", "fay", "gus", "sol", "moe", "zed"]
        }
    )
    p.moe.merged_into = p.sol
    p.moe.save()
    i1 = IncidentFactory(source_id="INC-1", occurred_at=T0 - timedelta(days=30))
    i2 = IncidentFactory(source_id="INC-2", occurred_at=T0 - timedelta(days=10))
    i3 = IncidentFactory(source_id="INC-3", occurred_at=T0 - timedelta(days=5))
    i4 = IncidentFactory(source_id="INC-4", occurred_at=T0 - timedelta(days=2))
    for who in (p.ana, p.ben):
        arrest(who, T0 - timedelta(days=30), i1)
    for who in (p.ana, p.ben, p.cal):
        arrest(who, T0 - timedelta(days=10), i2)
    for who in (p.ben, p.gus):
        arrest(who, T0 - timedelta(days=5), i3)
    for who in (p.ana, p.moe):
        arrest(who, T0 - timedelta(days=2), i4)
    arrest(p.ana, T0 + timedelta(seconds=10), source_id="A-ELM", **ELM)
    arrest(
        p.cal,
        T0 + timedelta(seconds=40),
        source_id="C-ELM",
        address=" 12 Elm St ",
        latitude=40.71,
        longitude=-73.91,
    )
    arrest(
        p.fay,
        T0 + timedelta(seconds=5),
        source_id="F-PT",
        address="",
        latitude=ELM["latitude"],
        longitude=ELM["longitude"],
    )
    arrest(p.dee, T0 + timedelta(seconds=20), address="99 OAK AVE", latitude=40.8, longitude=-73.8)
    arrest(p.eve, T0 + timedelta(hours=1), **ELM)
    arrest(
        p.zed,
        T0 + timedelta(seconds=10),
        source_agency=AgencyFactory(name="Transit Police", short_name="TPD"),
        **ELM,
    )
    crew = GroupFactory(name="Elm Street Crew", created_by=analyst)
    common = {"group": crew, "level": "confirmed", "submitted_by": analyst}
    GroupMembershipFactory(person=p.ben, status="approved", approved_by=supervisor, **common)
    GroupMembershipFactory(person=p.cal, **common)  # pending: not membership
    return p


def test_associates_are_found_with_their_counts_and_evidence(county, prosecutor) -> None:
    network = person_network_get(actor=prosecutor, pk=county.ana.pk)

    assert network is not None
    found = {a.person.first_name: a for a in network.associates}
    print(
        "network correctness: "
        + ", ".join(f"{name} {a.shared_events}" for name, a in found.items())
        + " | not associates: Dee (other place), Eve (other minute), Zed (other agency), "
        "Moe (merged: counted for Sol)"
    )
    assert {name: a.shared_events for name, a in found.items()} == {
        "Ben": 2,
        "Cal": 2,
        "Fay": 1,
        "Sol": 1,
    }
    assert [e.incident_source_id for e in found["Ben"].evidence] == ["INC-2", "INC-1"]
    cal = {e.kind: e for e in found["Cal"].evidence}
    assert cal["incident"].incident_source_id == "INC-2"
    assert cal["together"].place == "12 ELM ST" and cal["together"].agency == "TCPD"
    assert cal["together"].own_arrests == ["A-ELM"] and cal["together"].their_arrests == ["C-ELM"]
    assert cal["together"].at == T0 + timedelta(seconds=10)
    assert found["Fay"].evidence[0].kind == "together"  # same point, no address
    assert found["Ben"].groups == ["Elm Street Crew (confirmed member)"]
    assert found["Cal"].groups == []  # a pending membership is not membership


def test_a_person_with_no_shared_event_is_not_an_associate(county, prosecutor) -> None:
    ana = person_network_get(actor=prosecutor, pk=county.ana.pk)
    eve = person_network_get(actor=prosecutor, pk=county.eve.pk)

    assert ana is not None and eve is not None
    names = {a.person.first_name for a in ana.associates}
    assert not names & {"Dee", "Eve", "Zed", "Moe", "Gus"}
    assert eve.associates == [] and eve.edges == []


def test_the_graph_reaches_associates_of_associates(county, prosecutor) -> None:
    network = person_network_get(actor=prosecutor, pk=county.ana.pk)

    assert network is not None
    hops = {node["label"]: node["hop"] for node in network.nodes}
    assert hops[str(county.ana)] == 0 and hops[str(county.gus)] == 2
    assert {hops[str(getattr(county, n))] for n in ["ben", "cal", "fay", "sol"]} == {1}
    edges = {(e["source"], e["target"]): e["weight"] for e in network.edges}
    assert edges[tuple(sorted((county.ana.pk, county.ben.pk)))] == 2
    assert edges[tuple(sorted((county.ben.pk, county.cal.pk)))] == 1  # INC-2, seen from Ben
    assert edges[tuple(sorted((county.ben.pk, county.gus.pk)))] == 1


def test_the_graph_is_capped(county, prosecutor) -> None:
    network = person_network_get(actor=prosecutor, pk=county.ana.pk, max_nodes=3)

    assert network is not None and len(network.nodes) == 3 and network.truncated
    assert len(network.associates) == 4  # the table still lists every direct associate


def test_the_network_selector_runs_a_fixed_number_of_queries(
    county, prosecutor, django_assert_max_num_queries
) -> None:
    prosecutor.has_perm("intel.view_person")  # the role's permissions, loaded once per request
    with django_assert_max_num_queries(5):
        small = person_network_get(actor=prosecutor, pk=county.ana.pk)
    # Forty more associates, each with an associate of their own: the count must not grow.
    for n in range(40):
        incident = IncidentFactory(occurred_at=T0 - timedelta(days=100 + n))
        friend = PersonFactory()
        arrest(county.ana, T0 - timedelta(days=100 + n), incident)
        arrest(friend, T0 - timedelta(days=100 + n), incident)
        later = IncidentFactory(occurred_at=T0 - timedelta(days=50 + n))
        arrest(friend, T0 - timedelta(days=50 + n), later)
        arrest(PersonFactory(), T0 - timedelta(days=50 + n), later)

    with django_assert_max_num_queries(5) as captured:
        big = person_network_get(actor=prosecutor, pk=county.ana.pk)

    assert small is not None and big is not None
    print(
        f"network selector: {len(small.associates)} associates and {len(small.nodes)} nodes, "
        f"then {len(big.associates)} associates and {len(big.nodes)} nodes (capped at 60): "
        f"{len(captured.captured_queries)} queries both times"
    )
    assert len(big.associates) == 44 and len(big.nodes) == 60 and big.truncated


def test_merged_and_unknown_people_have_no_network(county, prosecutor, client_for) -> None:
    client = client_for(prosecutor)

    with pytest.raises(Person.DoesNotExist):
        person_network_get(actor=prosecutor, pk=county.moe.pk)
    assert client.get(reverse("intel:person-network", args=[county.moe.pk])).status_code == 404
    assert client.get(reverse("intel:person-network", args=[999999])).status_code == 404


def test_a_role_without_access_to_people_sees_nothing(county, admin_user) -> None:
    with pytest.raises(Person.DoesNotExist):
        person_network_get(actor=admin_user, pk=county.ana.pk)


def test_the_fragment_shows_the_graph_and_the_table_and_is_audited(
    county, prosecutor, client_for
) -> None:
    response = client_for(prosecutor).get(reverse("intel:person-network", args=[county.ana.pk]))

    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body  # a fragment for htmx
    assert f'data-chart="network-figure-{county.ana.pk}"' in body
    assert f'id="network-figure-{county.ana.pk}" type="application/json"' in body
    assert reverse("intel:person-detail", args=[county.ben.pk]) in body
    assert "Same incident INC-1" in body and "Arrested together by TCPD at 12 ELM ST" in body
    assert "Elm Street Crew (confirmed member)" in body
    events = AuditEvent.objects.filter(action="person.network_viewed")
    assert events.count() == 1 and events.get().object_id == str(county.ana.pk)


def test_the_figure_colours_hops_shows_groups_and_widens_strong_links() -> None:
    nodes = [
        {"id": 1, "label": "CASE, Ana", "hop": 0, "groups": [], "shared_events": 0},
        {
            "id": 2,
            "label": "CASE, Ben",
            "hop": 1,
            "groups": ["Elm Street Crew (confirmed member)"],
            "shared_events": 3,
        },
        {"id": 3, "label": "CASE, <Cal>", "hop": 1, "groups": [], "shared_events": 1},
        {"id": 4, "label": "CASE, Gus", "hop": 2, "groups": [], "shared_events": 0},
    ]
    edges = [
        {"source": 1, "target": 2, "weight": 3},
        {"source": 1, "target": 3, "weight": 1},
        {"source": 2, "target": 4, "weight": 1},
    ]

    figure = network_figure(nodes, edges)
    again = network_figure(nodes, edges)

    traces = {t.get("name"): t for t in figure["data"] if t.get("name")}
    assert list(traces) == ["This person", "Associates", "Associates of associates"]
    colours = {traces[name]["marker"]["color"] for name in traces}
    assert len(colours) == 3
    assert "Elm Street Crew" in traces["Associates"]["hovertext"][0]
    assert "&lt;Cal&gt;" in traces["Associates"]["hovertext"][1]
    widths = sorted(t["line"]["width"] for t in figure["data"] if t.get("mode") == "lines")
    assert len(widths) == 2 and widths[0] < widths[1]
    assert figure["data"][-1]["x"] == again["data"][-1]["x"]  # seeded layout: stable


def test_an_imported_name_that_is_markup_stays_text_in_the_graph(prosecutor, client_for) -> None:
    """Finding 10: plotly draws text and hover text as markup, so a name imported as
    <a href=...> became a live link in the SVG. Every label goes in escaped."""
    hostile = '<a href="https://evil.example">x</a>'
    ana = PersonFactory(first_name="Ana", last_name="Case")
    mal = PersonFactory(first_name=hostile, last_name=hostile)
    incident = IncidentFactory(source_id="INC-X", occurred_at=T0)
    for who in (ana, mal):
        arrest(who, T0, incident)

    response = client_for(prosecutor).get(reverse("intel:person-network", args=[ana.pk]))
    figure = response.context["figure"]

    fields = [
        str(value)
        for trace in figure["data"]
        for key in ("text", "hovertext")
        for value in (trace.get(key) or [])
    ]
    fields.append(str(figure["layout"].get("title", {}).get("text", "")))
    live = [value for value in fields if "<a " in value.lower()]
    print(f"live links among the network figure's text fields: {len(live)} of {len(fields)}")
    assert response.status_code == 200
    assert any("&lt;a href=" in value for value in fields)  # the name is there, as text
    assert live == []
