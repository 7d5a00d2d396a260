import pytest
from django.contrib.auth.models import Group, Permission

from evadmin.staff.roles import (
    ADMIN,
    ADMIN_SITE_PERMISSIONS,
    ROLE_PERMISSIONS,
    ROLES,
    STAFF_PERMISSIONS,
    full_permission_name,
    role_groups_sync,
    roles_with_permission,
)
from evadmin.staff.selectors import staff_roles
from tests.staff.fixtures import make_staff

pytestmark = pytest.mark.django_db

EXPECTED = {
    "viewer": {"view_users"},
    "support": {"view_users", "edit_users", "apply_fixes", "recategorise_tickets", "enrol_in_programs",
                "edit_notification_preferences"},
    "support_lead": {"view_users", "edit_users", "apply_fixes", "apply_major_fixes", "recategorise_tickets",
                     "edit_playbooks", "submit_rebates", "enrol_in_programs", "edit_notification_preferences"},
    "bulk_operator": {"view_users", "run_bulk"},
    "auditor": {"view_users", "view_audit"},
    "admin": {"view_users", "edit_users", "run_bulk", "view_audit", "manage_staff", "apply_fixes", "apply_major_fixes",
              "recategorise_tickets", "edit_playbooks", "submit_rebates", "enrol_in_programs",
              "edit_notification_preferences"},
}


def test_the_six_roles_are_defined():
    assert set(ROLES) == set(EXPECTED)
    assert {role: set(codenames) for role, codenames in ROLE_PERMISSIONS.items()} == EXPECTED


@pytest.mark.parametrize("role", sorted(EXPECTED))
def test_migration_created_each_group_with_its_permissions(role):
    group = Group.objects.get(name=role)
    staff = set(group.permissions.filter(content_type__app_label="accounts").values_list("codename", flat=True))
    assert staff == EXPECTED[role]


def test_only_admin_gets_django_admin_permissions_and_never_delete_user():
    admin_extra = {
        f"{perm.content_type.app_label}.{perm.codename}"
        for perm in Group.objects.get(name=ADMIN).permissions.exclude(content_type__app_label="accounts")
    }
    assert admin_extra == {f"{spec.app_label}.{spec.codename}" for spec in ADMIN_SITE_PERMISSIONS}
    assert "auth.delete_user" not in admin_extra
    for role in set(ROLES) - {ADMIN}:
        assert not Group.objects.get(name=role).permissions.exclude(content_type__app_label="accounts").exists()


@pytest.mark.parametrize("role", sorted(EXPECTED))
def test_role_member_has_exactly_the_role_permissions(role):
    user = make_staff(role)
    for codename in STAFF_PERMISSIONS:
        assert user.has_perm(full_permission_name(codename)) is (codename in EXPECTED[role]), codename
    assert staff_roles(user) == [role]


def test_only_admin_role_member_is_django_staff():
    assert make_staff("admin").is_staff
    assert not make_staff("support").is_staff


def test_permissions_are_accounts_dot_codename():
    codenames = set(
        Permission.objects.filter(content_type__app_label="accounts", content_type__model="staffpermission")
        .values_list("codename", flat=True)
    )
    assert codenames == set(STAFF_PERMISSIONS)


def test_roles_with_permission_accepts_full_or_short_names():
    assert roles_with_permission("accounts.view_audit") == ["auditor", "admin"]
    assert roles_with_permission("edit_users") == ["support", "support_lead", "admin"]
    assert roles_with_permission("apply_major_fixes") == ["support_lead", "admin"]
    assert roles_with_permission("accounts.nothing") == []


def test_sync_restores_groups_and_undoes_hand_edits():
    Group.objects.get(name="viewer").permissions.add(Permission.objects.get(codename="edit_users"))
    Group.objects.filter(name="auditor").delete()
    from django.contrib.contenttypes.models import ContentType

    role_groups_sync(group_model=Group, permission_model=Permission, content_type_model=ContentType)
    assert set(Group.objects.get(name="viewer").permissions.values_list("codename", flat=True)) == {"view_users"}
    assert Group.objects.filter(name="auditor").exists()


@pytest.mark.django_db(transaction=True)
def test_groups_come_back_after_a_database_flush():
    """Transactional tests and live_server flush every table; the roles must survive that."""
    from django.core.management import call_command

    call_command("flush", interactive=False, verbosity=0)
    assert set(Group.objects.values_list("name", flat=True)) == set(ROLES)
    assert make_staff("auditor").has_perm("accounts.view_audit")
