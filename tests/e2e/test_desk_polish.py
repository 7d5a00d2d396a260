"""The agent's desk, polished (issue 18), in Chromium: what staff saw, seen fixed.

A name found without its apostrophe, Django admin refusing a viewer with evadmin's own 403 page, an
error badge that looks like an error, a failed save keeping the account's stored email in its
heading and saying why the full name cannot be edited, the audit trail found by a driver's email, an
odd postcode warned about but saved, a job cancelled only after a confirmation saying what it keeps,
keyboard-first search, lists that fit the screen, an update job read in names with only its own
options and reverted after a confirmation, the jobs list's type column and one summary line, and a
new install's directory filled at once. (Names instead of ids: tests/e2e/test_desk_names.py.)
(The bulk estimate: tests/e2e/test_bulk.py.)
"""

import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from playwright.sync_api import expect

from evadmin.audit.services import audit_record
from evadmin.bulk import services
from evadmin.bulk.models import BulkJob
from evadmin.bulk.run import notify
from evadmin.bulk.upload.drafts import bulk_job_create_from_upload
from evadmin.driver_directory.models import DirectorySync
from evadmin.driver_directory.services import directory_store_users
from evadmin.evenergy.client import build_client
from tests.bulk.conftest import offline_checker
from tests.bulk.factories import address, csv_bytes
from tests.bulk.workers import bulk_worker  # noqa: F401 - a fixture, asked for by name below
from tests.driver_directory.factories import ApiUserFactory
from tests.e2e.test_bulk import upload_and_preview
from tests.e2e.test_directory import USER_ROWS, search_users
from tests.processes import wait_for

# Every point is seen at the two screens the issue names.
pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("screen")]


@pytest.fixture
def obrien(api_settings, sandbox_api):
    sandbox_api.reset(data=True)
    [user] = [ApiUserFactory(number=31, email="s.obrien@example.ie", full_name="Siobhán O'Brien", city="Galway",
                             postal_code="H91 X2Y3", country_code="IE")]
    directory_store_users([user])
    DirectorySync.objects.create(kind="full", status="complete", finished_at=timezone.now())
    return user


def test_a_name_is_found_without_its_apostrophe(signed_in_page, obrien):
    browser_page = signed_in_page("viewer")
    page = browser_page.page
    browser_page.goto("/users/")
    for typed in ("obrien", "O'Brien", "siobhan o’brien"):
        search_users(page, typed)
        expect(page.locator(USER_ROWS)).to_have_count(1)
        expect(page.locator(USER_ROWS).first).to_contain_text("s.obrien@example.ie")


def test_django_admin_answers_a_viewer_with_evadmins_403_page(signed_in_page):
    browser_page = signed_in_page("viewer")
    page = browser_page.page
    browser_page.goto("/admin/")
    expect(page.get_by_role("alert")).to_contain_text("Django admin (/admin/) is for the admin role")
    expect(page.get_by_label("Password")).to_have_count(0)  # no second sign-in form
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()  # evadmin's page, its navigation
    browser_page.forgive_console_errors("status of 403")


def _background(page, selector: str) -> tuple[int, int, int]:
    colour = page.locator(selector).first.evaluate("badge => getComputedStyle(badge).backgroundColor")
    return tuple(int(part) for part in re.findall(r"\d+", colour)[:3])


def test_error_badges_look_like_errors_not_warnings(signed_in_page):
    browser_page = signed_in_page("auditor")
    page = browser_page.page
    browser_page.goto("/audit/reports/")
    error, warning = _background(page, '[data-severity="error"]'), _background(page, '[data-severity="warning"]')
    assert error != warning
    red, green, blue = error
    assert red > green + 20 and red > blue + 20  # red, not the warning's amber


