"""Failures and retries: what is retried, what never is, and what the caller sees."""

import time

import pytest

from evadmin.evenergy import errors
from tests.conftest import sent

ADDRESS = {"address_1": "2 Quay Road", "city": "Dublin", "postal_code": "D02 X285", "country_code": "IE"}


def test_get_is_retried_on_5xx_until_it_succeeds(api, sandbox_api):
    sandbox_api.faults(fail_next=[503, 502])
    page = api.users.list(page_size=3)
    assert len(page) == 3
    assert [e["status"] for e in sent(sandbox_api, "GET")] == [503, 502, 200]


def test_get_gives_up_after_the_retry_budget(api, sandbox_api):
    sandbox_api.faults(fail_next=[503, 503, 503, 503, 503])
    with pytest.raises(errors.ServerError) as caught:
        api.users.list(page_size=3)
    assert caught.value.status == 503
    assert len(sent(sandbox_api, "GET")) == 1 + api.max_retries


def test_post_is_never_retried(api, sandbox_api):
    sandbox_api.faults(fail_next=[503])
    with pytest.raises(errors.ServerError):
        api.users.create(email="once@example.com", default_location=ADDRESS)
    assert len(sent(sandbox_api, "POST", "/v2/users")) == 1


def test_429_with_a_short_retry_after_is_waited_out(api, sandbox_api):
    sandbox_api.faults(force_429=1, retry_after=1)
    started = time.monotonic()
    api.users.list(page_size=2)
    assert time.monotonic() - started >= 1.0
    assert [e["status"] for e in sent(sandbox_api, "GET")] == [429, 200]


def test_429_with_a_long_retry_after_raises_with_the_wait(api, sandbox_api):
    sandbox_api.faults(force_429=1, retry_after=120)
    with pytest.raises(errors.RateLimited) as caught:
        api.users.list(page_size=2)
    assert caught.value.retry_after == pytest.approx(120, abs=1)
    assert "2 min" in caught.value.user_message
    assert len(sent(sandbox_api, "GET")) == 1
    # Everyone sharing the budget now knows to hold off.
    assert api.budget.blocked_for() > 100


def test_real_rate_limit_gives_429_with_retry_after(api, sandbox_api):
    sandbox_api.faults(rate_limit_per_hour=3)
    for _ in range(3):
        api.users.list(page_size=1)
    with pytest.raises(errors.RateLimited) as caught:
        api.users.create(email="over@example.com")
    assert 0 < caught.value.retry_after <= 3600


def test_get_timeout_is_retried(api, sandbox_api, settings):
    api.timeout = 0.5
    sandbox_api.faults(hang_next=1, hang_seconds=2)
    assert len(api.users.list(page_size=2)) == 2
    assert len(sent(sandbox_api, "GET")) == 2


def test_post_timeout_is_not_retried_and_says_the_outcome_is_unknown(api, sandbox_api):
    api.timeout = 0.5
    sandbox_api.faults(hang_next=1, hang_seconds=2)
    with pytest.raises(errors.ApiTimeout) as caught:
        api.users.create(email="maybe@example.com", default_location=ADDRESS)
    assert caught.value.request_sent
    time.sleep(2)  # let the hung request finish on the sandbox's side
    assert len(sent(sandbox_api, "POST", "/v2/users")) == 1


def test_unreachable_api_is_a_transport_error(api_settings):
    from evadmin.evenergy.client import build_client

    api_settings.EVADMIN_API_BASE_URL = "http://127.0.0.1:9/v2"  # discard port: nothing listens
    api_settings.EVADMIN_API_MAX_RETRIES = 1
    client = build_client()
    with pytest.raises(errors.TransportError) as caught:
        client.users.list()
    assert not caught.value.request_sent
    assert "could not be reached" in caught.value.user_message


def test_missing_scope_is_forbidden_and_named(api_settings, sandbox_api):
    from evadmin.evenergy.client import build_client

    sandbox_api.create_client("read-only-desk", "read-only-secret", ["user:read"])
    api_settings.EVADMIN_API_CLIENT_ID = "read-only-desk"
    api_settings.EVADMIN_API_CLIENT_SECRET = "read-only-secret"
    client = build_client()
    assert client.users.list(page_size=1)
    with pytest.raises(errors.Forbidden) as caught:
        client.users.create(email="nope@example.com")
    assert caught.value.missing_scope == "user:write"
    assert "user:write" in caught.value.user_message
