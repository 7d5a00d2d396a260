"""What the device panels cost: the list two requests (vehicles, chargers), a charger's connectivity
one, a vehicle's error log one; nothing again within the cache time, for any agent."""

import pytest

from evadmin.evenergy.read_cache import read_cache_forget
from tests.conftest import sent
from tests.devices.helpers import connectivity_path, errors_path, fragment, open_devices


def test_the_device_list_costs_two_requests_then_none(pages, sandbox_api, cases):
    case = cases["healthy_control"]
    agent = pages("viewer")
    sandbox_api.reset()

    first = fragment(agent, f"/users/{case['user_id']}/devices/")  # even before the driver's page is read
    paths = sorted(entry["path"].rstrip("/") for entry in sent(sandbox_api, "GET"))
    assert paths == ["/v2/evses", "/v2/vehicles"]
    assert "Live from the API just now" in first
    assert "Times are in UTC: the driver's zone is known once their page has been opened" in first

    again = fragment(agent, f"/users/{case['user_id']}/devices/")
    fragment(pages("support"), f"/users/{case['user_id']}/devices/")  # another agent, same driver
    assert len(sent(sandbox_api, "GET")) == 2
    assert "opening it again costs no request" in again


@pytest.mark.parametrize("case_name, link, path, api_path", [
    ("poor_charger_connectivity", "Connectivity (1 request)", lambda case: connectivity_path(case["user_id"], case["evse_id"]),
     "/v2/evses/{evse_id}/connectivity"),
    ("vehicle_integration_inactive", "Error log (1 request)", lambda case: errors_path(case["user_id"], case["vehicle_id"]),
     "/v2/vehicles/{vehicle_id}/error_logs"),
])
def test_a_part_opened_costs_one_request_and_says_so(pages, sandbox_api, cases, case_name, link, path, api_path):
    case = cases[case_name]
    agent = pages("viewer")
    assert link in open_devices(agent, case["user_id"])
    sandbox_api.reset()

    first = fragment(agent, path(case))
    assert [entry["path"].rstrip("/") for entry in sent(sandbox_api, "GET")] == [api_path.format(**case)]
    assert "This cost one API request." in first

    again = fragment(agent, path(case))
    assert len(sent(sandbox_api, "GET")) == 1
    assert "No API request this time" in again


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
