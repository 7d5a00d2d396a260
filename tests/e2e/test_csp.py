"""Every page of evadmin in Chromium under its Content-Security-Policy, as each role that may see it,
recording every CSP violation (a `securitypolicyviolation` listener plus the console): there must be none.

Every URL pattern of the project is declared below as a page (visited), an htmx fragment or a file
(fetched, policy header checked) or a write (answering a form on a page); a new URL that is none of
these fails the test. Django admin's pages are found from its index, as an admin sees them.
"""

import io
import re
from dataclasses import dataclass, field

import pytest
from django.urls import resolve
from playwright.sync_api import expect

from evadmin.bulk.upload.drafts import bulk_job_create_from_upload
from evadmin.data_quality.models import AuditReport
from evadmin.data_quality.services import audit_report_run_rules
from evadmin.driver_directory.export_jobs import location_export_request, location_export_run
from evadmin.driver_directory.search import DirectoryFilters
from evadmin.staff.permissions import PUBLIC, SIGNED_IN
from evadmin.staff.roles import ROLES, roles_with_permission
from tests.bulk.conftest import offline_checker
from tests.bulk.factories import address, csv_bytes
from tests.driver_directory.factories import directory_full_sync
from tests.e2e.conftest import TIMEOUT_MS, BrowserPage
from tests.staff.fixtures import make_staff
from tests.urls import project_routes

pytestmark = pytest.mark.browser

