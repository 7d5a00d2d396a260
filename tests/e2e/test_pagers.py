"""The one pager (templates/components/pager.html) in Chromium where it gained htmx or history: the reports
list and a driver's history swap only their section, push the URL, and Back brings the first page again."""

import re

import pytest
from playwright.sync_api import expect

from evadmin.audit.services import audit_record
from evadmin.data_quality.models import AuditReport
from evadmin.data_quality.services import audit_report_advance
from evadmin.evenergy.client import build_client
from tests.staff.fixtures import make_staff

pytestmark = pytest.mark.browser


def page_older_then_back(browser_page, rows, *, url: str, query: str, first: int, second: int) -> None:
    page = browser_page.page
    expect(rows).to_have_count(first)
    page.evaluate("window.evadminNoReload = 'still here'")  # gone if the page reloads

    with page.expect_response(re.compile(re.escape(f"{url}?{query}"))) as response_info:
        page.get_by_role("button", name=re.compile("Older")).click()
    assert response_info.value.request.headers.get("hx-request") == "true"
    expect(page).to_have_url(f"{browser_page.base_url}{url}?{query}")
    expect(rows).to_have_count(second)
    assert page.evaluate("window.evadminNoReload") == "still here"

    page.go_back()
    expect(page).to_have_url(f"{browser_page.base_url}{url}")
    expect(rows).to_have_count(first)


def test_report_history_pages_with_htmx(signed_in_page):
    for _ in range(21):  # 20 a page
        audit_report_advance(report_id=AuditReport.objects.create().pk)
    browser_page = signed_in_page("auditor")
    browser_page.goto("/audit/reports/")
    rows = browser_page.page.locator("#report-history tbody tr")
    page_older_then_back(browser_page, rows, url="/audit/reports/", query="page=2", first=20, second=1)
    # htmx put the page back without running its scripts: the chart is drawn again all the same.
    browser_page.page.wait_for_function("() => window.Chart && window.Chart.getChart('audit-reports-chart')")


def test_a_drivers_history_pages_with_htmx(signed_in_page, api_settings, sandbox_api):
    sandbox_api.reset(data=True)
    user = build_client().users.list(page_size=5).items[2]
    support = make_staff("support", username="sam")
    for n in range(21):  # 20 a page
        audit_record(actor=support, action="user.update", target_user_id=user.id,
                     before={"default_location.city": f"City {n}"}, after={"default_location.city": f"City {n + 1}"})
    browser_page = signed_in_page("viewer")
    browser_page.goto(f"/users/{user.id}/")
    rows = browser_page.page.locator("#history tbody tr")
    page_older_then_back(browser_page, rows, url=f"/users/{user.id}/", query="history_page=2", first=20, second=1)
