"""Browser tests: Debian's Chromium driven by Playwright against pytest-django's live_server.

`browser_page` is a fresh page (own cookies) that fails the test if the browser logs a
console error or an uncaught exception. `signed_in_page("auditor")` is the same, signed in
through the real sign-in form as a new member of that role.
"""

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect, sync_playwright

from tests.conftest import require_service
from tests.staff.fixtures import make_staff

# Playwright's sync API runs an asyncio loop in this thread, which trips Django's
# "async-unsafe" guard on ORM calls made by the test itself.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Generous for a 2-core CI machine, still short enough that a hang fails fast.
TIMEOUT_MS = 15_000


@pytest.fixture(scope="session")
def chromium():
    if not CHROMIUM.exists():
        require_service(f"{CHROMIUM} is missing (apt-get install chromium)")
    expect.set_options(timeout=TIMEOUT_MS)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class BrowserPage:
    """A Playwright page plus the base URL and the console errors it has collected."""

    def __init__(self, page, base_url: str):
        self.page = page
        self.base_url = base_url
        self.console_errors: list[str] = []
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.console_errors.append(f"uncaught: {error}"))

    def _on_console(self, message) -> None:
        if message.type == "error":
            self.console_errors.append(f"console: {message.text} ({message.location.get('url', '')})")

    def goto(self, path: str):
        return self.page.goto(self.base_url + path)

    def sign_in(self, username: str, password: str, next_path: str = "/") -> None:
        self.goto(f"/accounts/login/?next={next_path}")
        self.page.get_by_label("Username").fill(username)
        self.page.get_by_label("Password").fill(password)
        self.page.get_by_role("button", name="Sign in").click()
        self.page.wait_for_load_state()

    def forgive_console_errors(self, text: str) -> None:
        """Drop errors the test provoked on purpose (Chromium logs every 4xx fetch)."""
        self.console_errors = [error for error in self.console_errors if text not in error]

    def settle(self, timeout_ms: int = 5_000) -> None:
        """Wait (at most `timeout_ms`) until the page has had no request in flight for 500 ms."""
        try:
            self.page.wait_for_load_state("networkidle", timeout=timeout_ms)
        except PlaywrightError:  # a page still busy, or closed by the test: its teardown says the rest
            pass

    def assert_no_console_errors(self) -> None:
        if self.console_errors:
            pytest.fail("browser console errors:\n" + "\n".join(self.console_errors))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    """After the test's own steps and before any fixture is torn down, let the page's lazy requests land:
    a panel still loading (hx-trigger="load") would otherwise reach the server after the test's API
    settings were undone, and fail there."""
    yield
    browser_page = item.funcargs.get("browser_page")
    if isinstance(browser_page, BrowserPage):
        browser_page.settle()


@pytest.fixture
def browser_page(chromium, live_server):
    context = chromium.new_context(viewport={"width": 1280, "height": 800})
    context.set_default_timeout(TIMEOUT_MS)
    wrapper = BrowserPage(context.new_page(), live_server.url)
    yield wrapper
    context.close()
    wrapper.assert_no_console_errors()


@pytest.fixture
def signed_in_page(browser_page) -> Callable[[str], BrowserPage]:
    """signed_in_page("auditor") -> browser_page, signed in as a new member of that role."""

    def sign_in(role: str) -> BrowserPage:
        user = make_staff(role)
        browser_page.sign_in(user.get_username(), f"evadmin-{role}-demo")
        return browser_page

    return sign_in


# Issue 18's two screens: a laptop and a desktop monitor.
SCREENS = {"1280x800": {"width": 1280, "height": 800}, "1920x1080": {"width": 1920, "height": 1080}}


@pytest.fixture(params=list(SCREENS.values()), ids=list(SCREENS))
def screen(request, browser_page) -> dict:
    """The test runs once at each of SCREENS (a module asks with usefixtures("screen")); the size."""
    browser_page.page.set_viewport_size(request.param)
    return request.param
