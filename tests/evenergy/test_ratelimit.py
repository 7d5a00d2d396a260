"""The shared hourly budget: reservations under a share, counting, and what the API reported."""

import os
import threading

import pytest
from django.core.cache import cache

from evadmin.evenergy.ratelimit import RateBudget
from tests.conftest import require_service


def database_budget(limit):
    return RateBudget(limit=limit)


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
