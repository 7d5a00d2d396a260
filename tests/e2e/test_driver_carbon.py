"""The carbon and tariff case in Chromium: an agent opens a British driver on a dynamic tariff, opens the
Grid carbon intensity and Tariff prices panels (each loads only then), sees both charts drawn from data
(canvas) and the tables' values; the summary strip then says the grid's figure now."""

import re

import pytest
from playwright.sync_api import expect

from evadmin.core.templatetags.components import minor_units

pytestmark = pytest.mark.browser


@pytest.fixture
def case(api_settings, sandbox_api) -> dict:
    sandbox_api.reset(data=True)
    return sandbox_api.seed_cases()["carbon_and_tariff"]


def _carbon_requests(sandbox_api) -> list[dict]:
    return [entry for entry in sandbox_api.api_requests() if "carbon" in entry["path"] or "/prices" in entry["path"]]


def test_an_agent_sees_the_grid_now_and_ahead_and_the_prices_today_and_tomorrow(signed_in_page, sandbox_api, case):
    browser_page = signed_in_page("viewer")
    page = browser_page.page
    browser_page.goto(f"/users/{case['user_id']}/")
    section = page.locator("#carbon")
    expect(section.get_by_text("Grid carbon intensity now and for the next hours")).to_be_visible()
    assert not _carbon_requests(sandbox_api)  # not before opening

    section.locator("details").nth(0).locator("summary").click()
    panel = page.locator("#driver-carbon")
    # The feed by name (read with the driver's newest sub-session), or by id when the page already held
    # the driver's charging, which names it by URL only.
    expect(panel).to_contain_text(re.compile(f"UK National Grid|{case['carbon_feed_id']}"))
    expect(panel).to_contain_text("gCO₂/kWh")
    expect(panel.locator("#carbon-chart[data-drawn='true']")).to_have_count(1)
    rows = panel.locator("table.carbon-intensities tbody tr")
    expect(rows.first).to_be_visible()
    assert rows.count() >= 24
    assert panel.locator("table.carbon-intensities tbody tr.current td").nth(1).inner_text().strip().isdigit()

    section.locator("details").nth(1).locator("summary").click()
    prices = page.locator("#driver-tariff-prices")
    expect(prices).to_contain_text(f"{minor_units(case['currency'])} per kWh")  # "pence (GBP)"
    expect(prices).to_contain_text(case["timezone_name"])
    expect(prices.locator("#tariff-prices-chart[data-drawn='true']")).to_have_count(1)
    first_price = prices.locator("table.tariff-prices tbody tr td").nth(1).inner_text().strip()
    assert first_price.isdigit()
    assert len([entry for entry in _carbon_requests(sandbox_api) if "/prices" in entry["path"]]) == 1

    # The strip has read again (the panel announced it loaded) and says the grid's figure now.
    expect(page.locator('#summary-strip [data-part="grid"]')).to_contain_text("gCO₂/kWh")
    browser_page.assert_no_console_errors()  # the charts drew within the CSP
