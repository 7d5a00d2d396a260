import pytest
from axes.exceptions import AxesBackendRequestParameterRequired
from django.contrib.auth import authenticate
from django.test import RequestFactory

from evadmin.audit.models import AuditEvent
from tests.staff.fixtures import make_staff

pytestmark = pytest.mark.django_db


def test_authentication_outside_a_request_is_refused_as_it_could_not_be_throttled():
    make_staff("viewer")
    with pytest.raises(AxesBackendRequestParameterRequired):
        authenticate(username="viewer-member", password="evadmin-viewer-demo")
    assert not AuditEvent.objects.exists()


def test_very_long_attempted_username_is_cut():
    authenticate(RequestFactory().post("/accounts/login/"), username="x" * 5000, password="p")
    assert AuditEvent.objects.get().after["attempted_username"] == "x" * 150