PAGES = {
    "": "/",
    "accounts/login/": "/accounts/login/",
    "users/": "/users/",
    "users/new/": "/users/new/",
    "users/<str:user_id>/": "/users/{user_id}/",
    "users/<str:user_id>/edit/": "/users/{user_id}/edit/",
    "locations/": "/locations/",
    "directory/": "/directory/",
    "audit/": "/audit/",
    "audit/reports/": "/audit/reports/",
    "audit/reports/<int:report_id>/": "/audit/reports/{report_id}/",
    "api-budget/": "/api-budget/",
    "bulk/": "/bulk/",
    "bulk/jobs/": "/bulk/jobs/",
    "bulk/jobs/<int:job_id>/": "/bulk/jobs/{job_id}/",
    "users/<str:user_id>/charging/": "/users/{user_id}/charging/",
    "users/<str:user_id>/charging/<str:sub_session_id>/": "/users/{user_id}/charging/{sub_session_id}/",
    "users/<str:user_id>/charging/nights/<str:night>/": "/users/{user_id}/charging/nights/{night}/",
    "charging/verdicts/": "/charging/verdicts/",
    "users/<str:user_id>/fixes/<str:fix_name>/": "/users/{user_id}/fixes/password_reset/",
    "tickets/": "/tickets/",
    "tickets/stats/": "/tickets/stats/",
    "tickets/<str:ticket_id>/": "/tickets/{ticket_id}/",
    "tickets/<str:ticket_id>/recategorise/": "/tickets/{ticket_id}/recategorise/",
    "playbooks/": "/playbooks/",
    "reference/": "/reference/",
    "playbooks/<str:subcategory>/": "/playbooks/NO_CHARGE/",
    "playbooks/<str:subcategory>/edit/": "/playbooks/NO_CHARGE/edit/",
    "locations/exports/<int:export_id>/": "/locations/exports/{export_id}/",
    "users/<str:user_id>/timeline/": "/users/{user_id}/timeline/",
    # Issue 17: submitting the rebate case's application that is ready (the form; its POST is tests/rebates').
    "users/<str:user_id>/rebates/<str:rebate_id>/submit/": "/users/{rebate_user_id}/rebates/{rebate_id}/submit/",
    # Issue 17: joining and verifying the program case's driver for their program (the confirmation forms).
    "programs/drivers/<str:user_id>/<str:program_id>/join/": "/programs/drivers/{program_user_id}/{program_id}/join/",
    "programs/drivers/<str:user_id>/<str:program_id>/verify/":
        "/programs/drivers/{program_user_id}/{program_id}/verify/",
    # Issue 17: the notifications case's newest notification, and changing the driver's preferences (the form).
    "users/<str:user_id>/notifications/<str:notification_id>/":
        "/users/{notification_user_id}/notifications/{notification_id}/",
    "users/<str:user_id>/notifications/preferences/edit/": "/users/{notification_user_id}/notifications/preferences/edit/",
}
# Pages only their requester and admins may open (anyone else: 404): visited as the admin.
OWNED_PAGES = {"locations/exports/<int:export_id>/"}
# Loaded by htmx into the pages above (the devices fragment for real, below); fetched as htmx does.
FRAGMENTS = {
    "users/<str:user_id>/devices/": "/users/{user_id}/devices/",
    "users/<str:user_id>/devices/vehicles/": "/users/{user_id}/devices/vehicles/",
    "users/<str:user_id>/devices/chargers/": "/users/{user_id}/devices/chargers/",
    # A device panel's parts, opened by a click.
    "users/<str:user_id>/devices/evses/<str:evse_id>/connectivity/": "/users/{user_id}/devices/evses/{evse_id}/connectivity/",
    "users/<str:user_id>/devices/vehicles/<str:vehicle_id>/errors/": "/users/{user_id}/devices/vehicles/{vehicle_id}/errors/",
    # The Charging panel's night check and a log timeline's sources.
    "users/<str:user_id>/charging/nights/<str:night>/check/":
        "/users/{user_id}/charging/nights/{night}/check/?vehicle={vehicle_id}",
    "users/<str:user_id>/charging/logs/": "/users/{user_id}/charging/logs/?night={night}&add=evse_errors",
    "users/form/tariffs/": "/users/form/tariffs/?tariff_search=o",
    "tickets/drivers/<str:user_id>/": "/tickets/drivers/{user_id}/",
    "bulk/jobs/<int:job_id>/estimate/": "/bulk/jobs/{job_id}/estimate/",
    "bulk/jobs/<int:job_id>/progress/": "/bulk/jobs/{job_id}/progress/",
    # The driver page's summary strip, read again when a panel has loaded.
    "users/<str:user_id>/summary/": "/users/{user_id}/summary/",
    # Issue 17: the Rebates panel and the Subscription and payout method panels, opened on the driver's page.
    "users/<str:user_id>/rebates/": "/users/{user_id}/rebates/",
    "users/<str:user_id>/rebates/subscription/": "/users/{user_id}/rebates/subscription/",
    "users/<str:user_id>/rebates/payout-method/": "/users/{user_id}/rebates/payout-method/",
    "users/<str:user_id>/carbon/": "/users/{user_id}/carbon/",
    "users/<str:user_id>/carbon/tariff-prices/": "/users/{user_id}/carbon/tariff-prices/",
    # Issue 17: the Programs panel and a program's parts, opened on the driver's page.
    "programs/drivers/<str:user_id>/": "/programs/drivers/{program_user_id}/",
    "programs/drivers/<str:user_id>/<str:program_id>/<str:part>/": "/programs/drivers/{program_user_id}/{program_id}/tiers/",
    # Issue 17: the energy panels and a HEM system's live power and statistics (its chart), on the driver's page.
    "users/<str:user_id>/energy/solar-arrays/": "/users/{energy_user_id}/energy/solar-arrays/",
    "users/<str:user_id>/energy/inverters/": "/users/{energy_user_id}/energy/inverters/",
    "users/<str:user_id>/energy/home-batteries/": "/users/{energy_user_id}/energy/home-batteries/",
    "users/<str:user_id>/energy/hem-systems/": "/users/{energy_user_id}/energy/hem-systems/",
    "users/<str:user_id>/energy/hem-systems/<str:hem_id>/live-power/":
        "/users/{energy_user_id}/energy/hem-systems/{hem_id}/live-power/",
    "users/<str:user_id>/energy/hem-systems/<str:hem_id>/energy-stats/":
        "/users/{energy_user_id}/energy/hem-systems/{hem_id}/energy-stats/",
    # Issue 17: the Notifications and Notification preferences panels, opened on the driver's page.
    "users/<str:user_id>/notifications/": "/users/{notification_user_id}/notifications/",
    "users/<str:user_id>/notifications/preferences/": "/users/{notification_user_id}/notifications/preferences/",
}
FILES = {
    "audit/export.csv": "/audit/export.csv",
    "audit/reports/<int:report_id>/findings.csv": "/audit/reports/{report_id}/findings.csv",
    "locations/export.csv": "/locations/export.csv",
    "locations/export.xlsx": "/locations/export.xlsx",
    "bulk/template.csv": "/bulk/template.csv",
    "bulk/jobs/<int:job_id>/rejected.csv": "/bulk/jobs/{job_id}/rejected.csv",
    "bulk/jobs/<int:job_id>/file/": "/bulk/jobs/{job_id}/file/",
    "bulk/jobs/<int:job_id>/results.csv": "/bulk/jobs/{job_id}/results.csv",
    "locations/exports/<int:export_id>/download": "/locations/exports/{export_id}/download",
}
# POST only: each answers a button or form on a page above. The sign-out button and the form's
# on-blur field check are used below; CSRF on all of them is tests/core/test_csrf.py's.
WRITES = {
    "accounts/logout/", "users/form/fields/<str:field_name>/", "users/<str:user_id>/clear-address/",
    "audit/reports/run/", "directory/sync/", "bulk/jobs/<int:job_id>/start/", "bulk/jobs/<int:job_id>/approve/",
    "bulk/jobs/<int:job_id>/revert/",
    "bulk/^jobs/(?P<job_id>[0-9]+)/(?P<action>pause|resume|cancel|retry_failed)/$", "locations/exports/",
}

