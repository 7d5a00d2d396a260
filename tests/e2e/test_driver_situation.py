"""The whole driver on one page, in Chromium: the summary strip fills in as the page's panels load (no
reload), and the timeline loads a source at its stated cost and leads to each entry's detail."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


@pytest.fixture
def cases(api_settings, sandbox_api) -> dict:
    sandbox_api.reset(data=True)
    return sandbox_api.seed_cases()


def test_the_strip_shows_the_open_ticket_and_the_devices_once_the_panels_have_loaded(signed_in_page, cases):
    case = cases["ticket_offline_charger_night"]
    browser_page = signed_in_page("viewer")
    page = browser_page.page
    browser_page.goto(f"/users/{case['user_id']}/")
    strip = page.locator("#summary-strip")
    # The panels load by themselves; each announces it, and the strip reads again what evadmin now holds.
    expect(strip.locator('[data-part="tickets"]')).to_contain_text(f"1 open: #{case['external_ticket_id']}")
    expect(strip.locator('[data-part="devices"]')).not_to_contain_text("not known yet")
    expect(strip.locator('[data-part="charging"]')).not_to_contain_text("not known yet")
    strip.locator('[data-part="tickets"] a').click()
    expect(page).to_have_url(re.compile(rf"/tickets/{case['ticket']}/$"))
    browser_page.assert_no_console_errors()


def test_the_timeline_loads_the_tickets_at_one_request_and_an_entry_opens_its_ticket(signed_in_page, cases):
    case = cases["ticket_offline_charger_night"]
    browser_page = signed_in_page("viewer")
    page = browser_page.page
    browser_page.goto(f"/users/{case['user_id']}/")
    timeline = page.locator("#timeline")
    # The page's own panels load first; the timeline reads again after each (charging's page joins it).
    for part in ("devices", "charging", "tickets"):
        expect(page.locator(f'#summary-strip [data-part="{part}"]')).not_to_contain_text("not known yet")
    expect(timeline.locator('tr.timeline-entry[data-kind="charging"]').first).to_be_visible()
    load = timeline.locator('[data-load="tickets"]')
    expect(load).to_have_text("Load (1 request)")
    load.click()
    entry = timeline.locator('tr.timeline-entry[data-kind="tickets"]').filter(
        has_text=f"Ticket #{case['external_ticket_id']} opened")
    expect(entry).to_have_count(1)
    expect(timeline.locator('[data-load="tickets"]')).to_have_count(0)
    # Only charging: the filter narrows the stream.
    timeline.get_by_label("Charging sub-sessions (the newest page)").check()
    timeline.get_by_role("button", name="Filter").click()
    expect(timeline.locator("tr.timeline-entry").first).to_have_attribute("data-kind", "charging")
    expect(timeline.locator('tr.timeline-entry[data-kind="tickets"]')).to_have_count(0)
    timeline.locator('tr.timeline-entry[data-kind="charging"] a').first.click()
    expect(page).to_have_url(re.compile(rf"/users/{case['user_id']}/charging/csub[0-9A-Z]+/$"))
    page.go_back()
    browser_page.goto(f"/users/{case['user_id']}/")
    page.locator("#timeline").locator('tr.timeline-entry[data-kind="tickets"]').filter(
        has_text=f"Ticket #{case['external_ticket_id']} opened").get_by_role("link").click()
    expect(page).to_have_url(re.compile(rf"/tickets/{case['ticket']}/$"))
    browser_page.assert_no_console_errors()
