import re

import pytest
from playwright.sync_api import expect

from evadmin.audit.services import audit_record
from tests.staff.fixtures import make_staff

pytestmark = pytest.mark.browser


def _rows_with_action(page, action: str):
    code = page.locator("td > code", has_text=re.compile(rf"^{re.escape(action)}$"))
    return page.locator("#audit-results table.audit-table > tbody > tr", has=code)


def test_auditor_sees_sign_in_events_in_the_trail(browser_page, signed_in_page):
    make_staff("support", username="sam")
    browser_page.sign_in("sam", "wrong-password")
    browser_page.sign_in("sam", "evadmin-support-demo")
    browser_page.page.get_by_role("button", name="Sign out").click()

    page = signed_in_page("auditor").page
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Audit").click()

    expect(page.get_by_role("heading", name="Audit trail")).to_be_visible()
    failed = _rows_with_action(page, "auth.sign_in_failed")
    expect(failed).to_have_count(1)
    expect(failed).to_contain_text("sam")
    expect(_rows_with_action(page, "auth.sign_out")).to_have_count(1)
    signed_in = _rows_with_action(page, "auth.sign_in")
    expect(signed_in).to_have_count(2)  # sam's, then the auditor's own
    expect(signed_in.first).to_contain_text("auditor-member")
    expect(signed_in.last).to_contain_text("sam")


def test_filtering_the_trail_swaps_only_the_results(signed_in_page):
    browser_page = signed_in_page("auditor")
    page = browser_page.page
    audit_record(actor=None, action="user.update", target_user_id="u-42", after={"name": "Ada"})
    browser_page.goto("/audit/")
    expect(page.locator("#audit-results table.audit-table > tbody > tr")).to_have_count(2)  # the sign-in and u-42

    page.get_by_label("Driver", exact=True).fill("u-42")
    with page.expect_response(re.compile(r"/audit/\?")) as response_info:
        page.get_by_role("button", name="Filter").click()
    assert response_info.value.request.headers.get("hx-request") == "true"

    rows = page.locator("#audit-results table.audit-table > tbody > tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Ada")
    expect(page.get_by_role("link", name="u-42")).to_have_attribute("href", "/users/u-42/")
    expect(page).to_have_url(re.compile(r"/audit/\?.*target_user_id=u-42"))  # hx-push-url


def test_losing_access_mid_session_shows_the_403_fragment_in_flash(signed_in_page):
    browser_page = signed_in_page("auditor")
    page = browser_page.page
    browser_page.goto("/audit/")
    expect(page.get_by_role("heading", name="Audit trail")).to_be_visible()

    from django.contrib.auth import get_user_model

    get_user_model().objects.get(username="auditor-member").groups.clear()  # an admin takes the role away
    page.get_by_role("button", name="Filter").click()

    flash = page.locator("#flash")
    expect(flash).to_contain_text("You don’t have access to this")
    expect(flash).to_contain_text("accounts.view_audit")
    expect(page.get_by_role("heading", name="Audit trail")).to_be_visible()  # the page itself stays
    browser_page.forgive_console_errors("status of 403")