# Runs in every page and frame before its own scripts; CSP does not apply to it (DevTools injects it).
VIOLATION_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolationCount = (window.__cspViolationCount || 0) + 1;
  window.reportCspViolation({
    page: location.href, directive: event.effectiveDirective, blocked: event.blockedURI,
    source: event.sourceFile, line: event.lineNumber, sample: event.sample,
  });
});
"""


def _routes() -> list[str]:
    return [route.route for route in project_routes() if not route.route.startswith("admin/")]


def test_every_url_of_the_project_is_declared_here():
    routes = set(_routes())
    declared = [*PAGES, *FRAGMENTS, *FILES, *WRITES]
    assert len(declared) == len(set(declared)), "a route is declared twice"
    assert routes - set(declared) == set(), "new URLs: add them to PAGES, FRAGMENTS, FILES or WRITES"
    assert set(declared) - routes == set(), "declared URLs that no longer exist"


@dataclass
class CspWatch:
    """What the browser reported while pages were open: CSP violations and console errors."""

    violations: list[dict] = field(default_factory=list)
    console: list[str] = field(default_factory=list)

    def on_console(self, message) -> None:
        if message.type == "error" or "Content Security Policy" in message.text:
            self.console.append(f"{message.text} ({message.location.get('url', '')})")


@dataclass
class Objects:
    """Real objects to fill the URLs' arguments with."""

    user_id: str
    report_id: int
    job_id: int
    case: dict  # a seeded support case's truth (its driver is user_id): devices, sub-session, night
    ticket_id: str = ""  # a seeded ticket (the offline-charger night's)
    export_id: int = 0  # a finished large locations export (the bulk operator's)
    rebate: dict | None = None  # the rebate case's truth (issue 17): a driver with an application ready to submit
    program: dict | None = None  # the program case's truth (issue 17): a driver eligible for a program
    energy: dict | None = None  # the energy case's truth (issue 17): solar, a home battery, a HEM system
    notification: dict | None = None  # the notifications case's truth (issue 17): notifications sent, all off

    def fill(self, template: str) -> str:
        return template.format(user_id=self.user_id, report_id=self.report_id, job_id=self.job_id,
                               ticket_id=self.ticket_id, export_id=self.export_id,
                               rebate_user_id=(self.rebate or {}).get("user_id"),
                               rebate_id=(self.rebate or {}).get("ready_rebate"),
                               program_user_id=(self.program or {}).get("user_id"),
                               program_id=(self.program or {}).get("program"),
                               energy_user_id=(self.energy or {}).get("user_id"),
                               hem_id=(self.energy or {}).get("hem_system_id"),
                               notification_user_id=(self.notification or {}).get("user_id"),
                               notification_id=(self.notification or {}).get("newest_notification"),
                               sub_session_id=self.case["sub_session_id"], vehicle_id=self.case["vehicle_id"],
                               evse_id=self.case["evse_id"], night=self.case["night"]["plugged_in_at"][:10])


