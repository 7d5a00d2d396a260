"""The energy case in Chromium: an agent opens the driver with solar and a home battery, opens the energy
panels (each loads only then), reads the battery's state and sees the HEM system's statistics drawn as a
chart; the summary strip then names the solar array and the battery without a request of its own."""

import pytest
from playwright.sync_api import expect

from evadmin.energy.summary import energy_summary

pytestmark = pytest.mark.browser
ENERGY = ("/v2/solar_arrays", "/v2/inverters", "/v2/home_batteries", "/v2/hem_systems")


@pytest.fixture
def case(api_settings, sandbox_api) -> dict:
    sandbox_api.reset(data=True)
    return sandbox_api.seed_cases()["solar_and_home_battery"]


def _energy_requests(sandbox_api) -> list[dict]:
    return [entry for entry in sandbox_api.api_requests() if entry["path"].startswith(ENERGY)]


def test_an_agent_reads_the_solar_array_the_battery_and_the_hem_chart(signed_in_page, sandbox_api, case):
    agent = signed_in_page("viewer")
    agent.goto(f"/users/{case['user_id']}/")
    page = agent.page
    expect(page.locator("#energy summary").first).to_contain_text("(1 request)")
    strip_part = page.locator('#summary-strip [data-part="energy-devices"]')
    expect(strip_part).to_contain_text("not known yet")
    assert not _energy_requests(sandbox_api)  # nothing before a panel is opened

    page.locator("#energy-solar-panel > summary").click()
    expect(page.locator("#energy-solar")).to_contain_text("Solar array 4.2 kW")
    page.locator("#energy-batteries-panel > summary").click()
    batteries = page.locator("#energy-batteries")
    expect(batteries).to_contain_text(f"{case['battery_state_of_charge_percentage']} %")
    expect(batteries).to_contain_text(f"{case['battery_charge_rate_watts']} W")
    expect(batteries).to_contain_text(case["battery_model"])

    page.locator("#energy-hem-panel > summary").click()
    hem = page.locator("#energy-hem")
    expect(hem).to_contain_text(case["hem_system_id"])
    hem.locator("details").nth(0).locator("summary").click()
    expect(page.locator(f"#hem-live-{case['hem_system_id']}")).to_contain_text("Solar generation")
    hem.locator("details").nth(1).locator("summary").click()
    chart = page.locator(f"#hem-stats-chart-{case['hem_system_id']}")
    expect(chart).to_have_attribute("data-drawn", "true")  # drawn from the statistics, not an empty frame
    page.locator(f"#hem-stats-{case['hem_system_id']} details.stats-table > summary").click()
    expect(page.locator(f"#hem-stats-{case['hem_system_id']} table.energy-stats")).to_be_visible()
    assert len(_energy_requests(sandbox_api)) == 5  # solar, batteries, HEM systems, live power, statistics

    # The strip's part is known now, without a request of its own, and the strip has read it again.
    assert energy_summary(case["user_id"]).text.startswith("solar array 4.2 kW; home battery")
    expect(strip_part).to_contain_text("solar array 4.2 kW")
    expect(strip_part).to_contain_text(f"home battery {case['battery_state_of_charge_percentage']} %")
