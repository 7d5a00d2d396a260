"""The device panels in Chromium: from a driver's page to a vehicle's error log and a charger's
connectivity, each opened by a click into its own panel (htmx), the rest of the page untouched."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


@pytest.fixture
def cases(api_settings, sandbox_api):
    sandbox_api.reset(data=True)
    return sandbox_api.seed_cases()


def test_an_agent_opens_the_error_log_and_the_connectivity_of_a_drivers_devices(signed_in_page, cases):
    inactive, poor = cases["vehicle_integration_inactive"], cases["poor_charger_connectivity"]
    browser_page = signed_in_page("support")
    page = browser_page.page

    browser_page.goto(f"/users/{inactive['user_id']}/")
    vehicle = page.locator(f"#vehicle-{inactive['vehicle_id']}")
    expect(vehicle).to_contain_text("INACTIVE: the manufacturer no longer answers: the driver must re-link it")
    expect(vehicle.get_by_role("switch")).to_be_disabled()
    vehicle.get_by_role("link", name="Error log (1 request)").click()
    log = page.locator(f"#vehicle-{inactive['vehicle_id']}-log-vehicle_errors")
    expect(log).to_contain_text(f"{inactive['error_logs']} errors from")
    expect(log.locator("tbody tr")).to_have_count(inactive["error_logs"])
    expect(page).to_have_url(f"{browser_page.base_url}/users/{inactive['user_id']}/")  # still the driver's page

    browser_page.goto(f"/users/{poor['user_id']}/")
    charger = page.locator(f"#evse-{poor['evse_id']}")
    charger.get_by_role("link", name="Connectivity (1 request)").click()
    expect(charger).to_contain_text(f"{poor['connection_reliability_30d']}% of the time online")
    expect(charger).to_contain_text("This cost one API request.")
