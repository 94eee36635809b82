"""Every permission a role is granted is checked somewhere, and every one checked is granted."""

import re
from pathlib import Path

import pytest
from django.contrib import admin

from portal.accounts.permissions import Grant, Perm
from portal.accounts.roles import ROLE_PERMISSIONS
from portal.accounts.services import REVIEWER_PERMISSIONS

ROOT = Path(__file__).resolve().parents[3]
PERMISSIONS = ROOT / "portal/accounts/permissions.py"
ROLES = ROOT / "portal/accounts/roles.py"


def _source_files():
    for package in ("portal", "registrations", "verification"):
        for path in (ROOT / package).rglob("*.py"):
            if path != ROLES and "migrations" not in path.parts:
                yield path


def _checking_code(path: Path) -> str:
    """A module's text, without the definitions of the names in permissions.py."""
    text = path.read_text()
    return text[text.index("\ndef ") :] if path == PERMISSIONS else text


def names_used(enum, text: str) -> set[str]:
    return {enum[name].value for name in re.findall(rf"\b{enum.__name__}\.([A-Z_]+)\b", text)}


@pytest.fixture(scope="module")
def app_source() -> str:
    return "\n".join(_checking_code(path) for path in _source_files())


def admin_checked() -> set[str]:
    """Model permissions Django's admin checks, for the models registered on it."""
    return {
        f"{model._meta.app_label}.{action}_{model._meta.model_name}"
        for model in admin.site._registry
        for action in ("view", "add", "change", "delete")
    }


def granted() -> set[str]:
    return {str(p) for perms in ROLE_PERMISSIONS.values() for p in perms} | {
        str(p) for p in REVIEWER_PERMISSIONS
    }


def test_names_used_reads_the_named_permissions_a_module_checks():
    text = "can(user, Perm.VIEW_REGISTRATION) and has_perm(Grant.WORK_AT_OUTLET); PermX.Y"
    assert names_used(Perm, text) == {"registrations.view_registration"}
    assert names_used(Grant, text) == {"registrations.work_at_outlet"}


def test_every_granted_permission_is_checked_somewhere(app_source):
    checked = names_used(Perm, app_source) | admin_checked()
    assert granted() - checked == set()


def test_every_named_permission_is_checked_and_granted_to_someone(app_source):
    assert set(Perm) - names_used(Perm, app_source) == set(), "named but never checked"
    assert {str(p) for p in Perm} - granted() == set(), "checked but granted to nobody"


def test_every_grant_decides_some_scope(app_source):
    assert set(Grant) - names_used(Grant, app_source) == set()


def test_no_view_checks_a_role():
    """Views ask for permissions, never roles (``role_required`` is gone)."""
    views = [
        path
        for path in _source_files()
        if path.parent.name == "views" or path.name in {"views.py", "decorators.py"}
    ]
    offenders = [
        str(p.relative_to(ROOT)) for p in views if re.search(r"\brole_of\b|Role\.", p.read_text())
    ]
    # Staff pages create outlet staff accounts: the role given, not a check.
    assert offenders == ["registrations/views/staff.py"]
