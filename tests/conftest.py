"""Suite-wide fixtures: the sandbox API process, a real Celery worker, staff members,
settings that point evadmin at the sandbox, and service requirements."""

import os

import pytest
from django.conf import settings

from tests.evenergy.api_state import reset_api_state

pytest_plugins = ["tests.sandbox.fixtures", "tests.worker", "tests.staff.fixtures"]

# Tests open connections from many short-lived threads (the live server, concurrency tests);
# persistent ones would outlive their threads and keep the test database from being dropped.
settings.DATABASES["default"]["CONN_MAX_AGE"] = 0


def require_service(reason: str) -> None:
    """Skip for a missing service or file, but fail under EVADMIN_REQUIRE_SERVICES=1 (CI)."""
    if os.environ.get("EVADMIN_REQUIRE_SERVICES") == "1":
        pytest.fail(f"required service missing: {reason}")
    pytest.skip(reason)


def point_settings_at(sandbox, settings) -> None:
    """Settings for `sandbox`, with a fresh client, token cache and budget."""
    settings.EVADMIN_API_BASE_URL = sandbox.base_url
    settings.EVADMIN_API_TOKEN_URL = sandbox.token_url
    settings.EVADMIN_API_CLIENT_ID = sandbox.client_id
    settings.EVADMIN_API_CLIENT_SECRET = sandbox.client_secret
    settings.EVADMIN_API_TOKEN = ""
    settings.EVADMIN_API_MAX_RETRY_WAIT = 2.0
    reset_api_state()


@pytest.fixture
def api_settings(sandbox_api, settings, db):
    """Settings pointing evadmin at the sandbox, with a clean token cache and budget."""
    point_settings_at(sandbox_api, settings)
    yield settings
    reset_api_state(clear_spending=False)


def sent(sandbox_api, method=None, path_prefix="/v2"):
    """The requests the sandbox received since its last reset, optionally filtered."""
    return [
        entry for entry in sandbox_api.requests()
        if (method is None or entry["method"] == method) and entry["path"].startswith(path_prefix)
    ]