@pytest.fixture
def objects(api_settings, sandbox_api, transactional_db) -> Objects:
    """The sandbox seeded and synced into the directory, a complete report and a draft bulk job."""
    sandbox_api.reset(data=True)
    directory_full_sync()
    report = AuditReport.objects.create(status=AuditReport.Status.QUEUED)
    audit_report_run_rules(report=report)
    operator = make_staff("bulk_operator", username="csp-operator")
    rows = [{"email": f"csp{n}@example.com", **address()} for n in range(3)] + [{"email": "not-an-email"}]
    job = bulk_job_create_from_upload(file=io.BytesIO(csv_bytes(rows)), file_name="drivers.csv", actor=operator,
                                      checker=offline_checker())
    case = sandbox_api.seed_cases()["healthy_control"]  # a driver with an address, devices and charging
    ticket_id = sandbox_api.seed_cases()["ticket_offline_charger_night"]["ticket"]
    export = location_export_run(export_id=location_export_request(
        actor=operator, file_format="xlsx", query="", filters=DirectoryFilters(), sort="").pk)
    return Objects(user_id=case["user_id"], report_id=report.pk, job_id=job.pk, case=case, ticket_id=ticket_id,
                   export_id=export.pk, rebate=sandbox_api.seed_cases()["rebate_stuck_in_evidence_review"],
                   program=sandbox_api.seed_cases()["program_eligible_not_enrolled"],
                   energy=sandbox_api.seed_cases()["solar_and_home_battery"],
                   notification=sandbox_api.seed_cases()["notifications_switched_off"])


@pytest.fixture
def watched_browser(chromium, live_server):
    """browser(role or None) -> a BrowserPage in its own context, its CSP reports going to `watch`."""
    watch = CspWatch()
    contexts = []

    def open_page(role: str | None) -> BrowserPage:
        context = chromium.new_context(viewport={"width": 1280, "height": 800})
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        context.expose_binding("reportCspViolation", lambda source, report: watch.violations.append(report))
        context.add_init_script(VIOLATION_LISTENER)
        browser_page = BrowserPage(context.new_page(), live_server.url)
        browser_page.page.on("console", watch.on_console)
        if role is not None:
            make_staff(role, username=f"csp-{role}")
            browser_page.sign_in(f"csp-{role}", f"evadmin-{role}-demo")
            expect(browser_page.page.get_by_text(f"Signed in as csp-{role}")).to_be_visible()
        return browser_page

    yield watch, open_page
    for context in contexts:
        context.close()


def _roles_allowed(path: str) -> tuple[str, ...]:
    required = resolve(path.split("?")[0]).func.required_permission
    if required in (PUBLIC, SIGNED_IN):
        return ROLES
    return tuple(roles_with_permission(required))


def _visit(browser_page: BrowserPage, path: str) -> None:
    response = browser_page.goto(path)
    assert response is not None and response.status == 200, f"{path}: {response and response.status}"
    header = response.headers.get("content-security-policy", "")
    assert "default-src 'self'" in header and "unsafe" not in header, f"{path}: {header!r}"
    # htmx starts its hx-trigger="load" requests (the user's devices) before "load"; let them land.
    browser_page.page.wait_for_function("() => !document.querySelector('.htmx-request')")


def _flush(browser_page: BrowserPage) -> None:
    """Let reports the page sent to Python arrive (bindings are delivered in order, before this returns)."""
    browser_page.page.evaluate("() => window.__cspViolationCount || 0")


def _visit_admin(browser_page: BrowserPage) -> list[str]:
    """The admin index, what it links to (app indexes, changelists, add forms) and one change form per changelist."""
    page = browser_page.page
    _visit(browser_page, "/admin/")
    linked = page.eval_on_selector_all("#content-main a[href]", "links => links.map(a => a.getAttribute('href'))")
    visited, change_forms = ["/admin/"], []
    for path in dict.fromkeys(linked):
        _visit(browser_page, path)
        visited.append(path)
        first_object = page.locator("#result_list tbody tr th a").first
        if re.fullmatch(r"/admin/\w+/\w+/", path) and first_object.count():
            change_forms.append(first_object.get_attribute("href"))
    for path in change_forms:
        _visit(browser_page, path)
        visited.append(path)
    assert "/admin/auth/user/" in visited and any(re.fullmatch(r"/admin/auth/user/\d+/change/", p) for p in visited)
    return visited


