"""The low-budget warning: below 20% of its limit by the API's own X-RateLimit-Remaining, admins see a
banner on every page and the log gets one WARNING per crossing (RateBudget.observe)."""

import logging

import pytest

BANNER = "The API budget is running low"
LOW = {"limit": "1000", "remaining": "150"}


@pytest.fixture
def warnings_logged(caplog):
    def logged() -> list[str]:
        return [record.getMessage() for record in caplog.records
                if record.levelno == logging.WARNING and "hourly budget is low" in record.getMessage()]

    with caplog.at_level(logging.WARNING, logger="evadmin.evenergy.ratelimit"):
        yield logged


def test_admins_see_the_banner_below_a_fifth_and_viewers_do_not(pages, sandbox_api):
    admin, viewer = pages("admin"), pages("viewer")
    assert BANNER not in admin.get("/users/?source=api").content.decode()  # 999 left

    sandbox_api.faults(rate_limit_headers=LOW)
    html = admin.get("/users/?source=api&page_size=50").content.decode()  # a request: the API says 150 left
    assert BANNER in html and "the API reports 150 of 1,000 requests left this hour" in html
    assert 'href="/api-budget/">See what is spending it</a>' in html
    assert BANNER in admin.get("/locations/").content.decode()  # on every page, with no request of its own
    assert BANNER not in viewer.get("/locations/").content.decode()
    assert BANNER not in pages("auditor").get("/locations/").content.decode()


def test_the_banner_goes_when_the_api_has_room_again(pages, sandbox_api, direct_api):
    admin = pages("admin")
    sandbox_api.faults(rate_limit_headers={"limit": "1000", "remaining": "199"})
    direct_api.users.list(page_size=1)
    assert BANNER in admin.get("/locations/").content.decode()
    sandbox_api.faults(rate_limit_headers={"limit": "1000", "remaining": "200"})  # 20% exactly: not low
    direct_api.users.list(page_size=1)
    assert BANNER not in admin.get("/locations/").content.decode()


def test_a_warning_is_logged_once_per_crossing(pages, sandbox_api, direct_api, warnings_logged):
    sandbox_api.faults(rate_limit_headers=LOW)
    for _ in range(4):
        direct_api.users.list(page_size=1)
    assert warnings_logged() == ["the API's hourly budget is low: 150 of 1000 requests left (below 20%); "
                                 "see /api-budget/"]

    sandbox_api.faults(rate_limit_headers=None)  # back above a fifth: the next crossing warns again
    direct_api.users.list(page_size=1)
    sandbox_api.faults(rate_limit_headers=LOW)
    direct_api.users.list(page_size=1)
    direct_api.users.list(page_size=1)
    assert len(warnings_logged()) == 2


def test_evadmins_own_count_raises_no_banner(api_settings, client_as):
    from evadmin.evenergy.ratelimit import rate_budget

    rate_budget().record(900)  # evadmin's count says 100 left, but the API has said nothing
    assert rate_budget().snapshot().source == "local"
    assert BANNER not in client_as("admin").get("/").content.decode()
