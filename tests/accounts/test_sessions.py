import os
import subprocess
import sys
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.utils import timezone

from tests.accounts.fixtures import make_staff


def test_idle_timeout_defaults_to_30_minutes_renewed_on_every_request():
    if "EVADMIN_SESSION_IDLE_MINUTES" in os.environ:
        pytest.skip("EVADMIN_SESSION_IDLE_MINUTES is set in this environment")
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is True


def test_idle_timeout_comes_from_the_environment():
    env = {**os.environ, "EVADMIN_SESSION_IDLE_MINUTES": "7", "DJANGO_SETTINGS_MODULE": "evadmin.settings"}
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
