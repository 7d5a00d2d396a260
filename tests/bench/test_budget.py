"""Section 7's harness (bench/budget.py), checked small against the suite's sandbox: what each view of a
driver's page costs, and browsing that counts a page drawn from evadmin's own copy as locked out. The
jobs on a worker are the quick run's (`python -m bench.run --quick --only budget`, about a minute)."""

from django.test import Client

from bench import budget
from evadmin.driver_directory.models import DirectoryAccount
from evadmin.evenergy.ratelimit import rate_budget
from evadmin.evenergy.read_cache import read_cache_forget
from tests.driver_directory.factories import directory_full_sync
from tests.staff.fixtures import make_staff


def agent(username: str) -> Client:
    client = Client()
    client.force_login(make_staff("viewer", username=username))
    return client


def drivers(count: int) -> list[tuple[str, str]]:
    directory_full_sync()
    return list(DirectoryAccount.objects.order_by("user_id").values_list("user_id", "email")[:count])


def test_each_view_of_a_driver_costs_what_the_sandbox_logged(api_settings, sandbox_api):
    user_ids = [user_id for user_id, _email in drivers(2)]

    costs = budget.driver_page_costs(sandbox_api, user_ids, agent=agent("costs-a"), second_agent=agent("costs-b"))

    assert {name: costs[name] for name in ("first", "repeat", "second agent", "refresh")} == {
        "first": [3, 3], "repeat": [0, 0], "second agent": [0, 0], "refresh": [3, 3]}
    assert set(costs["refresh link"]) <= {1, 3}  # the driver live; the devices as the page's hx-get names them


def test_pages_drawn_from_evadmins_own_copy_are_locked_out(api_settings, sandbox_api):
    seen, unseen = drivers(3)[:2], drivers(3)[2:]
    browser = agent("browsing")
    views = budget.browse(browser, seen, every=0.0, seconds=0.0)
    for user_id, _email in seen:
        read_cache_forget(scope=user_id)  # past the cache time: the next view needs the API
    spent = rate_budget()
    spent.record(spent.effective_limit() - spent.used())  # the hour is spent: staff get no request
    views += budget.browse(browser, seen + unseen, every=0.0, seconds=0.0)

    assert [view.shown for view in views] == ["live", "live", "local copy", "local copy", "missing"]
    assert [view.statuses for view in views] == [(200, 200)] * 5
    locked, minutes = budget.lockout(views)
    assert locked == 3 and 0 <= minutes < 0.1
    assert budget.lockout(views[:2]) == (0, 0.0)
