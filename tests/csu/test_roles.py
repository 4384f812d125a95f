"""The role groups hold exactly the approved permission matrix (CJIS AC-6)."""

import pytest
from django.contrib.auth.models import Group

from csu.roles import ROLE_PERMISSIONS

pytestmark = pytest.mark.django_db


def test_groups_hold_exactly_the_matrix_in_the_repository() -> None:
    diff = {}
    for role, wanted in ROLE_PERMISSIONS.items():
        group = Group.objects.get(name=role)
        held = {
            f"{p.content_type.app_label}.{p.codename}"
            for p in group.permissions.select_related("content_type")
        }
        if held != wanted:
            diff[role] = {"extra": held - wanted, "missing": wanted - held}
    print(f"role x permission differences from the matrix: {len(diff)}")
    assert diff == {}


# The intel models admins set policy on: the score's weights, treatment rules, which prosecutor
# covers which zone (and the zones themselves, to name them). None holds case data.
ADMIN_POLICY_MODELS = {"scoreconfig", "treatmentrule", "zoneassignment", "zone"}


def test_admins_manage_accounts_but_read_no_case_data() -> None:
    admin = ROLE_PERMISSIONS["admin"]
    intel_models = {p.split(".", 1)[1].split("_", 1)[1] for p in admin if p.startswith("intel.")}
    assert intel_models <= ADMIN_POLICY_MODELS
    assert "csu.unlock_user" in admin


def test_only_supervisors_and_admins_read_the_audit_trail() -> None:
    readers = {r for r, perms in ROLE_PERMISSIONS.items() if "csu.view_auditevent" in perms}
    assert readers == {"supervisor", "admin"}
