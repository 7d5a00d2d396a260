"""Reads that cost once, and never a dead end (issue "People first"): a driver's page read within the
cache time costs nothing, for the same agent or another; a write refreshes what it touched; when
the budget is spent or the API is down, the page is drawn from evadmin's own copies with their age,
and a write keeps the form.
"""

import pytest
from django.test import Client

from evadmin.driver_directory.models import DirectoryAccount
from evadmin.driver_directory.sync import directory_sync_step
from evadmin.evenergy.ratelimit import rate_budget
from evadmin.evenergy.read_cache import read_cache_forget
from tests.conftest import sent
from tests.drivers.test_writes import edit_form_data, writes
from tests.staff.fixtures import make_staff


def driver_reads(sandbox_api, user_id):
    """The API requests a driver's page and its devices panel made: the driver, vehicles, chargers."""
    return [entry for entry in sent(sandbox_api, "GET")
            if entry["path"].endswith(user_id) or entry["user_header"] == user_id]


def open_driver(client, user_id, **params):
    page = client.get(f"/users/{user_id}/", params)
    devices = client.get(f"/users/{user_id}/devices/", params, HTTP_HX_REQUEST="true")
    assert page.status_code == devices.status_code == 200
    return page.content.decode(), devices.content.decode()


def another_agent() -> Client:
    client = Client()
    client.force_login(make_staff("viewer", username="second-agent"))
    return client


def spend_the_hour():
    """Every request of the hour spent (as a busy morning would): evadmin sends nothing more."""
    budget = rate_budget()
    budget.record(budget.effective_limit() - budget.used())


def test_a_driver_costs_three_requests_once_then_nothing(pages, sandbox_api, user_with_address):
    agent = pages("viewer")
    sandbox_api.reset()
    page, devices = open_driver(agent, user_with_address.id)
    assert len(driver_reads(sandbox_api, user_with_address.id)) == 3  # the driver, vehicles, chargers
    assert "Live from the API just now" in page and "Live from the API just now" in devices

    again, devices_again = open_driver(agent, user_with_address.id)
    open_driver(another_agent(), user_with_address.id)
    assert len(driver_reads(sandbox_api, user_with_address.id)) == 3  # both agents, within the cache time
    assert "Read from the API" in again and "opening it again costs no request" in again
    assert user_with_address.email in again and "Refresh" in devices_again

    refreshed, _ = open_driver(agent, user_with_address.id, refresh="1")  # Refresh: a live read on purpose
    assert len(driver_reads(sandbox_api, user_with_address.id)) == 6
    for kind in ("vehicles", "chargers"):  # the panels re-read too
        assert f'hx-get="/users/{user_with_address.id}/devices/{kind}/?refresh=1"' in refreshed


def test_the_api_list_pages_cost_once_paging_back_included(pages, sandbox_api):
    agent = pages("viewer")
    sandbox_api.reset()
    first = agent.get("/users/?source=api&page_size=25").content.decode()
    after = first.split("after=", 1)[1].split("&", 1)[0]
    agent.get(f"/users/?source=api&page_size=25&after={after}")
    agent.get("/users/?source=api&page_size=25")  # back to the first page
    assert len(sent(sandbox_api, "GET", "/v2/users")) == 2


def test_users_lands_on_the_directory_at_no_cost(pages, sandbox_api):
    sandbox_api.reset()
    html = pages("viewer").get("/users/").content.decode()
    assert 'id="directory_q"' in html and 'id="api-list-link"' in html
    assert html.count('type="search"') == 1 and html.count('name="page_size"') == 1  # one box, one page size
    assert sent(sandbox_api, "GET") == []


def test_a_whole_email_in_the_search_box_is_the_apis_exact_lookup(pages, sandbox_api, direct_api):
    target = direct_api.users.list(page_size=5).items[3]
    viewer = pages("viewer")
    sandbox_api.reset()
    html = viewer.get("/users/", {"q": f"  {target.email.upper()} "}).content.decode()
    [lookup] = sent(sandbox_api, "GET", "/v2/users")
    assert f"email={target.email.upper()}".replace("@", "%40") in lookup["query"] or target.email.upper() in lookup[
        "query"]
    assert f'href="/users/{target.id}/"' in html and "1 account with the email" in html
    sandbox_api.reset()
    viewer.get("/users/", {"q": target.email, "country": "GB"})  # a filter too: the directory answers
    viewer.get("/users/", {"q": "smith"})
    assert sent(sandbox_api, "GET") == []


