"""A large /locations/ export in Chromium: a staff member starts it from the page, watches its progress page
(polled by htmx) until the download link appears, and downloads the file, written by a real Celery worker."""

import csv
import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from evadmin.driver_directory.models import LocationExport
from evadmin.driver_directory.services import directory_store_users
from tests.driver_directory.export_workers import export_worker  # noqa: F401 - a fixture, asked for by name below
from tests.driver_directory.factories import ApiUserFactory

pytestmark = [pytest.mark.browser, pytest.mark.worker]


def test_a_large_export_is_prepared_in_the_background_and_downloaded(request, transactional_db, signed_in_page, settings):
    request.getfixturevalue("export_worker")
    settings.EVADMIN_EXPORT_INLINE_ROWS = 10  # 40 accounts make this a large export
    directory_store_users([ApiUserFactory(number=n, full_name="@SUM(1+1)" if n == 7 else f"Driver {n}")
                           for n in range(1, 41)])
    browser_page = signed_in_page("viewer")
    page = browser_page.page
    browser_page.goto("/locations/")

    expect(page.get_by_text("Large export: prepared in the background")).to_be_visible()
    expect(page.get_by_role("link", name="CSV", exact=True)).to_have_count(0)
    page.get_by_role("button", name="Prepare CSV").click()

    expect(page).to_have_url(re.compile(r"/locations/exports/\d+/$"))
    export = LocationExport.objects.get()
    assert export.requested_by.get_username() == "viewer-member"
    download_link = page.get_by_role("button", name=re.compile(r"^Download evadmin-locations-"))
    expect(download_link).to_be_visible(timeout=60_000)  # the worker wrote it; the progress partial swapped it in
    expect(page.locator("#export-status")).to_have_text("Finished")
    expect(page.locator("#export-percent")).to_have_text("100%")

    with page.expect_download() as download_info:
        download_link.click()
    download = download_info.value
    assert download.suggested_filename == LocationExport.objects.get().filename
    text = Path(download.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert len(rows) == 41 and rows[0][0] == "User id"
    assert "'@SUM(1+1)" in [row[2] for row in rows]
