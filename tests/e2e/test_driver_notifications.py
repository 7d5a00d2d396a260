"""The notifications case in Chromium: an agent opens the driver who switched every notification off;
the panels load only when opened; the summary strip then says the notifications are switched off (no
reload), and the timeline shows a notification sent whose link leads to its detail."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


@pytest.fixture
def case(api_settings, sandbox_api) -> dict:
    sandbox_api.reset(data=True)
    return sandbox_api.seed_cases()["notifications_switched_off"]


def test_an_agent_finds_the_notifications_switched_off_and_follows_one_to_its_detail(signed_in_page, sandbox_api,
                                                                                      case):
    browser_page = signed_in_page("viewer")
    page = browser_page.page
    browser_page.goto(f"/users/{case['user_id']}/")
    section = page.locator("section#notifications")
    expect(section.get_by_text("(1 request)").first).to_be_visible()
    assert not [entry for entry in sandbox_api.api_requests() if "notification" in entry["path"]]  # not before

    section.locator("details").nth(1).locator("summary").click()
    preferences = page.locator("#driver-notification-preferences")
    expect(preferences).to_contain_text("Every notification is switched off")
    expect(preferences).to_contain_text("Charging issues")
    # The strip reads again once the panel has loaded, without a reload and without a request of its own.
    expect(page.locator('#summary-strip [data-part="notifications"]')).to_contain_text("switched off")
    expect(page.locator('#summary-strip [data-part="notifications"]')).not_to_contain_text("not known yet")

    section.locator("details").nth(0).locator("summary").click()
    sent = page.locator("#driver-notifications")
    expect(sent).to_contain_text(case["newest_title"])
    expect(sent).to_contain_text("not read")
    assert len([entry for entry in sandbox_api.api_requests() if "notification" in entry["path"]]) == 2

    # The timeline reads again too (a panel loading while it re-reads is queued, not dropped): the
    # notifications the panel read are in the stream, each with its link.
    entry = page.locator("#timeline").locator('tr.timeline-entry[data-kind="notifications"]').filter(
        has_text=f"Notification sent: {case['newest_title']}")
    expect(entry).to_have_count(1)
    entry.get_by_role("link").first.click()
    expect(page).to_have_url(re.compile(rf"/users/{case['user_id']}/notifications/{case['newest_notification']}/$"))
    expect(page.locator("h1")).to_have_text(case["newest_title"])
    expect(page.locator(".notification-detail")).to_contain_text("Your car has been disconnected")
    browser_page.assert_no_console_errors()
