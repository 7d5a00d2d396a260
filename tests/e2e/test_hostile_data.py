"""A user whose name and address carry markup, in Chromium: no injected element, no script run,
the text shown as text, and the 10,000-character city wrapped inside the page's width."""

import pytest
from playwright.sync_api import expect

from evadmin.evenergy.client import build_client
from tests.drivers.test_hostile_data import LONG, hostile_users_synced_and_long

pytestmark = pytest.mark.browser

INJECTED = "img[onerror], img[src='x'], svg[onload], script:not([src])"


@pytest.fixture
def hostile(api_settings, sandbox_api, transactional_db):
    sandbox_api.reset(data=True)
    return hostile_users_synced_and_long(sandbox_api, build_client())


@pytest.mark.parametrize("path", ["/users/{id}/", "/users/{id}/edit/", "/locations/?q={id}", "/users/?q={id}"])
def test_hostile_user_renders_as_text(signed_in_page, hostile, path):
    # Pages reading the API live show the 10,000-character user; lists show the synced one.
    user_id, values = hostile[0] if "q=" in path else hostile[1]
    browser_page = signed_in_page("support")
    page = browser_page.page
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    browser_page.goto(path.format(id=user_id))

    if path.endswith("/edit/"):
        expect(page.locator("input[name=address_1]")).to_have_value(values["address_1"])
        expect(page.locator("input[name=city]")).to_have_value(LONG)
    else:
        expect(page.locator("main")).to_contain_text(values["email"] if "q=" in path else values["address_1"])
    assert page.locator(INJECTED).count() == 0
    assert dialogs == []
    if path == "/users/{id}/":
        expect(page.get_by_role("heading", level=1)).to_have_text(values["full_name"])
        expect(page.locator("main")).to_contain_text(LONG)
    # Nothing wider than the window, and no table wider than the page's main column (a scrolling
    # table wrapper would hide that from the window): the long city wraps instead.
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page is {overflow}px wider than the window"
    widest_table = page.evaluate(
        "Math.max(0, ...[...document.querySelectorAll('main table')].map(t => t.getBoundingClientRect().width))"
        " - document.querySelector('main').clientWidth")
    assert widest_table <= 0, f"a table is {widest_table}px wider than the page's main column"
