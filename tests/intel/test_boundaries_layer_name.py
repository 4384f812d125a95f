"""``import_boundaries --layer`` takes any name: the layer is stored under its slug and the name
given is its label; only a name with nothing to make a slug from is refused."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from csu.models import AuditEvent
from intel.models import Zone, ZoneLayer

pytestmark = pytest.mark.django_db

BEATS = Path(__file__).parent.parent / "fixtures" / "boundaries" / "beats_v1.geojson"


def _command(*args: str) -> str:
    out = io.StringIO()
    call_command("import_boundaries", str(BEATS), *args, stdout=out)
    return out.getvalue()


def test_a_name_that_is_not_a_slug_is_slugified_and_kept_as_the_label() -> None:
    out = _command("--layer", "DC districts")

    layer = ZoneLayer.objects.get()
    assert (layer.name, layer.label) == ("dc-districts", "DC districts")
    assert layer.zones.count() == 3
    assert 'Layer "dc-districts" (DC districts, priority 100)' in out

    again = _command("--layer", "DC districts")  # the same layer, re-imported

    assert ZoneLayer.objects.count() == 1 and Zone.objects.count() == 3
    assert "0 created, 0 updated, 3 unchanged, 0 removed" in again


def test_the_label_option_wins_over_the_name_given() -> None:
    _command("--layer", "DC police districts (2017)", "--label", "Districts")

    layer = ZoneLayer.objects.get()
    assert (layer.name, layer.label) == ("dc-police-districts-2017", "Districts")


def test_a_slug_is_used_as_it_is_with_the_label_made_from_it_as_before() -> None:
    _command("--layer", "patrol-beats")

    layer = ZoneLayer.objects.get()
    assert (layer.name, layer.label) == ("patrol-beats", "Patrol Beats")


@pytest.mark.parametrize("name", ["!!!", "  ", "---", "«»"])
def test_a_name_with_nothing_to_make_a_slug_from_is_refused_clearly(name: str) -> None:
    with pytest.raises(CommandError, match="cannot name a layer: it has no letter or digit"):
        _command(f"--layer={name}")  # "=": argparse would take "---" for an option

    assert not ZoneLayer.objects.exists() and not Zone.objects.exists()
    assert not AuditEvent.objects.filter(action="boundaries.import").exists()
