"""Every call is logged with method, path, status and time; credentials never are."""

import logging

import pytest

from evadmin.evenergy import errors
from evadmin.evenergy.client import build_client

CANARY_SECRET = "canary-secret-7f3a9c"


def test_calls_are_logged_without_credentials(api_settings, sandbox_api, caplog):
    sandbox_api.create_client("canary-client", CANARY_SECRET, ["user:read"])
    api_settings.EVADMIN_API_CLIENT_ID = "canary-client"
    api_settings.EVADMIN_API_CLIENT_SECRET = CANARY_SECRET
    client = build_client()
    caplog.set_level(logging.DEBUG)

    client.users.list(page_size=2)
    token = client.token.get()
    sandbox_api.faults(fail_next=[500])
    api_settings.EVADMIN_API_MAX_RETRIES = 0
    with pytest.raises(errors.ApiError) as caught:
        build_client().users.create(email="x@example.com")

    lines = [record.getMessage() for record in caught_records(caplog)]
    assert any("GET /users 200" in line and " ms" in line for line in lines)
    text = "\n".join(lines) + repr(client) + repr(client.token) + str(caught.value)
    assert CANARY_SECRET not in text
    assert token not in text


def caught_records(caplog):
    return [r for r in caplog.records if r.name.startswith("evadmin")]


def test_redaction_filter_scrubs_secrets_and_bearer_tokens(settings):
    from evadmin.core.logging import redact

    settings.EVADMIN_API_CLIENT_SECRET = CANARY_SECRET
    assert CANARY_SECRET not in redact(f"client_secret={CANARY_SECRET}")
    assert "abc.def.ghi" not in redact("Authorization: Bearer abc.def.ghi")
    assert "tok123456" not in redact("{'access_token': 'tok123456'}")
