"""The ticket desk in Chromium, as a support agent works the seeded open ticket about the offline-charger
night: find it in the queue with the filters, read it, follow its playbook to the evidence, recategorise
it with a reason and find that on record; open a ticket by its Freshdesk number; read the statistics."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


@pytest.fixture
def cases(api_settings, sandbox_api) -> dict:
    sandbox_api.reset(data=True)
    return sandbox_api.seed_cases()


def test_an_agent_works_the_offline_night_ticket_from_the_queue_to_the_record(signed_in_page, cases):
    case = cases["ticket_offline_charger_night"]
    night = cases["charger_offline_no_charge"]
    browser_page = signed_in_page("admin")  # recategorises, and reads the audit trail
    page = browser_page.page
    browser_page.goto("/tickets/")

    # Filter the queue: open, AI category Charging Session, no human category yet.
    page.locator("details.ticket-filters summary").click()
    page.get_by_label("Status").select_option("Open")
    page.get_by_label("Category as set by").select_option("ai")
    page.get_by_label(re.compile(r"^Category:?$")).select_option("CHARGING_SESSION")
    page.get_by_label("Human category").select_option("missing")
    page.get_by_role("button", name="Filter").click()
    row = page.locator(f"#ticket-{case['ticket']}")
    expect(row).to_be_visible()
    expect(page).to_have_url(re.compile(r"human_category=missing"))
    for other in page.locator("#ticket-results tbody tr").all():
        expect(other).to_contain_text("Open")

    # Open it and read the conversation, in order.
    row.get_by_role("link", name=f"#{case['external_ticket_id']}").click()
    expect(page).to_have_url(re.compile(rf"/tickets/{case['ticket']}/$"))
    messages = page.locator("article.ticket-message")
    expect(messages.first).to_contain_text("Driver's request")
    assert messages.count() >= 3
    expect(page.locator("#human-category")).to_contain_text("Not set yet")
    expect(page.locator("#charging table.charging-sessions")).to_be_visible()  # the panel for its category

    # Its playbook leads to the night's evidence: the charger was offline.
    page.locator("#playbook").locator('a[href*="/charging/nights/"]').first.click()
    expect(page).to_have_url(re.compile(rf"/users/{night['user_id']}/charging/nights/\d{{4}}-\d{{2}}-\d{{2}}/"))
    expect(page.locator('#verdicts .verdict[data-rule="charger_offline"]')).to_contain_text("The charger was offline")
    page.go_back()

    # Recategorise it with a reason.
    page.get_by_role("button", name="Recategorise").click()
    page.get_by_label("Human category").select_option("CHARGER")
    page.get_by_label("Human subcategory").select_option("OFFLINE")
    page.get_by_label("Reason").fill("Charger offline all night: heartbeats stopped")
    page.get_by_role("button", name="Save the category").click()
    expect(page.locator("#human-category")).to_contain_text("Charger › Offline")
    history = page.locator("#history")
    expect(history).to_contain_text("ticket.recategorise")
    expect(history).to_contain_text("Charger offline all night: heartbeats stopped")

    # …and in the audit trail, found by the ticket.
    history.get_by_role("link", name="In the audit trail").click()
    trail = page.locator("#audit-results")
    expect(trail).to_contain_text("ticket.recategorise")
    expect(trail).to_contain_text("Charger offline all night: heartbeats stopped")
    expect(trail.locator(f'a[href="/tickets/{case["ticket"]}/"]')).to_be_visible()


def test_a_ticket_opens_by_its_freshdesk_number(signed_in_page, cases):
    case = cases["ticket_without_driver"]
    browser_page = signed_in_page("viewer")
    page = browser_page.page
    browser_page.goto("/tickets/")
    page.get_by_label("Freshdesk ticket number").fill(case["external_ticket_id"])
    page.get_by_role("button", name="Open ticket").click()
    expect(page).to_have_url(re.compile(rf"/tickets/{case['ticket']}/$"))
    expect(page.locator("main")).to_contain_text("This ticket has no driver")


def test_the_stats_page_draws_every_chart_from_the_sandboxs_data(signed_in_page, cases):
    browser_page = signed_in_page("viewer")
    page = browser_page.page
    browser_page.goto("/tickets/stats/")
    charts = page.locator("canvas[id^='ticket-chart-']")
    expect(charts).to_have_count(7)
    expect(page.locator("canvas[data-drawn='true']")).to_have_count(7)
    for name in ("volume", "status", "priority", "source", "top_categories", "category_flow", "resolution"):
        box = page.locator(f"#ticket-chart-{name}").bounding_box()
        assert box and box["height"] > 50, name
