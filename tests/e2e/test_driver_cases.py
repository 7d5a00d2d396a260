"""Issue 17's promise, case by case, in Chromium: an agent opens the seeded driver of each support case,
finds the situation in the summary strip (once the panels that read it have loaded: the strip itself
costs nothing), and follows the timeline to the detail that explains it."""

import re
from dataclasses import dataclass

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


@dataclass(frozen=True)
class Case:
    name: str
    opens: str | None  # the panel the agent opens (a <details> summary), None: the page loads it by itself
    part: str  # the strip's part (data-part)
    says: str  # a regular expression of what the part says
    kind: str  # the timeline's kind that leads to the detail
    entry: str  # a regular expression of that entry's text
    detail: str  # a regular expression of the detail page's path ({user_id} and the case's truth filled in)
    detail_says: str  # text on the detail page


CASES = [
    Case("charger_offline_no_charge", None, "charging", r"no session (last night|on the night of)", "charging",
         r"No charging session on the night of", r"/users/{user_id}/charging/nights/[0-9-]+/",
         "Network connection lost"),
    Case("ticket_offline_charger_night", None, "tickets", r"1 open: #{external_ticket_id}", "tickets",
         r"Ticket #{external_ticket_id} opened", r"/tickets/{ticket}/", "{external_ticket_id}"),
    Case("rebate_stuck_in_evidence_review", "#rebates details summary", "rebates", r"1 in evidence review",
         "rebates", r"Rebate application started: Vehicle Enrollment", r"/users/{user_id}/rebates/",
         "submitted: in evidence review"),
]


@pytest.fixture
def cases(api_settings, sandbox_api) -> dict:
    sandbox_api.reset(data=True)
    return sandbox_api.seed_cases()


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_the_strip_shows_the_case_and_the_timeline_leads_to_its_detail(signed_in_page, cases, case):
    truth = cases[case.name]

    def filled(pattern: str) -> str:
        return pattern.format(**{key: re.escape(str(value)) for key, value in truth.items()})

    browser_page = signed_in_page("viewer")
    page = browser_page.page
    browser_page.goto(f"/users/{truth['user_id']}/")
    for part in ("devices", "charging", "tickets"):  # the page's own panels load by themselves
        expect(page.locator(f'#summary-strip [data-part="{part}"]')).not_to_contain_text("not known yet")
    if case.opens:
        page.locator(case.opens).first.click()
    expect(page.locator(f'#summary-strip [data-part="{case.part}"]')).to_contain_text(re.compile(filled(case.says)))

    timeline = page.locator("#timeline")
    expect(timeline.locator("form")).to_be_visible()
    load = timeline.locator(f'[data-load="{case.kind}"]')
    if load.count():  # not held yet: loaded at its stated cost
        load.click()
    entry = timeline.locator(f'tr.timeline-entry[data-kind="{case.kind}"]').filter(
        has_text=re.compile(filled(case.entry))).first
    entry.get_by_role("link").click()
    expect(page).to_have_url(re.compile(filled(case.detail)))
    expect(page.locator("main")).to_contain_text(case.detail_says.format(**truth))
    browser_page.assert_no_console_errors()