def test_an_edit_refreshes_the_cached_driver_and_the_directory(pages, sandbox_api, user_with_address):
    agent = pages("support")
    open_driver(agent, user_with_address.id)
    data = edit_form_data(agent, user_with_address.id)
    agent.post(f"/users/{user_with_address.id}/edit/", {**data, "city": "Aberystwyth"})
    sandbox_api.reset()

    page, _ = open_driver(agent, user_with_address.id)

    assert "Aberystwyth" in page  # the PATCH's answer is the cached driver now: shown without a read
    assert driver_reads(sandbox_api, user_with_address.id)[:1] == []
    assert DirectoryAccount.objects.get(user_id=user_with_address.id).city == "Aberystwyth"


def test_a_live_read_refreshes_the_directorys_copy(pages, sandbox_api, direct_api, user_with_address):
    directory_sync_step(kind="full")
    # Changed behind evadmin's back (the address rule wants the four fields together).
    location = user_with_address.default_location
    direct_api.users.update(user_with_address.id, changes={"default_location": {
        "city": "Portmeirion", "address_1": location.address_1, "postal_code": location.postal_code,
        "country_code": location.country_code}})
    pages("viewer").get(f"/users/{user_with_address.id}/")
    assert DirectoryAccount.objects.get(user_id=user_with_address.id).city == "Portmeirion"


@pytest.mark.parametrize("trouble", ["budget spent", "API down"])
def test_without_live_data_the_page_is_drawn_from_evadmins_copies(pages, sandbox_api, api_settings,
                                                                    user_with_address, trouble):
    directory_sync_step(kind="full")  # evadmin's copy of every driver
    agent = pages("viewer")
    open_driver(agent, user_with_address.id)  # the last copies of the panels
    # The fresh reads expire (as after the cache time): only the last copies and the directory are left.
    read_cache_forget(scope=user_with_address.id)
    sandbox_api.reset()
    if trouble == "budget spent":
        spend_the_hour()
    else:
        api_settings.EVADMIN_API_MAX_RETRIES = 0
        sandbox_api.faults(error_rate=1.0)

    page, devices = open_driver(agent, user_with_address.id)

    assert user_with_address.email in page and "Live data is unavailable" in page
    assert "Showing what evadmin last saw of this driver" in page and "ago" in page
    assert "Live data is unavailable" in devices and "Showing what evadmin last saw of the vehicles and chargers" in devices
    assert "Edit email and location" not in page  # writes wait for live data
    statuses = [entry["status"] for entry in sent(sandbox_api)]
    assert 429 not in statuses and (trouble == "API down" or statuses == [])  # a spent budget sends nothing


def test_a_driver_with_no_cached_read_is_drawn_from_the_directory(pages, sandbox_api, user_with_address):
    directory_sync_step(kind="full")
    agent = pages("viewer")
    sandbox_api.reset()
    spend_the_hour()
    page = agent.get(f"/users/{user_with_address.id}/").content.decode()
    devices = agent.get(f"/users/{user_with_address.id}/devices/", HTTP_HX_REQUEST="true").content.decode()
    assert user_with_address.email in page and user_with_address.default_location.postal_code in page
    assert "Live data is unavailable" in page and "budget" in page
    assert "can't be shown right now" in devices  # the panel says so; the page stands
    assert sent(sandbox_api) == []


def test_a_write_under_a_spent_budget_keeps_the_form(pages, sandbox_api, user_with_address):
    agent = pages("support")
    data = edit_form_data(agent, user_with_address.id)
    sandbox_api.reset()
    spend_the_hour()
    response = agent.post(f"/users/{user_with_address.id}/edit/", {**data, "city": "Tenby", "reason": "TICKET-9"})
    assert response.status_code == 429
    html = response.content.decode()
    assert 'value="Tenby"' in html and 'value="TICKET-9"' in html  # nothing the agent typed is lost
    assert "budget" in html and writes(sandbox_api) == [] and sent(sandbox_api) == []


def test_the_api_list_falls_back_to_the_directory(pages, sandbox_api):
    directory_sync_step(kind="full")
    sandbox_api.reset()
    spend_the_hour()
    html = pages("viewer").get("/users/?source=api&page_size=50").content.decode()
    assert "The API's own list can't be read right now" in html and 'id="users-results"' in html
    assert sent(sandbox_api) == []