def test_a_failed_save_keeps_the_stored_email_and_the_full_name_says_why_it_is_read_only(
        signed_in_page, api_settings, sandbox_api):
    sandbox_api.reset(data=True)
    driver = next(user for user in build_client().users.list(page_size=50) if user.default_location)
    browser_page = signed_in_page("support")
    page = browser_page.page
    browser_page.goto(f"/users/{driver.id}/edit/")
    expect(page.get_by_text("set by the driver in the app")).to_be_visible()
    page.get_by_label("Email").fill("not-an-email")
    page.get_by_label("Reason or ticket").fill("Typo check")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("alert").filter(has_text="Nothing was saved")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Edit {driver.email}")
    expect(page.get_by_label("Email")).to_have_value("not-an-email")  # what was typed, to correct
    browser_page.forgive_console_errors("status of 422")


def test_the_audit_trail_finds_a_drivers_events_by_email_and_staff_by_part_of_a_name(signed_in_page, obrien):
    audit_record(actor=None, action="user.update", target_user_id=obrien.id, reason="Moved to Galway")
    audit_record(actor=None, action="user.update", target_user_id="user01HN0000000000000000000077",
                 reason="Someone else")
    browser_page = signed_in_page("auditor")
    page = browser_page.page
    browser_page.goto("/audit/")
    page.get_by_label("Driver").fill("S.OBrien@example.ie")
    page.get_by_role("button", name="Filter").click()
    trail = page.locator("#audit-results")
    expect(trail).to_contain_text("Moved to Galway")
    expect(trail).not_to_contain_text("Someone else")
    page.get_by_label("Driver").fill("")
    page.get_by_label("Staff member").fill("auditor-mem")  # part of the auditor's own username
    page.get_by_role("button", name="Filter").click()
    expect(trail).to_contain_text("auth.sign_in")
    expect(trail).not_to_contain_text("Moved to Galway")


def test_an_odd_postcode_is_warned_about_while_typing_and_still_saved(signed_in_page, api_settings, sandbox_api):
    sandbox_api.reset(data=True)
    driver = next(user for user in build_client().users.list(page_size=50)
                  if user.default_location and user.default_location.country_code == "GB")
    browser_page = signed_in_page("support")
    page = browser_page.page
    browser_page.goto(f"/users/{driver.id}/edit/")
    page.get_by_label("Postcode").fill("ZZZ")
    with page.expect_response(re.compile(r"/users/form/fields/postal_code/")):
        page.get_by_label("Postcode").blur()
    expect(page.locator("#postcode-warning")).to_contain_text("“ZZZ” is not in the GB postcode format")
    page.get_by_label("Reason or ticket").fill("The driver confirmed it")
    page.get_by_role("button", name="Save changes").click()
    expect(page).to_have_url(re.compile(rf"/users/{driver.id}/$"))  # saved: a warning, not a refusal
    expect(page.get_by_text("“ZZZ” is not in the GB postcode format")).to_be_visible()


def test_an_odd_postcode_in_a_bulk_file_is_warned_about_in_the_preview_and_still_sent(signed_in_page, api_settings,
                                                                                        tmp_path):
    path = tmp_path / "postcodes.csv"
    path.write_bytes(csv_bytes([{"email": "odd.postcode@example.com", **address(city="Leeds", postal_code="ZZZ")},
                                {"email": "fine.postcode@example.com", **address(city="Leeds", postal_code="LS1 6HD")}]))
    browser_page = signed_in_page("bulk_operator")
    upload_and_preview(browser_page, path)
    page = browser_page.page
    expect(page.locator("#count-valid")).to_have_text("2")  # warned, not refused: both rows are sent
    warnings = page.locator('[data-warning="postcode"]')
    expect(warnings).to_have_count(1)
    expect(warnings).to_contain_text("“ZZZ” is not in the GB postcode format")
    row = page.locator("tr", has=warnings)
    expect(row).to_contain_text("odd.postcode@example.com")


