import pytest
from playwright.sync_api import expect

from tests.staff.fixtures import make_staff

pytestmark = pytest.mark.browser


def test_support_signs_in_after_a_wrong_password_sees_the_nav_and_signs_out(browser_page):
    make_staff("support", username="sam")
    page = browser_page.page

    browser_page.sign_in("sam", "not-the-password")
    expect(page.get_by_role("alert")).to_contain_text("Please enter a correct username and password")
    expect(page).to_have_url(f"{browser_page.base_url}/accounts/login/")

    page.get_by_label("Username").fill("sam")
    page.get_by_label("Password").fill("evadmin-support-demo")
    page.get_by_role("button", name="Sign in").click()

    expect(page).to_have_url(f"{browser_page.base_url}/")
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Users")).to_be_visible()
    expect(nav.get_by_role("link", name="Audit")).to_have_count(0)
    expect(nav).to_contain_text("Signed in as sam")
    expect(page.get_by_role("main")).to_contain_text("support")

    nav.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(f"{browser_page.base_url}/accounts/login/")
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
    browser_page.goto("/")
    expect(page).to_have_url(f"{browser_page.base_url}/accounts/login/?next=/")


def test_skip_link_is_the_first_stop_for_keyboard_users(signed_in_page):
    page = signed_in_page("viewer").page
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
