"""What the device panels cost: the list two requests (vehicles, chargers), a charger's connectivity
one, a vehicle's error log one; nothing again within the cache time, for any agent."""

from evadmin.evenergy.read_cache import read_cache_forget
from tests.conftest import sent
from tests.devices.helpers import connectivity_path, errors_path, fragment, open_devices


def test_the_device_list_costs_two_requests_then_none(pages, sandbox_api, cases):
    case = cases["healthy_control"]
    agent = pages("viewer")
    assert agent.get(f"/users/{case['user_id']}/").status_code == 200
    sandbox_api.reset()

    first = fragment(agent, f"/users/{case['user_id']}/devices/")
    paths = sorted(entry["path"].rstrip("/") for entry in sent(sandbox_api, "GET"))
    assert paths == ["/v2/evses", "/v2/vehicles"]
    assert "Live from the API just now" in first

    again = fragment(agent, f"/users/{case['user_id']}/devices/")
    fragment(pages("support"), f"/users/{case['user_id']}/devices/")  # another agent, same driver
    assert len(sent(sandbox_api, "GET")) == 2
    assert "opening it again costs no request" in again


def test_connectivity_costs_one_request_and_says_so(pages, sandbox_api, cases):
    case = cases["poor_charger_connectivity"]
    agent = pages("viewer")
    panels = open_devices(agent, case["user_id"])
    assert "Connectivity (1 request)" in panels
    sandbox_api.reset()

    first = fragment(agent, connectivity_path(case["user_id"], case["evse_id"]))
    assert [entry["path"].rstrip("/") for entry in sent(sandbox_api, "GET")] == \
        [f"/v2/evses/{case['evse_id']}/connectivity"]
    assert "This cost one API request." in first

    again = fragment(agent, connectivity_path(case["user_id"], case["evse_id"]))
    assert len(sent(sandbox_api, "GET")) == 1
    assert "No API request this time" in again


def test_the_error_log_costs_one_request_and_says_so(pages, sandbox_api, cases):
    case = cases["vehicle_integration_inactive"]
    agent = pages("viewer")
    panels = open_devices(agent, case["user_id"])
    assert "Error log (1 request)" in panels
    sandbox_api.reset()

    first = fragment(agent, errors_path(case["user_id"], case["vehicle_id"]))
    requests = sent(sandbox_api, "GET")
    assert [entry["path"].rstrip("/") for entry in requests] == [f"/v2/vehicles/{case['vehicle_id']}/error_logs"]
    assert "This cost one API request." in first

    fragment(agent, errors_path(case["user_id"], case["vehicle_id"]))
    assert len(sent(sandbox_api, "GET")) == 1


def test_a_panel_opened_after_the_cache_time_still_costs_one(pages, sandbox_api, cases):
    """The vehicle and the driver's zone come from what evadmin last read: only the log is asked for."""
    case = cases["vehicle_integration_inactive"]
    agent = pages("viewer")
    open_devices(agent, case["user_id"])
    read_cache_forget(scope=case["user_id"])  # as after EVADMIN_API_READ_CACHE_SECONDS
    sandbox_api.reset()

    html = fragment(agent, errors_path(case["user_id"], case["vehicle_id"]))

    assert len(sent(sandbox_api, "GET")) == 1 and "401" in html


def test_a_refresh_reads_the_panel_live(pages, sandbox_api, cases):
    case = cases["healthy_control"]
    agent = pages("viewer")
    open_devices(agent, case["user_id"])
    fragment(agent, connectivity_path(case["user_id"], case["evse_id"]))
    sandbox_api.reset()
    html = fragment(agent, connectivity_path(case["user_id"], case["evse_id"]) + "?refresh=1")
    assert len(sent(sandbox_api, "GET")) == 1 and "Live from the API just now" in html