def test_cancelling_a_job_takes_a_confirmation_that_says_what_it_keeps(signed_in_page, screen):
    browser_page = signed_in_page("bulk_operator")
    page = browser_page.page
    operator = get_user_model().objects.get(username="bulk_operator-member")
    job = bulk_job_create_from_upload(
        file=io.BytesIO(csv_bytes([{"email": f"c{n}@example.com", **address()} for n in range(3)])),
        file_name="three.csv", actor=operator, checker=offline_checker())
    services.bulk_job_submit(job_id=job.pk, actor=operator, existing_policy="skip", strict_mode=False)
    BulkJob.objects.filter(pk=job.pk).update(status=BulkJob.Status.PAUSED)  # no worker: it stays as it is
    browser_page.goto(f"/bulk/jobs/{job.pk}/")
    bar = page.locator("#job-progress").bounding_box()
    assert bar["y"] + bar["height"] <= screen["height"]  # a job's progress is the first thing its page shows
    page.get_by_role("button", name="Cancel the job…").click()
    confirm = page.locator("#cancel-confirm")
    expect(confirm).to_contain_text("The 3 rows not sent yet will not be sent, and a cancelled job cannot be resumed.")
    confirm.get_by_role("button", name="Yes, cancel the job").click()
    expect(page.locator("#job-status")).to_have_text("Cancelled")


def test_keyboard_first_search_from_the_home_page_to_a_driver(signed_in_page, obrien, screen):
    browser_page = signed_in_page("viewer")
    page = browser_page.page
    browser_page.goto("/")
    page.keyboard.press("/")  # the home page's search box (not focused on load: the skip link stays first)
    expect(page.get_by_role("searchbox")).to_be_focused()
    page.keyboard.type("obrien")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/users/\?q=obrien"))
    expect(page.get_by_role("searchbox")).to_be_focused()  # the users page focuses its one box
    expect(page.locator("input[type=search]")).to_have_count(1)
    expect(page.locator("details.search-filters")).not_to_have_attribute("open", "")  # filters folded away
    first_row = page.locator(USER_ROWS).first
    expect(first_row).to_contain_text("s.obrien@example.ie")
    assert first_row.bounding_box()["y"] + first_row.bounding_box()["height"] <= screen["height"]  # above the fold
    first_row.focus()
    page.keyboard.press("Enter")  # Enter on a row opens it
    expect(page).to_have_url(re.compile(rf"/users/{obrien.id}/$"))
    page.keyboard.press("/")  # from any page, back to search
    expect(page).to_have_url(re.compile(r"/users/$"))
    expect(page.get_by_role("searchbox")).to_be_focused()
    browser_page.forgive_console_errors("status of 404")  # the synthetic driver is not in the sandbox


# A word split across two lines of a cell: a Range over each word (letters and digits: a line may
# still break after a hyphen, as typesetting does) of each cell's text spans more than one line box.
BROKEN_WORDS = """() => {
  const broken = [];
  for (const cell of document.querySelectorAll("main table td")) {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const match of node.textContent.matchAll(/[\\p{L}\\p{N}]+/gu)) {
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        const lines = new Set([...range.getClientRects()].map(rect => Math.round(rect.top)));
        if (lines.size > 1) broken.push(match[0]);
      }
    }
  }
  return broken;
}"""
FIRST_ROWS = {
    "/users/": "#users-results table.users-table > tbody > tr",
    "/locations/": "#locations-results table.locations-table > tbody > tr",
    "/bulk/jobs/": "#bulk-jobs table.jobs-table > tbody > tr",
    "/audit/": "#audit-results table.audit-table > tbody > tr",
}


@pytest.fixture
def lists_to_look_at(obrien):
    """A directory with long values (a long German city, a long email), a bulk job, audit events."""
    directory_store_users([ApiUserFactory(
        number=32 + n, email=f"maximilian.schneider-wolfenbuettel{n}@beispiel-unternehmen.example.de",
        full_name="Maximilian Schneider-Wolfenbüttel", city="Stuttgart-Bad Cannstatt", postal_code="70372",
        country_code="DE") for n in range(30)])
    operator = get_user_model().objects.create_user("list-operator")
    job = bulk_job_create_from_upload(
        file=io.BytesIO(csv_bytes([{"email": "created.driver@example.com", **address()}])),
        file_name="a-rather-long-file-name-for-the-november-onboarding-of-fleet-drivers.csv", actor=operator,
        checker=offline_checker())
    BulkJob.objects.filter(pk=job.pk).update(status=BulkJob.Status.FINISHED)
    for n in range(5):
        audit_record(actor=operator, action="user.update", target_user_id=obrien.id, reason=f"Change {n}",
                     before={"default_location.city": "Galway"}, after={"default_location.city": "Stuttgart"})


