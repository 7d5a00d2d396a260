"""The directory in Chromium: searching /users/ by name fragment and by postcode, and filtering
/locations/ by country, each swapping only the results."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from evadmin.driver_directory.models import DirectorySync
from evadmin.driver_directory.services import directory_store_users
from tests.driver_directory.factories import ApiUserFactory

pytestmark = pytest.mark.browser

USER_ROWS = "#users-results table.users-table > tbody > tr"
LOCATION_ROWS = "#locations-results table.locations-table > tbody > tr"


@pytest.fixture
def directory(api_settings, sandbox_api):
    """Accounts in the directory (the first /users/ page still comes from the sandbox API)."""
    sandbox_api.reset(data=True)
    directory_store_users([
        ApiUserFactory(number=1, email="ada@example.com", full_name="Ada Lovelace", postal_code="SW1A 1AA"),
        ApiUserFactory(number=2, email="grace@example.com", full_name="Grace Hopper", city="Leeds",
                       postal_code="LS6 2AB"),
        ApiUserFactory(number=3, email="jean@example.fr", full_name="Jean Dupont", address_1="8 rue de la Paix",
                       city="Paris", postal_code="75002", country_code="FR"),
        ApiUserFactory(number=4, email="hans@example.de", full_name="Hans Lovell", city="Berlin", postal_code="10115",
                       country_code="DE"),
    ])
    DirectorySync.objects.create(kind="full", status="complete", finished_at=timezone.now())


def search_users(page, text: str) -> None:
    page.get_by_role("searchbox").fill(text)
    with page.expect_response(re.compile(r"/users/\?.*q=")) as response_info:
        page.get_by_role("button", name="Search", exact=True).click()
    assert response_info.value.request.headers.get("hx-request") == "true"


def test_search_users_by_name_fragment(signed_in_page, directory):
    browser_page = signed_in_page("viewer")
    page = browser_page.page
    browser_page.goto("/users/")
    page.evaluate("window.evadminNoReload = 'still here'")

    search_users(page, "lovel")

    rows = page.locator(USER_ROWS)
    expect(rows).to_have_count(2)  # Ada Lovelace and Hans Lovell
    expect(rows.first).to_contain_text("Ada Lovelace")
    expect(rows.last).to_contain_text("Hans Lovell")
    expect(page).to_have_url(re.compile(r"/users/\?.*q=lovel"))  # hx-push-url
    expect(page.locator("#users-results")).to_contain_text("Directory as of")
    assert page.evaluate("window.evadminNoReload") == "still here"

    header = page.locator("#users-results th").get_by_role("link", name=re.compile("Full name"))
    header.click()  # sort by name; the header then offers the reverse order
    expect(page).to_have_url(re.compile(r"sort=full_name"))
    expect(rows.first).to_contain_text("Ada Lovelace")
    header.click()
    expect(page).to_have_url(re.compile(r"sort=-full_name"))
    expect(rows.first).to_contain_text("Hans Lovell")
    expect(rows).to_have_count(2)  # still only the matches


def test_search_users_by_postcode_without_its_space(signed_in_page, directory):
    browser_page = signed_in_page("viewer")
    page = browser_page.page
    browser_page.goto("/users/")

    search_users(page, "ls62ab")

    rows = page.locator(USER_ROWS)
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("grace@example.com")
    expect(rows.first).to_contain_text("LS6 2AB")


def test_filter_locations_by_country(signed_in_page, directory):
    browser_page = signed_in_page("viewer")
    page = browser_page.page
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Locations").click()
    expect(page.get_by_role("heading", name="Locations")).to_be_visible()
    rows = page.locator(LOCATION_ROWS)
    expect(rows).to_have_count(4)

    page.locator("details.search-filters summary").click()  # the filters are folded away until opened
    page.get_by_label("Country").select_option("FR")
    with page.expect_response(re.compile(r"/locations/\?.*country=FR")) as response_info:
        page.get_by_role("button", name="Filter").click()
    assert response_info.value.request.headers.get("hx-request") == "true"

    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("8 rue de la Paix")
    expect(rows.first.get_by_role("link", name="jean@example.fr")).to_have_attribute("href", re.compile(r"^/users/user"))
    expect(page).to_have_url(re.compile(r"/locations/\?.*country=FR"))
    expect(page.get_by_role("link", name="CSV")).to_have_attribute("href", re.compile(r"export\.csv\?.*country=FR"))

    page.get_by_role("link", name="Germany (DE)").click()  # the per-country counts narrow too
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Berlin")
