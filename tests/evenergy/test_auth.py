"""Tokens: fetched once and shared through the cache, renewed ahead of expiry and after a 401."""

import time

import pytest
import requests
from django.core.cache import cache

from evadmin.evenergy import auth, errors
from evadmin.evenergy.client import build_client
from tests.conftest import sent


def token_requests(sandbox_api):
    return sent(sandbox_api, "POST", "/o/token")


def test_token_is_fetched_once_and_reused(api, sandbox_api):
    api.users.list(page_size=1)
    api.users.list(page_size=1)
    assert len(token_requests(sandbox_api)) == 1
    assert len(sent(sandbox_api, "GET", "/v2/users")) == 2


def test_token_is_shared_through_the_cache_by_every_client(api, sandbox_api):
    api.users.list(page_size=1)
    other_process_client = build_client()  # another process would build its own, reading the same cache
    other_process_client.users.list(page_size=1)
    assert len(token_requests(sandbox_api)) == 1


def test_token_is_renewed_ahead_of_expiry(api, sandbox_api, monkeypatch):
    sandbox_api.faults(token_lifetime=4)
    monkeypatch.setattr(auth, "REFRESH_MARGIN_SECONDS", 3)
    api.users.list(page_size=1)
    api.users.list(page_size=1)
    assert len(token_requests(sandbox_api)) == 1
    time.sleep(1.5)  # now inside the margin: renew before the token dies
    api.users.list(page_size=1)
    assert len(token_requests(sandbox_api)) == 2
    assert all(e["status"] == 200 for e in sent(sandbox_api, "GET"))


def test_token_the_api_calls_expired_is_replaced_once_after_a_401(api, sandbox_api):
    sandbox_api.faults(token_lifetime=1)
    api.users.list(page_size=1)
    issued = cache.get(api.token.cache_key)["access_token"]
    time.sleep(1.5)
    # Clock skew: evadmin still believes the token is good; the API's 401 is what tells it.
    cache.set(api.token.cache_key, {"access_token": issued, "expires_at": time.time() + 3600})
    api.users.list(page_size=1)
    assert [e["status"] for e in sent(sandbox_api, "GET")] == [200, 401, 200]
    assert len(token_requests(sandbox_api)) == 2


def test_revoked_token_is_replaced(api, sandbox_api):
    api.users.list(page_size=1)
    sandbox_api.faults(revoke_all_tokens=True)
    api.users.list(page_size=1)
    assert [e["status"] for e in sent(sandbox_api, "GET")] == [200, 401, 200]


def test_wrong_client_secret_is_unauthorized(api_settings, sandbox_api):
    api_settings.EVADMIN_API_CLIENT_SECRET = "wrong-secret"
    with pytest.raises(errors.Unauthorized) as caught:
        build_client().users.list()
    assert "wrong-secret" not in str(caught.value)
    assert sent(sandbox_api, "GET", "/v2") == []


def test_static_token_mode_sends_the_given_token(api_settings, sandbox_api):
    issued = requests.post(
        sandbox_api.token_url, data={"grant_type": "client_credentials"},
        auth=(sandbox_api.client_id, sandbox_api.client_secret), timeout=5,
    ).json()["access_token"]
    api_settings.EVADMIN_API_TOKEN = issued
    sandbox_api.reset()
    client = build_client()
    assert len(client.users.list(page_size=2)) == 2
    assert token_requests(sandbox_api) == []


def test_rejected_static_token_is_not_retried(api_settings, sandbox_api):
    api_settings.EVADMIN_API_TOKEN = "not-a-real-token"
    with pytest.raises(errors.Unauthorized):
        build_client().users.list()
    assert [e["status"] for e in sent(sandbox_api, "GET")] == [401]