def test_lists_show_their_first_row_above_the_fold_and_never_split_a_word(signed_in_page, lists_to_look_at,
                                                                          screen):
    browser_page = signed_in_page("admin")  # the widest header: every section
    page = browser_page.page
    for path, rows in FIRST_ROWS.items():
        browser_page.goto(path)
        first = page.locator(rows).first
        expect(first).to_be_visible()
        box = first.bounding_box()
        assert box["y"] + box["height"] <= screen["height"], f"{path}: the first row ends at {box['y'] + box['height']}"
        assert page.evaluate(BROKEN_WORDS) == [], path
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} is {overflow}px wider than the window"
    # The header is one line, the admin's seven sections and the session included.
    tops = page.locator("header.site-header nav li").evaluate_all(
        "items => items.map(item => Math.round(item.getBoundingClientRect().top))")
    assert max(tops) - min(tops) < 20, tops


def test_a_value_cut_short_shows_whole_on_hover(signed_in_page, lists_to_look_at):
    browser_page = signed_in_page("viewer")
    page = browser_page.page
    browser_page.goto("/users/?q=wolfenbuettel")
    cell = page.locator("table.users-table tbody tr").first.locator("td").first
    expect(cell).to_have_attribute("title", re.compile(r"^maximilian\.schneider-wolfenbuettel\d+@beispiel"))


@pytest.fixture
def driver_without_a_tariff(api_settings, sandbox_api):
    """A driver in the sandbox (and the directory) with an address but no tariff, and a sandbox tariff
    named as staff write it: "Name · Supplier"."""
    from evadmin.evenergy import reference
    from tests.bulk.test_updates import mirror_in_directory, sandbox_user

    sandbox_api.reset(data=True)
    driver = sandbox_user(sandbox_api, "no.tariff@example.com", address_1="1 High Street", city="Leeds",
                          postal_code="LS1 1AA", country_code="GB")
    mirror_in_directory(driver)
    tariff = next(tariff for tariff in reference.tariff_choices() if tariff.supplier)
    return driver, tariff, f"{tariff.name} · {tariff.supplier.name}"


@pytest.mark.worker
def test_an_update_job_reads_in_names_offers_its_own_options_and_is_reverted_after_a_confirmation(
        request, signed_in_page, driver_without_a_tariff, tmp_path):
    # Start enqueues the pump: a worker of this test's own queue runs it (a suite worker must not take it).
    worker = request.getfixturevalue("bulk_worker").start()
    driver, tariff, tariff_name = driver_without_a_tariff
    path = tmp_path / "tariffs.csv"
    path.write_bytes(csv_bytes([{"user_id": driver["id"], "tariff": tariff_name}], header=("user_id", "tariff")))
    browser_page = signed_in_page("bulk_operator")
    page = browser_page.page
    upload_and_preview(browser_page, path)

    # The preview: the tariff by its name (the id on hover), and only an update job's options and wording.
    change = page.locator("td.bulk-changes").first
    expect(change).to_have_text(f"Tariff: no tariff → {tariff_name}")
    expect(change.locator("span[title]").last).to_have_attribute("title", tariff.id)
    start = page.locator("section[aria-labelledby=start-heading]")
    expect(start).to_contain_text("to read each account just before its change")
    expect(start).to_contain_text("A finished update job can be reverted")
    for onboarding_only in ("Accounts that already exist", "Strict mode", "cannot be deleted", "look their emails up"):
        expect(start).not_to_contain_text(onboarding_only)
    page.get_by_role("button", name="Start").click()
    expect(page.locator("#progress-status")).to_have_text("Finished", timeout=60_000)
    job = BulkJob.objects.get(file_name="tariffs.csv")
    assert job.status == BulkJob.Status.FINISHED, worker.output()

    # Revert takes a confirmation that says how many accounts change back.
    browser_page.goto(f"/bulk/jobs/{job.pk}/")
    expect(page.locator("#revert-job")).to_be_hidden()
    page.get_by_role("button", name="Revert this job…").click()
    expect(page.locator("#revert-confirm")).to_contain_text("sets the 1 account this job updated back to how they were")
    page.get_by_role("button", name="Yes, revert 1 account").click()
    revert = BulkJob.objects.get(reverts=job)
    expect(page).to_have_url(re.compile(rf"/bulk/jobs/{revert.pk}/$"))
    # Its preview: no file to download, and the tariff goes back to "no tariff", not "None".
    expect(page.get_by_text(f"no file: its rows are job {job.pk}’s changes, undone")).to_be_visible()
    expect(page.locator("td.bulk-changes").first).to_have_text(f"Tariff: {tariff_name} → no tariff")
    for wrong in ("None", "0 bytes", "download the file"):
        expect(page.locator("main")).not_to_contain_text(wrong)


