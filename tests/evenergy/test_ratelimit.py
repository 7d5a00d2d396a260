"""The shared hourly budget: reservations under a share, counting, and what the API reported."""

import os
import threading
import time

import pytest
from django.core.cache import cache

from evadmin.evenergy.ratelimit import RateBudget
from tests.conftest import require_service


def database_budget(limit):
    budget = RateBudget(limit=limit)
    # The window's table is the whole process's: a request a browser test's page still had in flight
    # when that test ended may land in it after the flush. Each test starts from an empty hour.
    budget.clear()
    return budget


def redis_budget(limit):
    url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/15"
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError:
        require_service(f"Redis at {url}")
    budget = RateBudget(limit=limit, redis_url=url, client_id="suite-test")
    budget.clear()
    return budget


@pytest.fixture(params=["database", "redis"])
def make_budget(request, transactional_db):
    made = []

    def make(limit):
        budget = database_budget(limit) if request.param == "database" else redis_budget(limit)
        made.append(budget)
        return budget

    cache.clear()
    yield make
    for budget in made:
        budget.clear()


def test_reserve_stops_at_the_share_of_the_hour(make_budget):
    budget = make_budget(100)
    assert budget.reserve(40, max_share=0.5) == 40
    assert budget.reserve(40, max_share=0.5) == 10  # only 50 of 100 for this caller
    assert budget.reserve(1, max_share=0.5) == 0
    assert budget.used() == 50


def test_recorded_requests_count_against_everyone(make_budget):
    budget = make_budget(10)
    budget.record(8)
    assert budget.reserve(5) == 2
    assert budget.snapshot().remaining == 0
    assert budget.seconds_until_free() > 3500


def test_prepaid_requests_are_not_counted_twice(make_budget):
    budget = make_budget(10)
    granted = budget.reserve(3)
    with budget.prepaid(granted):
        budget.record(1)
        budget.record(1)
        budget.record(1)
    assert budget.used() == 3
    budget.record(1)
    assert budget.used() == 4


def test_concurrent_reservations_never_exceed_the_limit(make_budget):
    budget = make_budget(50)
    granted = []

    def worker():
        for _ in range(10):
            granted.append(budget.reserve(1))

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(granted) == 50
    assert budget.used() == 50


def test_a_429_blocks_reservations_until_retry_after(make_budget):
    budget = make_budget(100)
    budget.block_for(30)
    assert budget.reserve(5) == 0
    assert 25 < budget.seconds_until_free() <= 30


def test_snapshot_prefers_what_the_api_reported(api, sandbox_api):
    api.users.list(page_size=1)
    api.users.list(page_size=1)
    snapshot = api.budget.snapshot()
    assert snapshot.source == "api"
    assert snapshot.limit == 1000
    assert snapshot.remaining == 998


def test_a_higher_limit_reported_by_the_api_is_used(make_budget):
    budget = make_budget(10)
    budget.observe(limit="40", remaining="40")
    assert budget.effective_limit() == 40
    assert budget.reserve(30, max_share=0.5) == 20  # half of the API's 40, not of the configured 10
    budget.observe(limit="5", remaining="100")
    assert budget.effective_limit() == 10  # a lower report does not shrink the budget


def test_the_api_remaining_caps_what_is_granted(make_budget):
    budget = make_budget(100)
    budget.observe(limit="100", remaining="5")
    assert budget.reserve(10) == 5  # the server wins over the local count (nothing logged yet)
    assert budget.reserve(1) == 0
    budget.observe(limit="100", remaining="10")
    budget.record(3)  # sent after that answer: the API's 10 is 7 by now
    assert budget.reserve(10) == 7


def test_an_old_remaining_no_longer_caps_reservations(make_budget):
    from evadmin.evenergy.ratelimit import OBSERVED_KEY, REMAINING_FRESH_SECONDS

    budget = make_budget(100)
    cache.set(OBSERVED_KEY, {"limit": 200, "remaining": 0, "at": time.time() - REMAINING_FRESH_SECONDS - 1})
    assert budget.reserve(150) == 150  # the local log governs; the reported limit still counts


def test_unparseable_headers_are_ignored(make_budget):
    budget = make_budget(10)
    budget.observe(limit="lots", remaining="5")
    budget.observe(limit=None, remaining=None)
    assert budget.reserve(20) == 10
    budget.observe(limit=None, remaining="3")
    assert budget.snapshot().limit == 10 and budget.reserve(5) == 0  # 10 logged already; 3 - 10 < 0


def test_the_sandbox_headers_steer_reservations(api, sandbox_api):
    sandbox_api.faults(rate_limit_per_hour=20)
    api.users.list(page_size=1)
    remaining = api.budget.snapshot().remaining
    assert remaining < 20
    assert api.budget.reserve(100) == remaining  # configured 1,000, but the server says less
    sandbox_api.faults(rate_limit_per_hour=5000)
    api.budget.clear()
    api.users.list(page_size=1)
    assert api.budget.effective_limit() == 5000
    assert api.budget.reserve(3000) == 3000  # configured 1,000, but the API allows more


