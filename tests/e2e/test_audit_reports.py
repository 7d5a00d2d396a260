"""Account audit reports in Chromium: run a report on the real worker, filter its findings, open one,
and see the chart drawn on the reports page."""

import re

import pytest
from playwright.sync_api import expect

from tests.data_quality.conftest import planted_defects
from tests.driver_directory.factories import directory_full_sync

pytestmark = [pytest.mark.browser, pytest.mark.worker]

FINDINGS = "#findings table.findings-table > tbody > tr"


@pytest.fixture
def synced_directory(api_settings, sandbox_api, transactional_db):
    """The sandbox as first seeded, synced into the (live server's) directory; returns the planted defects."""
    sandbox_api.reset(data=True)
    directory_full_sync()
    return planted_defects(sandbox_api)


def test_run_a_report_and_open_a_finding(signed_in_page, synced_directory, celery_worker_process):
    browser_page = signed_in_page("auditor")
    page = browser_page.page
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Reports").click()
    expect(page.get_by_role("heading", name="Account audit reports")).to_be_visible()
    expect(page.get_by_text("No reports yet.")).to_be_visible()

    page.get_by_role("button", name="Run report").click()

    expect(page).to_have_url(re.compile(r"/audit/reports/\d+/$"))
    # The page polls while the worker runs the report, then reloads with the findings.
    expect(page.locator("#report-progress")).to_contain_text("Complete", timeout=60_000)
    expect(page.locator("#report-progress")).to_contain_text("250")  # accounts checked

    page.get_by_label("Rule", exact=True).select_option(label="No terms consent")
    page.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(re.compile(r"rule=no_terms_consent"))  # hx-push-url
    no_consent = sorted(synced_directory["no_terms_consent"])
    rows = page.locator(FINDINGS)
    expect(rows).to_have_count(len(no_consent))
    expect(rows.first).to_contain_text("Terms of service not accepted")

    rows.first.get_by_role("link", name=no_consent[0]).click()

    expect(page).to_have_url(f"{browser_page.base_url}/users/{no_consent[0]}/")
    expect(page.get_by_text(no_consent[0], exact=True)).to_be_visible()  # the live account page, from the API
    expect(page.get_by_text("Not given")).to_be_visible()  # its terms consent: the finding, confirmed

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Reports").click()
    expect(page.locator("#report-history tbody tr")).to_have_count(1)
    expect(page.locator("#report-history tbody tr")).to_contain_text("Complete")
    page.wait_for_function("() => window.Chart && window.Chart.getChart('audit-reports-chart')")
    assert page.evaluate("() => window.Chart.getChart('audit-reports-chart').data.datasets.length") == 8