def test_the_jobs_list_has_a_type_column_and_one_line_for_the_jobs_finished_since(signed_in_page):
    browser_page = signed_in_page("bulk_operator")
    page = browser_page.page
    operator = get_user_model().objects.get(username="bulk_operator-member")
    jobs = []
    for name, rows in (("onboard.csv", [{"email": "o@example.com", **address()}]),
                       ("update.csv", None)):
        content = csv_bytes(rows) if rows else csv_bytes([{"user_id": "user" + "1" * 26, "city": "York"}],
                                                         header=("user_id", "city"))
        job = bulk_job_create_from_upload(file=io.BytesIO(content), file_name=name, actor=operator,
                                          checker=offline_checker())
        BulkJob.objects.filter(pk=job.pk).update(status=BulkJob.Status.FINISHED, finished_at=timezone.now())
        notify.bulk_job_notify_owner(job_id=job.pk)
        jobs.append(job)
    browser_page.goto("/bulk/jobs/")
    notices = page.locator(".bulk-notice")
    expect(notices).to_have_count(1)  # one line, not one notice per job
    expect(notices).to_have_text(  # newest first
        re.compile(rf"^2 jobs finished since you last looked:\s+#{jobs[1].pk}, #{jobs[0].pk}\.$"))
    types = page.locator("table.jobs-table td[data-column=type]")
    expect(types).to_have_text(["Update locations and tariffs", "Onboard new users"])  # newest first
    expect(page.locator("table.jobs-table th.column-type")).to_have_text("Type")
    browser_page.goto("/bulk/jobs/")
    expect(page.locator(".bulk-notice")).to_have_count(0)  # read once shown


@pytest.mark.worker
def test_a_new_install_fills_its_directory_at_once_not_at_the_first_scheduled_sync(
        celery_worker_process, signed_in_page, api_settings, sandbox_api):
    from celery.signals import beat_init

    from evadmin.driver_directory import tasks  # noqa: F401 - beat imports it, connecting its beat_init receiver

    sandbox_api.reset(data=True)
    driver = next(iter(build_client().users.list(page_size=1)))
    assert not DirectorySync.objects.exists()  # right after `make run`: never synced
    beat_init.send(sender=None)  # what beat does as `make run` starts it
    wait_for(lambda: DirectorySync.objects.filter(status="complete").exists(), timeout=60,
             message=lambda: "no first sync; worker log:\n" + celery_worker_process.output()[-3000:])
    browser_page = signed_in_page("viewer")
    page = browser_page.page
    browser_page.goto("/users/")
    search_users(page, driver.email.split("@")[0])  # free text: the directory answers (an exact email, the API)
    expect(page.locator(USER_ROWS).first).to_contain_text(driver.email)
    expect(page.locator(".directory-as-of")).to_contain_text("Directory as of")
