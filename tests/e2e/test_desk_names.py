"""Names, not ids (issue 18), in Chromium at both screens: a driver's page, their history and the EVSE
site list name tariffs (with the supplier) and sites (with the operator), the audit trail names the
driver by email and the field as staff call it everywhere, ids stay on hover; a reference page lists
tariffs and sites (searchable, exported as CSV) and the upload page links it and a template with an
example row; a bulk file may name a tariff, and a name two tariffs share is a row error listing them.
"""

import csv
import io
import re

import pytest
from playwright.sync_api import expect

from evadmin.audit.services import audit_record
from evadmin.driver_directory.services import directory_store_users
from evadmin.evenergy import reference
from evadmin.evenergy.client import build_client
from tests.bulk.factories import csv_bytes
from tests.bulk.test_updates import mirror_in_directory, sandbox_user
from tests.driver_directory.factories import ApiUserFactory
from tests.e2e.test_bulk import upload_and_preview

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("screen")]  # each at both screens
# A tariff's or driver's id spelled out for a person to decode (not in a title attribute). A site's
# label ends with its id on purpose: the API gives a site no name or address to tell it apart by.
BARE_ID = re.compile(r"\b(tari|user)[0-9A-Z]{26}\b")
SHARED_NAME = "Standard Variable"  # British Gas's and EDF Energy's tariffs in the sandbox


def _named(tariff) -> str:
    return f"{tariff.name} · {tariff.supplier.name}" if tariff.supplier else tariff.name


@pytest.fixture
def sandbox_tariffs(api_settings, sandbox_api) -> dict[str, object]:
    """The sandbox's tariffs called SHARED_NAME, by supplier."""
    sandbox_api.reset(data=True)
    shared = {t.supplier.name: t for t in reference.tariff_choices() if t.name == SHARED_NAME and t.supplier}
    assert set(shared) >= {"British Gas", "EDF Energy"}, shared
    return shared


def _download(page, link) -> bytes:
    with page.expect_download() as download:
        link.click()
    return open(download.value.path(), "rb").read()


def test_a_drivers_page_history_and_site_list_name_tariffs_and_sites_with_the_ids_on_hover(
        signed_in_page, sandbox_tariffs):
    driver = next(user for user in build_client().users.list(page_size=100)
                  if user.default_location and user.default_location.country_code == "GB"
                  and user.default_location.tariff_url)
    new_tariff = sandbox_tariffs["EDF Energy"]
    browser_page = signed_in_page("support")
    page = browser_page.page
    browser_page.goto(f"/users/{driver.id}/edit/")

    # The site list: operator and size first, the id last; a site without an operator says so.
    sites = page.get_by_label("EVSE site").locator("option").all_inner_texts()
    assert sites[0] == "No EVSE site"
    assert sites[1:] and all(re.fullmatch(r".+ · \d+ chargers? · site[0-9A-Z]{26}", site) for site in sites[1:]), sites
    assert not any(site.startswith("site") for site in sites)
    site_id = page.get_by_label("EVSE site").locator("option").nth(1).get_attribute("value")
    site_label = sites[1]
    page.locator("#id_tariff").select_option(new_tariff.id)
    page.get_by_label("EVSE site").select_option(site_id)
    page.get_by_label("Reason or ticket").fill("Moved to EDF")
    page.get_by_role("button", name="Save changes").click()
    expect(page).to_have_url(re.compile(rf"/users/{driver.id}/$"))

    fields = page.locator("dl.fields")
    tariff = fields.locator("dt:text-is('Tariff') + dd span[title]")
    expect(tariff).to_have_text(f"{SHARED_NAME} · EDF Energy")
    expect(tariff).to_have_attribute("title", new_tariff.id)
    site = fields.locator("dt:text-is('EVSE site') + dd span[title]")
    expect(site).to_have_text(site_label)
    expect(site).to_have_attribute("title", site_id)

    history = page.locator("#history table.history-table tbody tr").first
    expect(history).to_contain_text("Tariff")
    expect(history.locator("ins span[title]").first).to_have_text(f"{SHARED_NAME} · EDF Energy")
    expect(history.locator(f"ins span[title='{new_tariff.id}']")).to_have_count(1)
    expect(history.locator(f"ins span[title='{site_id}']")).to_have_text(site_label)
    assert not BARE_ID.search(history.inner_text()), history.inner_text()


