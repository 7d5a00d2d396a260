"""The user pages in Chromium against the live server and the sandbox API: finding, paging,
creating (with the on-blur address check), editing with a reason, escaping, and what each role sees."""

import re
from urllib.parse import quote

import pytest
from playwright.sync_api import expect

from evadmin.evenergy.client import build_client
from tests.staff.fixtures import make_staff

pytestmark = pytest.mark.browser

ROWS = "#users-results table.users-table > tbody > tr"


@pytest.fixture
def direct_api(api_settings, sandbox_api):
    """evadmin pointed at the sandbox (re-seeded), and a client of our own to set things up."""
    sandbox_api.reset(data=True)
    return build_client()


@pytest.fixture
def user_with_address(direct_api):
    return next(u for u in direct_api.users.list(page_size=100) if u.default_location and u.default_location.has_address)


def _field(page, name: str):
    return page.locator(f"#field-{name}")


def test_find_a_user_by_exact_email(signed_in_page, direct_api):
    # Far enough down the list that it is not on the first page anyway.
    target = direct_api.users.list(page_size=60).items[57]
    expected = direct_api.users.find_by_email(target.email)  # the seed has a few same-email-other-case pairs
    browser_page = signed_in_page("viewer")
    page = browser_page.page
    browser_page.goto("/users/")

    # The one search box: a whole email goes to the API's exact lookup.
    page.get_by_role("searchbox").fill(target.email.upper())
    page.get_by_role("button", name="Search", exact=True).click()

    expect(page).to_have_url(re.compile(r"/users/\?.*q="))  # hx-push-url
    expect(page.locator(ROWS)).to_have_count(len(expected))
    expect(page.locator("#users-results")).to_contain_text(f"with the email {target.email.upper()}")
    page.get_by_role("link", name=target.email, exact=True).click()
    expect(page).to_have_url(f"{browser_page.base_url}/users/{target.id}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(target.full_name or target.email)


def test_page_through_users_without_a_full_reload(signed_in_page, direct_api):
    first = direct_api.users.list(page_size=25)
    second = direct_api.users.list(page_size=25, page_after=first.next_cursor)
    browser_page = signed_in_page("viewer")
    page = browser_page.page
    browser_page.goto("/users/?source=api")  # the API's own list (/users/ is the directory's search)
    rows = page.locator(ROWS)
    expect(rows).to_have_count(25)
    expect(rows.first).to_contain_text(first.items[0].email)
    page.evaluate("window.evadminNoReload = 'still here'")  # gone if the page reloads

    with page.expect_response(re.compile(r"/users/\?after=")) as response_info:
        page.get_by_role("button", name="Next 25 →").click()
    assert response_info.value.request.headers.get("hx-request") == "true"
    expect(page).to_have_url(re.compile(r"/users/\?after=[^&]+&page_size=25"))
    expect(rows.first).to_contain_text(second.items[0].email)
    expect(rows).to_have_count(25)

    page.get_by_role("button", name="← Previous 25").click()
    expect(page).to_have_url(re.compile(r"/users/\?before=[^&]+&page_size=25"))
    expect(rows.first).to_contain_text(first.items[0].email)
    assert page.evaluate("window.evadminNoReload") == "still here"


def test_create_a_user_with_a_bad_then_a_good_address(signed_in_page, direct_api):
    browser_page = signed_in_page("support")
    page = browser_page.page
    browser_page.goto("/users/")
    page.get_by_role("button", name="New user").click()
    expect(page.get_by_role("heading", name="New user")).to_be_visible()

    page.get_by_label("Email").fill("e2e.new.driver@example.com")
    page.get_by_label("City").fill("Leeds")
    # On blur: leaving address line 1 empty checks it against the city typed, before any submit.
    page.get_by_label("Address line 1").focus()
    with page.expect_response(re.compile(r"/users/form/fields/address_1/")):
        page.keyboard.press("Tab")
    expect(_field(page, "address_1")).to_contain_text("Required when any part of the address")
    expect(page.get_by_label("Address line 1")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#form-errors")).to_have_count(0)  # checked in place: nothing was submitted

    page.get_by_role("button", name="Create user").click()
    expect(page.get_by_role("alert").filter(has_text="Nothing was saved")).to_be_visible()
    for name in ("address_1", "postal_code", "country_code"):
        expect(_field(page, name)).to_contain_text("Required when any part of the address")
    for name in ("email", "city"):
        expect(_field(page, name).locator(".errorlist")).to_have_count(0)
    expect(page.get_by_label("City")).to_have_value("Leeds")  # nothing typed is lost
    browser_page.forgive_console_errors("status of 422")

    page.get_by_label("Address line 1").fill("1 Briggate")
    page.get_by_label("Postcode").fill("LS1 6HD")
    page.get_by_label("Country").select_option("GB")
    page.get_by_label("Reason or ticket").fill("TICKET-7")
    page.get_by_role("button", name="Create user").click()

    expect(page).to_have_url(re.compile(r"/users/user[^/]+/$"))
    expect(page.get_by_role("status")).to_contain_text("Created e2e.new.driver@example.com.")
    expect(page.get_by_role("heading", level=1)).to_have_text("e2e.new.driver@example.com")
    expect(page.locator("address")).to_contain_text("1 Briggate")
    user_id = page.url.rstrip("/").rsplit("/", 1)[-1]
    assert direct_api.users.get(user_id).default_location.city == "Leeds"


def test_edit_a_location_shows_in_history_and_audit_trail(browser_page, direct_api, user_with_address):
    old_city = user_with_address.default_location.city
    make_staff("support", username="sam")
    make_staff("auditor", username="ada")
    page = browser_page.page
    browser_page.sign_in("sam", "evadmin-support-demo", next_path=f"/users/{user_with_address.id}/")

    expect(page.locator("#history")).to_contain_text("No changes made through evadmin yet.")
    page.get_by_role("button", name="Edit email and location").click()
    expect(page.get_by_label("City")).to_have_value(old_city)
    page.get_by_label("City").fill("Aberystwyth")
    page.get_by_label("Reason or ticket").fill("TICKET-99 moved house")
    page.get_by_role("button", name="Save changes").click()

    expect(page).to_have_url(f"{browser_page.base_url}/users/{user_with_address.id}/")
    expect(page.get_by_role("status")).to_contain_text(f"Saved changes to {user_with_address.email}.")
    expect(page.locator("address")).to_contain_text("Aberystwyth")
    history = page.locator("#history tbody tr")
    expect(history).to_have_count(1)
    expect(history).to_contain_text("user.update")
    expect(history).to_contain_text("sam")
    expect(history).to_contain_text(old_city)
    expect(history).to_contain_text("Aberystwyth")
    expect(history).to_contain_text("TICKET-99 moved house")

    page.get_by_role("button", name="Sign out").click()
    browser_page.sign_in("ada", "evadmin-auditor-demo", next_path="/audit/")
    expect(page.get_by_role("heading", name="Audit trail")).to_be_visible()
    code = page.locator("td > code", has_text=re.compile(r"^user\.update$"))
    event = page.locator("#audit-results table.audit-table > tbody > tr", has=code)
    expect(event).to_have_count(1)
    expect(event).to_contain_text("sam")
    # The driver by email (evadmin's directory knows them since the edit), the id on hover.
    expect(event.get_by_role("link", name=user_with_address.email)).to_have_attribute("title", user_with_address.id)
    expect(event.locator("del")).to_contain_text(old_city)
    expect(event.locator("ins")).to_contain_text("Aberystwyth")
    expect(event).to_contain_text("Reason: TICKET-99 moved house")


def test_script_in_an_address_renders_as_text(signed_in_page, direct_api, user_with_address):
    hostile = "<script>alert(1)</script>"
    direct_api.users.update(user_with_address.id, changes={"default_location": {"address_1": hostile, "city": hostile}})
    browser_page = signed_in_page("viewer")
    page = browser_page.page
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))

    browser_page.goto(f"/users/{user_with_address.id}/")
    expect(page.locator("address")).to_contain_text(hostile)
    browser_page.goto(f"/users/?email={quote(user_with_address.email)}")
    expect(page.locator(ROWS).first).to_contain_text(hostile)
    assert page.locator("main script").count() == 0
    assert dialogs == []


def test_viewer_sees_no_new_or_edit_buttons(signed_in_page, user_with_address):
    browser_page = signed_in_page("viewer")
    page = browser_page.page
    browser_page.goto("/users/?source=api")
    expect(page.locator(ROWS)).to_have_count(25)
    expect(page.get_by_role("button", name="New user")).to_have_count(0)

    browser_page.goto(f"/users/{user_with_address.id}/")
    expect(page.get_by_role("heading", name="Location")).to_be_visible()
    expect(page.get_by_role("button", name="Edit email and location")).to_have_count(0)
    expect(page.get_by_text("Clear the address")).to_have_count(0)
