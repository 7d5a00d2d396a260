"""`manage.py apicheck` tells an operator whether the API configuration works."""

import io

import pytest
from django.core.management import CommandError, call_command


def run_apicheck():
    out = io.StringIO()
    call_command("apicheck", stdout=out)
    return out.getvalue()


def test_apicheck_reports_url_auth_version_and_budget(api_settings, sandbox_api):
    output = run_apicheck()
    assert sandbox_api.base_url in output
    assert "authenticated:   yes" in output
    assert "version echoed:  2" in output
    assert "of 1000 requests this hour" in output


def test_apicheck_names_wrong_credentials(api_settings):
    api_settings.EVADMIN_API_CLIENT_SECRET = "definitely-wrong"
    with pytest.raises(CommandError, match="refused evadmin's credentials") as caught:
        run_apicheck()
    assert "definitely-wrong" not in str(caught.value)


def test_apicheck_names_an_unreachable_api(api_settings):
    api_settings.EVADMIN_API_BASE_URL = "http://127.0.0.1:9/v2"
    api_settings.EVADMIN_API_TOKEN = "static-token-for-this-test"
    api_settings.EVADMIN_API_MAX_RETRIES = 0
    with pytest.raises(CommandError, match="Cannot reach the ev.energy API at http://127.0.0.1:9/v2"):
        run_apicheck()
