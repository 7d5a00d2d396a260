"""The API budget page in Chromium: the header's badge leads there, the chart is drawn from the
page's JSON with one dataset per source kind, and Refresh swaps in the hour's numbers."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_the_badge_leads_to_the_page_and_its_chart_is_drawn(api_settings, sandbox_api, signed_in_page,
                                                          transactional_db):
    browser_page = signed_in_page("auditor")
    page = browser_page.page
    browser_page.goto("/users/?source=api")  # spends a request as this staff member
    page.locator("#api-budget").click()
    expect(page).to_have_url(browser_page.base_url + "/api-budget/")
    expect(page.locator("#top-staff")).to_contain_text("auditor-member")

    page.wait_for_function("() => window.Chart && window.Chart.getChart('api-spend-chart')")
    labels = page.evaluate("() => window.Chart.getChart('api-spend-chart').data.datasets.map(d => d.label)")
    assert labels == ["Staff", "Bulk jobs", "Directory syncs", "System"]

    with page.expect_response(lambda response: response.url.endswith("/api-budget/")) as refreshed:
        page.get_by_role("link", name="Refresh these numbers").click()
    assert refreshed.value.request.headers.get("hx-request") == "true"
    expect(page.locator("#budget-window")).to_contain_text("requests in the last 60 minutes")
    assert page.evaluate("() => !!window.Chart.getChart('api-spend-chart')")  # the rest of the page stays