def test_a_429s_remaining_gives_way_to_its_retry_after(make_budget):
    budget = make_budget(100)
    budget.observe(limit="100", remaining="0")  # the client observes every answer, a 429's too
    budget.block_for(0.2)
    assert budget.reserve(5) == 0
    time.sleep(0.3)
    assert budget.reserve(5) == 5  # Retry-After has passed: room again, whatever that 0 said


IMPLAUSIBLE_HEADERS = {
    "a negative limit": {"limit": "-52176424", "remaining": "0"},
    "a fractional remaining": {"limit": "1000", "remaining": "0.5"},
    "an absurd limit": {"limit": "1e15", "remaining": "999"},
    "a negative remaining": {"limit": "1000", "remaining": "-3"},
    "a zero limit": {"limit": "0", "remaining": "0"},
}


@pytest.mark.parametrize("headers", IMPLAUSIBLE_HEADERS.values(), ids=IMPLAUSIBLE_HEADERS.keys())
def test_headers_that_cannot_be_true_leave_the_budget_to_evadmins_own_count(api, sandbox_api, client_as, headers):
    """Issue 11: "API budget 0 /-52176424" in the header, and a directory sync paused by it."""
    from evadmin.driver_directory.sync import directory_sync_step
    from evadmin.evenergy.ratelimit import rate_budget

    sandbox_api.faults(rate_limit_headers=headers)
    api.users.list(page_size=1)
    snapshot = rate_budget().snapshot()
    assert (snapshot.source, snapshot.limit) == ("local", 1000)
    assert rate_budget().reserve(5, max_share=0.5) == 5
    progress = directory_sync_step(kind="full")  # not held back by a budget that is not there
    assert progress.finished and progress.note != "failed"
    header = client_as("viewer").get("/locations/").content.decode().split('id="api-budget"', 1)[1].split("</span>")[0]
    shown = rate_budget().snapshot()
    assert shown.source == "local" and f"<strong>{shown.remaining}</strong> of 1,000 requests left" in header


def test_implausible_headers_are_logged_once(make_budget, caplog, monkeypatch):
    from evadmin.evenergy import ratelimit

    monkeypatch.setattr(ratelimit, "_implausible_logged", False)
    budget = make_budget(1000)
    with caplog.at_level("WARNING", logger="evadmin.evenergy.ratelimit"):
        for _ in range(3):
            budget.observe(limit="-5", remaining="2")
    assert caplog.text.count("ignoring X-RateLimit headers that cannot be true") == 1
    assert budget.snapshot().source == "local"


# --- Staff before jobs (issue "People first") -------------------------------------------------


def test_background_work_keeps_a_floor_free_for_staff(make_budget):
    budget = make_budget(100)
    assert budget.staff_reserve() == 15  # 15% with no staff about
    assert budget.reserve(100, max_share=1.0, yield_to_staff=True) == 85
    assert budget.reserve(5, max_share=1.0) == 5  # a caller that does not yield (tests, tools) is not held back


def test_background_room_shrinks_as_staff_demand_grows_and_returns_after(make_budget):
    import time_machine

    from evadmin.evenergy import ratelimit

    with time_machine.travel(time.time(), tick=False) as clock:
        budget = make_budget(1000)
        assert budget.reserve(100, max_share=0.8, yield_to_staff=True) == 100
        for _ in range(50):  # agents busy: 50 requests in the last ten minutes
            budget.spend(staff=True)
        assert budget.staff_reserve() == 600  # twice 50 per ten minutes, over the hour
        assert budget.reserve(500, max_share=0.8, yield_to_staff=True) == 1000 - 600 - 150
        room = budget.background_room(max_share=0.8)
        assert (room.requests, room.reason) == (0, ratelimit.STAFF_FIRST)
        assert 0 < room.wait_seconds <= 600
        assert "staff come first" in room.describe("the bulk jobs'")
        clock.shift(601)  # the agents' spending has aged out of the lookback: jobs pick up again
        assert budget.staff_reserve() == 150
        assert budget.reserve(500, max_share=0.8, yield_to_staff=True) == 800 - 400  # 400 sent this hour


def test_staff_use_the_whole_hour_and_are_refused_unsent_only_when_it_is_spent(make_budget):
    from evadmin.evenergy import errors

    budget = make_budget(10)
    budget.record(9)
    budget.spend(staff=True)
    with pytest.raises(errors.BudgetExhausted) as refused:
        budget.spend(staff=True)
    assert budget.used() == 10 and budget.used(staff=True) == 1
    assert refused.value.retry_after > 3500 and "live data returns in about" in refused.value.user_message
