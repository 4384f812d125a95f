"""Each role's home page shows real records, and only what the role may read."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from guardian.shortcuts import assign_perm

from tests.factories import ArrestChargeFactory, ArrestFactory, IncidentFactory, PersonFactory

pytestmark = pytest.mark.django_db


def test_prosecutor_sees_this_weeks_arrests_with_charges_and_the_caveat(
    prosecutor, client_for
) -> None:
    recent = ArrestChargeFactory(description="ROBBERY 1ST DEGREE").arrest
    ArrestChargeFactory(
        arrest=ArrestFactory(arrested_at=timezone.now() - timedelta(days=9)),
        description="OLD ARREST CHARGE",
    )

    body = client_for(prosecutor).get(reverse("csu:home")).content.decode()

    assert recent.name_as_recorded in body and "ROBBERY 1ST DEGREE" in body
    assert "OLD ARREST CHARGE" not in body
    assert "An arrest is an allegation, not a finding of guilt" in body


def test_analyst_home_counts_records_and_draws_the_trend(analyst, client_for) -> None:
    IncidentFactory.create_batch(3)

    response = client_for(analyst).get(reverse("csu:home"))

    assert response.context["record_counts"]["incidents"] == 3
    assert response.context["trend_has_data"]
    assert 'data-chart="trend-figure"' in response.content.decode()


def test_admin_home_manages_accounts_and_shows_no_case_data(admin_user, client_for) -> None:
    ArrestChargeFactory(description="ROBBERY 1ST DEGREE")

    body = client_for(admin_user).get(reverse("csu:home")).content.decode()

    assert "Administrator home" in body and "ROBBERY" not in body


def test_guardian_grants_one_object_without_granting_the_model(prosecutor) -> None:
    shared, other = PersonFactory(), PersonFactory()
    prosecutor.user_permissions.clear()
    assign_perm("intel.change_person", prosecutor, shared)

    assert prosecutor.has_perm("intel.change_person", shared)
    assert not prosecutor.has_perm("intel.change_person", other)
    assert not prosecutor.has_perm("intel.change_person")
