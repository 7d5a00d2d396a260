import os
import subprocess
import sys
from datetime import timedelta
from importlib import import_module

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from evadmin.audit import actions
from evadmin.audit.models import AuditEvent
from evadmin.staff.models import StaffSession
from evadmin.staff.sessions import SIGNED_IN_AT_KEY
from tests.staff.fixtures import make_staff


def test_idle_timeout_defaults_to_30_minutes_renewed_on_every_request():
    if "EVADMIN_SESSION_IDLE_MINUTES" in os.environ:
        pytest.skip("EVADMIN_SESSION_IDLE_MINUTES is set in this environment")
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is True


def test_idle_timeout_comes_from_the_environment():
    env = {**os.environ, "EVADMIN_SESSION_IDLE_MINUTES": "7", "DJANGO_SETTINGS_MODULE": "evadmin.settings.test"}
    code = "from django.conf import settings; print(settings.SESSION_COOKIE_AGE)"
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "420"


@pytest.mark.django_db
def test_each_request_pushes_the_expiry_forward(client):
    client.force_login(make_staff("viewer"))
    response = client.get("/")
    assert response.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == settings.SESSION_COOKIE_AGE


@pytest.mark.django_db
def test_idle_session_has_expired_and_asks_to_sign_in_again(client):
    client.force_login(make_staff("viewer"))
    assert client.get("/").status_code == 200
    session_key = client.cookies[settings.SESSION_COOKIE_NAME].value
    Session.objects.filter(session_key=session_key).update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get("/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


# --- Maximum lifetime (EVADMIN_SESSION_MAX_HOURS, evadmin/staff/sessions.py) ----------------

SessionStore = import_module(settings.SESSION_ENGINE).SessionStore


def _stored_session(client):
    return SessionStore(session_key=client.cookies[settings.SESSION_COOKIE_NAME].value)


def _signed_in_ago(client, age: timedelta) -> None:
    """Move the sign-in time stored in the client's session `age` into the past."""
    session = _stored_session(client)
    session[SIGNED_IN_AT_KEY] = (timezone.now() - age).timestamp()
    session.save()


def test_maximum_lifetime_defaults_to_12_hours():
    if "EVADMIN_SESSION_MAX_HOURS" in os.environ:
        pytest.skip("EVADMIN_SESSION_MAX_HOURS is set in this environment")
    assert settings.EVADMIN_SESSION_MAX_HOURS == 12


def test_maximum_lifetime_comes_from_the_environment():
    env = {**os.environ, "EVADMIN_SESSION_MAX_HOURS": "8", "DJANGO_SETTINGS_MODULE": "evadmin.settings.test"}
    code = "from django.conf import settings; print(settings.EVADMIN_SESSION_MAX_HOURS)"
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "8.0"


@pytest.mark.django_db
def test_sign_in_stamps_the_session_and_records_its_key(client):
    member = make_staff("viewer")
    before = timezone.now()
    client.force_login(member)
    stamped = _stored_session(client)[SIGNED_IN_AT_KEY]
    assert before.timestamp() <= stamped <= timezone.now().timestamp()
    assert list(StaffSession.objects.filter(user=member).values_list("session_key", flat=True)) == [
        client.cookies[settings.SESSION_COOKIE_NAME].value
    ]


@pytest.mark.django_db
def test_an_active_session_just_under_the_limit_goes_on(client):
    client.force_login(make_staff("viewer"))
    _signed_in_ago(client, timedelta(hours=12) - timedelta(minutes=1))
    assert client.get("/").status_code == 200


@pytest.mark.django_db
def test_an_active_session_ends_at_the_maximum_lifetime_with_a_message_and_an_audit_event(client):
    member = make_staff("viewer")
    client.force_login(member)
    assert client.get("/").status_code == 200
    _signed_in_ago(client, timedelta(hours=12, seconds=1))
    old_key = client.cookies[settings.SESSION_COOKIE_NAME].value

    response = client.get("/")
    assert response.status_code == 302
    assert response.url == "/accounts/login/?next=/"
    sign_in_page = client.get(response.url).content.decode()
    assert "Your session ended 12 hours after you signed in. Please sign in again." in sign_in_page
    assert client.get("/").status_code == 302  # still signed out: nothing of the session is left
    assert not SessionStore().exists(old_key)
    assert not StaffSession.objects.filter(user=member).exists()
    event = AuditEvent.objects.get(action=actions.SESSION_EXPIRED)
    assert event.actor == member
    assert event.after["max_hours"] == 12


@pytest.mark.django_db
def test_an_htmx_request_past_the_lifetime_gets_a_client_redirect(client):
    client.force_login(make_staff("viewer"))
    _signed_in_ago(client, timedelta(hours=13))
    response = client.get("/", HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL="http://testserver/users/?q=ada")
    assert response.status_code == 200
    assert response["HX-Redirect"] == "/accounts/login/?next=/users/%3Fq%3Dada"


@pytest.mark.django_db
def test_the_lifetime_follows_the_setting(client, settings):
    settings.EVADMIN_SESSION_MAX_HOURS = 1
    client.force_login(make_staff("viewer"))
    _signed_in_ago(client, timedelta(minutes=59))
    assert client.get("/").status_code == 200
    _signed_in_ago(client, timedelta(minutes=61))
    assert client.get("/").status_code == 302


@pytest.mark.django_db
def test_a_session_without_a_sign_in_time_is_ended(client):
    # Fail closed: a session signed in some other way than login() has no known age.
    client.force_login(make_staff("viewer"))
    session = _stored_session(client)
    del session[SIGNED_IN_AT_KEY]
    session.save()
    assert client.get("/").status_code == 302


# --- Deactivating a staff member ends their sessions at once ------------------------------


def _admin_change_form(member) -> dict:
    """The Django admin user form as the browser would post it, with is_active unticked."""
    return {
        "username": member.username, "first_name": "", "last_name": "", "email": "",
        "is_staff": "on" if member.is_staff else "", "groups": [group.pk for group in member.groups.all()],
        "date_joined_0": member.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": member.date_joined.strftime("%H:%M:%S"),
        "initial-date_joined_0": member.date_joined.strftime("%Y-%m-%d"),
        "initial-date_joined_1": member.date_joined.strftime("%H:%M:%S"),
        "_save": "Save",
    }


@pytest.mark.django_db
def test_deactivating_in_django_admin_signs_the_member_out_everywhere(client_as):
    member = make_staff("support")
    first_browser, second_browser = Client(), Client()
    first_browser.force_login(member)
    second_browser.force_login(member)
    assert first_browser.get("/").status_code == 200
    admin = client_as("admin")

    response = admin.post(f"/admin/auth/user/{member.pk}/change/", _admin_change_form(member))
    assert response.status_code == 302, response.content.decode()[:2000]
    member.refresh_from_db()
    assert member.is_active is False

    for browser in (first_browser, second_browser):
        response = browser.get("/users/")
        assert response.status_code == 302
        assert response.url.startswith("/accounts/login/")
        assert not SessionStore().exists(browser.cookies[settings.SESSION_COOKIE_NAME].value)
    assert not StaffSession.objects.filter(user=member).exists()
    event = AuditEvent.objects.get(action=actions.STAFF_DEACTIVATE)
    assert event.actor.username == "admin-member"
    assert event.before == {"staff_member": "support-member", "is_active": True}
    assert event.after == {"staff_member": "support-member", "is_active": False, "sessions_ended": 2}


@pytest.mark.django_db
def test_deactivating_in_code_ends_sessions_and_records_no_actor(client):
    member = make_staff("viewer")
    client.force_login(member)
    member.is_active = False
    member.save()
    assert client.get("/").status_code == 302
    event = AuditEvent.objects.get(action=actions.STAFF_DEACTIVATE)
    assert event.actor is None
    assert event.after["sessions_ended"] == 1


@pytest.mark.django_db
def test_saving_an_active_member_or_an_inactive_one_again_ends_nothing(client):
    member = make_staff("viewer")
    client.force_login(member)
    member.first_name = "Ada"
    member.save()
    assert client.get("/").status_code == 200
    member.is_active = False
    member.save()
    member.save()  # already inactive: no second audit event
    assert AuditEvent.objects.filter(action=actions.STAFF_DEACTIVATE).count() == 1
