"""The admin role manages staff at /admin/ but cannot raise anyone (itself included) above the roles."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from tests.staff.fixtures import make_staff

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def change_form_data(user, **changes) -> dict:
    data = {"username": user.username, "is_active": "on", "is_staff": "on" if user.is_staff else "",
            "groups": [group.pk for group in user.groups.all()], "date_joined_0": "2026-01-01",
            "date_joined_1": "09:00:00", "initial-date_joined_0": "2026-01-01", "initial-date_joined_1": "09:00:00"}
    return {**data, **changes}


def test_an_admin_cannot_make_itself_superuser_or_grant_single_permissions():
    admin = make_staff("admin")
    client = signed_in(admin)
    page = client.get(f"/admin/auth/user/{admin.pk}/change/").content.decode()
    assert 'name="is_superuser"' not in page and 'name="user_permissions"' not in page
    assert 'name="groups"' in page  # roles are still theirs to give

    response = client.post(f"/admin/auth/user/{admin.pk}/change/", change_form_data(admin, is_superuser="on"))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert not get_user_model().objects.get(pk=admin.pk).is_superuser


def test_an_admin_cannot_change_a_superuser_or_its_password():
    root = get_user_model().objects.create_superuser("root", password="root-password-123")
    client = signed_in(make_staff("admin"))
    assert client.get(f"/admin/auth/user/{root.pk}/password/").status_code == 403
    response = client.post(f"/admin/auth/user/{root.pk}/change/", change_form_data(root, is_superuser=""))
    assert response.status_code == 403
    assert get_user_model().objects.get(pk=root.pk).is_superuser


def test_a_superuser_still_can():
    root = get_user_model().objects.create_superuser("root", password="root-password-123")
    member = make_staff("viewer")
    client = signed_in(root)
    assert 'name="is_superuser"' in client.get(f"/admin/auth/user/{member.pk}/change/").content.decode()