def test_every_page_as_every_role_that_may_see_it_has_no_csp_violation(objects, watched_browser):
    watch, open_page = watched_browser
    visited = []

    signed_out = open_page(None)
    _visit(signed_out, "/accounts/login/")
    visited.append(("anonymous", "/accounts/login/"))

    for role in ROLES:
        browser_page = open_page(role)
        for route, template in PAGES.items():
            path = objects.fill(template)
            if route == "accounts/login/" or role not in _roles_allowed(path):
                continue
            if route in OWNED_PAGES and role != "admin":
                continue
            _visit(browser_page, path)
            visited.append((role, path))
        for template in [*FRAGMENTS.values(), *FILES.values()] if role == "admin" else []:
            path = objects.fill(template)
            response = browser_page.page.request.get(browser_page.base_url + path, headers={"HX-Request": "true"})
            assert response.status < 500, f"{path}: {response.status}"
            assert "default-src 'self'" in response.headers.get("content-security-policy", ""), path
        if role == "admin":
            visited += [(role, path) for path in _visit_admin(browser_page)]
        _flush(browser_page)

    assert ("admin", "/admin/auth/user/") in visited and ("viewer", f"/users/{objects.user_id}/") in visited
    assert ("auditor", f"/audit/reports/{objects.report_id}/") in visited
    assert ("bulk_operator", f"/bulk/jobs/{objects.job_id}/") in visited
    assert ("admin", f"/locations/exports/{objects.export_id}/") in visited
    assert not any(role == "viewer" and path.startswith(("/bulk/", "/audit/")) for role, path in visited)
    assert not watch.violations, "CSP violations:\n" + "\n".join(map(str, watch.violations))
    assert not watch.console, "console errors:\n" + "\n".join(watch.console)


def test_htmx_paging_lazy_devices_and_form_checks_work_under_the_policy(objects, watched_browser):
    watch, open_page = watched_browser
    browser_page = open_page("support")
    page = browser_page.page

    # htmx runs with the safe configuration base.html gives it.
    _visit(browser_page, "/users/")
    config = page.evaluate("() => ({...htmx.config})")
    assert config["allowEval"] is False and config["allowScriptTags"] is False
    assert config["selfRequestsOnly"] is True and config["historyCacheSize"] == 0
    assert config["includeIndicatorStyles"] is False

    # Paging the live user list (the API's own): an htmx GET swapped into the page, no reload.
    _visit(browser_page, "/users/?source=api")
    rows = page.locator("#users-results table.users-table > tbody > tr")
    expect(rows).to_have_count(25)
    first_email = rows.first.inner_text()
    with page.expect_response(re.compile(r"/users/\?after=")) as paged:
        page.get_by_role("button", name="Next 25 →").click()
    assert paged.value.request.headers.get("hx-request") == "true"
    expect(rows.first).not_to_have_text(first_email)

    # The user page loads its vehicles and chargers lazily (hx-trigger="load").
    with page.expect_response(re.compile(rf"/users/{objects.user_id}/devices/vehicles/")) as devices:
        browser_page.goto(f"/users/{objects.user_id}/")
    assert devices.value.status == 200 and devices.value.request.headers.get("hx-request") == "true"
    expect(page.locator("#devices.devices #driver-vehicles h3")).to_be_visible()

    # The new-user form checks a field on blur with an htmx POST (CSRF token from hx-headers).
    _visit(browser_page, "/users/new/")
    page.get_by_label("City").fill("Leeds")
    page.get_by_label("Address line 1").focus()
    with page.expect_response(re.compile(r"/users/form/fields/address_1/")) as checked:
        page.keyboard.press("Tab")
    assert checked.value.status == 200
    expect(page.locator("#field-address_1")).to_contain_text("Required when any part of the address")

    # Signing out is a form post too (form-action 'self'); from another page, as leaving a form field
    # would send its check (racing the sign-out, which deletes the session it uses).
    _visit(browser_page, "/")
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    _flush(browser_page)

    assert not watch.violations, "CSP violations:\n" + "\n".join(map(str, watch.violations))
    assert not watch.console, "console errors:\n" + "\n".join(watch.console)


def test_the_listener_catches_a_violation(live_server, watched_browser, transactional_db):
    # So "no violations" above means none happened, not that nothing was listening.
    watch, open_page = watched_browser
    browser_page = open_page(None)
    _visit(browser_page, "/accounts/login/")
    browser_page.page.evaluate("""() => document.body.insertAdjacentHTML("beforeend", '<p style="color: red">x</p>')""")
    browser_page.page.wait_for_function("() => window.__cspViolationCount === 1")
    _flush(browser_page)
    assert [violation["directive"] for violation in watch.violations] == ["style-src-attr"]
    assert any("Content Security Policy" in line for line in watch.console)
