from io import StringIO

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import CommandError, call_command
from django.test import RequestFactory

from evadmin.staff.roles import ROLES
from evadmin.staff.selectors import staff_roles

pytestmark = pytest.mark.django_db


def _run(*args) -> str:
    out = StringIO()
    call_command("createdemostaff", *args, stdout=out)
    return out.getvalue()


def test_creates_one_account_per_role_and_prints_logins():
    output = _run()
    for role in ROLES:
        user = authenticate(RequestFactory().post("/accounts/login/"), username=role, password=f"evadmin-{role}-demo")
        assert user is not None, role
        assert staff_roles(user) == [role]
        assert f"login: {role} / evadmin-{role}-demo" in output
    assert get_user_model().objects.get(username="admin").is_staff
    assert not get_user_model().objects.get(username="viewer").is_staff


def test_is_idempotent_and_leaves_changed_passwords_alone():
    _run()
    viewer = get_user_model().objects.get(username="viewer")
    viewer.set_password("a-new-password-123")
    viewer.save()
    viewer.groups.clear()

    output = _run()

    assert get_user_model().objects.filter(username__in=ROLES).count() == len(ROLES)
    assert "exists   viewer" in output
    viewer.refresh_from_db()
    assert viewer.check_password("a-new-password-123")
    assert staff_roles(viewer) == ["viewer"]  # role put back


def test_refuses_when_pointed_at_a_real_api(settings):
    settings.EVADMIN_API_BASE_URL = "https://api.ev.energy/v2"
    with pytest.raises(CommandError, match="--allow-real-api"):
        _run()
    assert not get_user_model().objects.exists()
    assert "created" in _run("--allow-real-api")
