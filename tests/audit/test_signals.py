import pytest
from django.contrib.auth import authenticate

from evadmin.audit.models import AuditEvent
from tests.accounts.fixtures import make_staff

pytestmark = pytest.mark.django_db


def test_failed_authentication_outside_a_request_is_recorded_too():
    make_staff("viewer")
    assert authenticate(username="viewer-member", password="not-it") is None
    event = AuditEvent.objects.get(action="auth.sign_in_failed")
    assert event.after == {"attempted_username": "viewer-member"}
    assert event.client_ip is None


def test_very_long_attempted_username_is_cut():
    authenticate(username="x" * 5000, password="p")
    assert AuditEvent.objects.get().after["attempted_username"] == "x" * 150
