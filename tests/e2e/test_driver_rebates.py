"""The rebate case in Chromium: an agent opens the driver whose application is stuck in evidence review,
opens the Rebates panel (it loads only then) and reads the situation and what is missing; opens the
Subscription and payout method panels; the summary strip then knows the rebates."""

import pytest
from playwright.sync_api import expect

from evadmin.rebates.summary import rebates_summary

pytestmark = pytest.mark.browser


@pytest.fixture
def case(api_settings, sandbox_api) -> dict:
    sandbox_api.reset(data=True)
    return sandbox_api.seed_cases()["rebate_stuck_in_evidence_review"]


def test_an_agent_finds_the_rebate_stuck_in_evidence_review(signed_in_page, sandbox_api, case):
    browser_page = signed_in_page("viewer")
    page = browser_page.page
    browser_page.goto(f"/users/{case['user_id']}/")
    section = page.locator("#rebates")
    expect(section.get_by_text("(1 request)").first).to_be_visible()
    assert not [entry for entry in sandbox_api.api_requests() if "rebate" in entry["path"]]  # not before opening

    section.locator("summary").click()
    panel = page.locator("#driver-rebates")
    expect(panel).to_contain_text("Vehicle Enrollment")
    expect(panel).to_contain_text("submitted: in evidence review")
    expect(panel).to_contain_text("Before it can be submitted: upload: Charger photo.")
    # A file name carrying a right-to-left override keeps it to itself: the words after it read as written.
    hostile = panel.locator(".evidence-files .truncate").filter(has_text="invoice")
    expect(hostile.first).to_have_css("unicode-bidi", "isolate")
    assert len([entry for entry in sandbox_api.api_requests() if "rebate" in entry["path"]]) == 1

    subscription = page.locator("#subscription")
    subscription.locator("details").nth(0).locator("summary").click()
    expect(page.locator("#driver-subscription")).to_contain_text(case["subscription_offering"])
    subscription.locator("details").nth(1).locator("summary").click()
    payout = page.locator("#driver-payout")
    expect(payout).to_contain_text(f"•••• {case['payout_last4']}")
    expect(payout).not_to_contain_text(case["payout_account_number"])

    # The strip's part is known now, without a request of its own, and the strip has read it again.
    assert rebates_summary(case["user_id"]).text.startswith("1 in evidence review")
    expect(page.locator('#summary-strip [data-part="rebates"]')).to_contain_text("1 in evidence review")
    expect(page.locator('#summary-strip [data-part="subscription"]')).to_contain_text(case["subscription_offering"])
