"""`manage.py apicheck` tells an operator whether the API configuration works."""

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

ROOT = Path(__file__).resolve().parents[2]


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


def test_apicheck_on_a_database_never_migrated_says_what_to_run(tmp_path):
    """A new operator's first apicheck, before any migrate: a sentence, not a traceback."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'never-migrated.sqlite3'}"}
    done = subprocess.run([sys.executable, "manage.py", "apicheck"], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 1
    assert "run `python manage.py migrate` first" in done.stderr
    assert "Traceback" not in done.stderr and "no such table" not in done.stderr


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


def test_apicheck_lists_the_scopes_held_and_the_features_a_missing_scope_disables(api_settings, sandbox_api):
    sandbox_api.create_client("apicheck-narrow", "narrow-secret", ["user:read", "user:write", "tariff:read",
                                                                     "site:read", "charging_session:read"])
    api_settings.EVADMIN_API_CLIENT_ID = "apicheck-narrow"
    api_settings.EVADMIN_API_CLIENT_SECRET = "narrow-secret"
    output = run_apicheck()
    assert "scopes held:     charging_session:read site:read tariff:read user:read user:write" in output
    assert "A driver's chargers and vehicles: needs evse:read, vehicle:read" in output
    assert "Device evidence: debug logs, assessments, dispatcher logs: needs debug:read" in output
    assert "Boost and energy recalculation: needs charging_session:write" in output
    # A sub-session comes with its assessment (debug data): the charging pages need debug:read too.
    assert "Charging sessions and sub-sessions: needs debug:read" in output
    assert "Creating and editing drivers" not in output.split("features disabled")[1]


def test_apicheck_with_every_scope_says_all_features_are_available(api_settings, sandbox_api):
    output = run_apicheck()
    assert "features:        all available" in output


def test_readme_lists_the_operations_and_scopes_evadmin_uses_per_feature(settings):
    out = io.StringIO()
    call_command("apicheck", "--operations", stdout=out)
    table = out.getvalue().strip()
    readme = (settings.BASE_DIR / "README.md").read_text()
    assert table in readme, "README.md's table of API operations is stale: paste `manage.py apicheck --operations`"
    assert "`POST /charging_sessions/{id}/boost_start`" in table