def test_the_audit_trail_names_the_driver_the_tariff_and_the_field(signed_in_page, sandbox_tariffs):
    british_gas, edf = sandbox_tariffs["British Gas"], sandbox_tariffs["EDF Energy"]
    [driver] = [ApiUserFactory(number=61, email="amara.okafor@example.co.uk", city="Leeds", postal_code="LS1 1AA",
                               country_code="GB")]
    directory_store_users([driver])
    audit_record(actor=None, action="user.update", target_user_id=driver.id, reason="Changed supplier",
                 before={"default_location": {"tariff": british_gas.id, "address_1": "1 High Street"}},
                 after={"default_location": {"tariff": edf.id, "address_1": "2 High Street"}})
    browser_page = signed_in_page("auditor")
    page = browser_page.page
    browser_page.goto("/audit/")
    row = page.locator("#audit-results tbody tr", has_text="Changed supplier")
    target = row.get_by_role("link", name="amara.okafor@example.co.uk")
    expect(target).to_have_attribute("title", driver.id)
    changes = row.locator("td.changes")
    assert sorted(changes.locator("dt").all_inner_texts()) == ["Address line 1", "Tariff"]  # as staff call them
    expect(changes.locator("dt", has_text="Address line 1")).to_have_attribute("title", "default_location.address_1")
    expect(changes.locator(f"del span[title='{british_gas.id}']")).to_have_text(f"{SHARED_NAME} · British Gas")
    expect(changes.locator(f"ins span[title='{edf.id}']")).to_have_text(f"{SHARED_NAME} · EDF Energy")
    assert not BARE_ID.search(row.inner_text()), row.inner_text()


def test_the_reference_page_lists_tariffs_and_sites_searchable_and_exported_from_the_upload_page(
        signed_in_page, sandbox_tariffs):
    browser_page = signed_in_page("bulk_operator")
    page = browser_page.page
    browser_page.goto("/bulk/")

    # The template: its header row and an example row to replace.
    template = list(csv.DictReader(io.StringIO(
        _download(page, page.get_by_role("link", name="Download the CSV template")).decode("utf-8-sig"))))
    assert len(template) == 1 and template[0]["email"] and template[0]["city"], template

    page.get_by_role("link", name="tariffs and EVSE sites page").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tariffs and EVSE sites")
    tariffs, sites = page.locator("#tariffs tbody tr"), page.locator("#sites tbody tr")
    expect(tariffs.first).to_be_visible()
    assert tariffs.count() == len(reference.tariff_choices())
    assert sites.count() == len(reference.evse_site_choices()) > 0

    page.get_by_role("searchbox").fill(SHARED_NAME.lower())
    page.get_by_role("button", name="Search").click()
    expect(tariffs).to_have_count(len(sandbox_tariffs))
    for supplier, tariff in sandbox_tariffs.items():
        row = tariffs.filter(has_text=supplier)
        expect(row.locator("td").first).to_have_text(SHARED_NAME)
        expect(row.locator("code")).to_have_text(tariff.id)

    exported = list(csv.DictReader(io.StringIO(_download(
        page, page.locator("section[aria-labelledby=tariffs-heading]").get_by_role("link", name="Export as CSV"))
        .decode("utf-8-sig"))))
    # What the search found, with the id and the name as a bulk file may give it.
    assert {(row["id"], row["as_a_bulk_file_names_it"]) for row in exported} == {
        (tariff.id, _named(tariff)) for tariff in sandbox_tariffs.values()}


def test_a_bulk_file_names_a_tariff_and_a_name_two_tariffs_share_is_a_row_error_listing_them(
        signed_in_page, sandbox_tariffs, sandbox_api, tmp_path):
    british_gas, edf = sandbox_tariffs["British Gas"], sandbox_tariffs["EDF Energy"]
    drivers = [sandbox_user(sandbox_api, f"named.tariff{n}@example.com", address_1="1 High Street", city="Leeds",
                            postal_code="LS1 1AA", country_code="GB") for n in range(2)]
    mirror_in_directory(*drivers)
    path = tmp_path / "named-tariffs.csv"
    path.write_bytes(csv_bytes([{"user_id": drivers[0]["id"], "tariff": SHARED_NAME, "address_1": "2 High Street"},
                                {"user_id": drivers[1]["id"], "tariff": f"{SHARED_NAME} · EDF Energy",
                                 "address_1": "3 High Street"}],
                               header=("user_id", "tariff", "address_1")))
    browser_page = signed_in_page("bulk_operator")
    upload_and_preview(browser_page, path)
    page = browser_page.page

    expect(page.locator("#count-valid")).to_have_text("1")
    ambiguous = page.locator("#row-2")
    expect(ambiguous).to_contain_text(
        f"tariff: 2 tariffs are named “{SHARED_NAME}”: ")
    expect(ambiguous).to_contain_text(f"{SHARED_NAME} · British Gas ({british_gas.id})")
    expect(ambiguous).to_contain_text(f"{SHARED_NAME} · EDF Energy ({edf.id})")
    expect(ambiguous).to_contain_text("Give the supplier too (Name · Supplier) or the id")

    named = page.locator("#row-3 td.bulk-changes")
    expect(named).to_contain_text("Address line 1: 1 High Street → 3 High Street")
    expect(named).to_contain_text(f"→ {SHARED_NAME} · EDF Energy")
    expect(named.locator(f"span[title='{edf.id}']")).to_have_text(f"{SHARED_NAME} · EDF Energy")
    assert not BARE_ID.search(named.inner_text()), named.inner_text()
