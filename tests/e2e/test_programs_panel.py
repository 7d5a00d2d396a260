"""The Programs panel in Chromium: the seeded driver eligible for a program but not enrolled; the panel
loads only when opened and shows the program as eligible, not enrolled."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


@pytest.fixture
def cases(api_settings, sandbox_api) -> dict:
    sandbox_api.reset(data=True)
    return sandbox_api.seed_cases()


def test_an_agent_opens_the_programs_panel_of_the_eligible_unenrolled_driver(signed_in_page, cases):
    case = cases["program_eligible_not_enrolled"]
    browser_page = signed_in_page("support")
    page = browser_page.page
    browser_page.goto(f"/users/{case['user_id']}/")
    section = page.locator("section#programs")
    expect(section).to_contain_text("1 request")
    expect(section.locator(".driver-programs")).to_have_count(0)  # nothing loaded before it is opened
    section.locator("summary").click()
    listed = section.locator(".driver-programs")
    expect(listed).to_contain_text(case["program_name"])
    expect(listed).to_contain_text("eligible, not enrolled")
    expect(listed.get_by_role("link", name="Join on the driver's behalf…").first).to_be_visible()
    # The summary strip reads again once the panel has loaded (no reload): eligible, not enrolled.
    expect(page.locator('#summary-strip [data-part="programs"]')).to_contain_text(
        f"eligible for {case['program_name']}")
