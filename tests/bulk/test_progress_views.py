"""The job page's progress fragment, its buttons and the results CSV (no API needed)."""

from __future__ import annotations

import csv
import io

from django.test import Client

from evadmin.bulk import services
from evadmin.bulk.models import BulkJob, BulkNotice, BulkRow
from tests.bulk.factories import address, csv_bytes

State = BulkRow.State


def running_job(upload, operator) -> BulkJob:
    job = upload(csv_bytes([{"email": "=cmd@example.com", **address()}, {"email": "b@example.com", **address()},
                            {"email": "c@example.com", **address()}]))
    services.bulk_job_submit(job_id=job.pk, actor=operator, existing_policy="skip", strict_mode=False)
    BulkJob.objects.filter(pk=job.pk).update(status=BulkJob.Status.RUNNING)
    job.rows.filter(row_number=2).update(state=State.CREATED, user_id="user" + "1" * 26)
    job.rows.filter(row_number=3).update(state=State.FAILED, error="email: This email is not allowed. (HTTP 400)")
    job.refresh_from_db()
    return job


def signed_in(operator) -> Client:
    client = Client()
    client.force_login(operator)
    return client


def test_progress_polls_every_2s_and_reloads_the_page_when_the_job_ends(upload, operator):
    job = running_job(upload, operator)
    client = signed_in(operator)
    page = client.get(f"/bulk/jobs/{job.pk}/").content.decode()
    assert 'hx-trigger="every 2s"' in page and "Pause" in page and "Cancel the job" in page
    fragment = client.get(f"/bulk/jobs/{job.pk}/progress/", HTTP_HX_REQUEST="true")
    body = fragment.content.decode()
    assert fragment.status_code == 200 and "<html" not in body
    assert "66%" in body and "This email is not allowed." in body and "Created: 1" in body
    BulkJob.objects.filter(pk=job.pk).update(status=BulkJob.Status.FINISHED)
    ended = client.get(f"/bulk/jobs/{job.pk}/progress/", HTTP_HX_REQUEST="true")
    assert ended["HX-Refresh"] == "true"  # status line, rows and buttons re-render with the bar
    reloaded = client.get(f"/bulk/jobs/{job.pk}/").content.decode()
    assert 'hx-trigger="every 2s"' not in reloaded


def test_pause_resume_cancel_and_retry_failed(upload, operator, django_capture_on_commit_callbacks):
    job = running_job(upload, operator)
    client = signed_in(operator)
    assert client.post(f"/bulk/jobs/{job.pk}/pause/").status_code == 302
    job.refresh_from_db()
    assert job.status == BulkJob.Status.PAUSED
    with django_capture_on_commit_callbacks() as callbacks:
        client.post(f"/bulk/jobs/{job.pk}/resume/")
    job.refresh_from_db()
    assert job.status == BulkJob.Status.QUEUED and len(callbacks) == 1  # a new pump chain
    BulkJob.objects.filter(pk=job.pk).update(status=BulkJob.Status.FINISHED)
    with django_capture_on_commit_callbacks():
        client.post(f"/bulk/jobs/{job.pk}/retry_failed/")
    assert job.rows.get(row_number=3).state == State.PENDING
    client.post(f"/bulk/jobs/{job.pk}/cancel/", {"confirm": "yes"})
    job.refresh_from_db()
    assert job.status == BulkJob.Status.CANCELLED
    assert client.get(f"/bulk/jobs/{job.pk}/pause/").status_code == 405


def test_cancel_says_what_it_keeps_and_one_click_is_not_enough(upload, operator):
    job = running_job(upload, operator)
    client = signed_in(operator)
    page = client.get(f"/bulk/jobs/{job.pk}/").content.decode()
    assert "Cancel the job…" in page
    assert ("the 1 account already created or updated stay as they are (the API cannot delete users). "
            "The 1 row not sent yet will not be sent, and a cancelled job cannot be resumed.") in page
    refused = client.post(f"/bulk/jobs/{job.pk}/cancel/", follow=True).content.decode()  # no confirmation
    assert "Nothing was done: confirm it" in refused
    job.refresh_from_db()
    assert job.status == BulkJob.Status.RUNNING


def test_controls_need_run_bulk(upload, operator, client_as):
    job = running_job(upload, operator)
    assert client_as("auditor").post(f"/bulk/jobs/{job.pk}/pause/").status_code in (302, 403)
    job.refresh_from_db()
    assert job.status == BulkJob.Status.RUNNING


def test_results_csv_is_neutralised(upload, operator):
    job = running_job(upload, operator)
    response = signed_in(operator).get(f"/bulk/jobs/{job.pk}/results.csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == ["row_number", "email", "outcome", "user_id", "user_url", "evadmin_url", "error"]
    assert rows[1][:4] == ["2", "'=cmd@example.com", "Created", "user" + "1" * 26]
    assert rows[1][4].endswith("/users/user" + "1" * 26)  # the API's
    assert rows[1][5] == "http://testserver/users/user" + "1" * 26 + "/"  # the driver's page in evadmin
    assert rows[2][2] == "Failed" and rows[2][4:6] == ["", ""] and "not allowed" in rows[2][6]


def test_the_jobs_page_shows_a_finished_jobs_notice_once(upload, operator):
    job = running_job(upload, operator)
    BulkNotice.objects.create(recipient=operator, job=job, message="Bulk job finished: 1 created.")
    client = signed_in(operator)
    assert "Bulk job finished: 1 created." in client.get("/bulk/jobs/").content.decode()
    assert "Bulk job finished: 1 created." not in client.get("/bulk/jobs/").content.decode()


def test_several_finished_jobs_make_one_summary_line_and_the_list_says_each_jobs_type(upload, operator):
    jobs = [running_job(upload, operator) for _ in range(3)]
    for job in jobs:
        BulkNotice.objects.create(recipient=operator, job=job, message=f"Bulk job {job.pk} finished: 1 created.")
    html = signed_in(operator).get("/bulk/jobs/").content.decode()
    assert html.count('class="flash flash-success bulk-notice"') == 1
    assert "3 jobs finished since you last looked:" in html
    for job in jobs:
        assert f'title="Bulk job {job.pk} finished: 1 created.">#{job.pk}</a>' in html
    assert html.count('<td data-column="type">Onboard new users</td>') == 3


def test_the_preview_warns_of_a_postcode_the_audit_report_would_list(upload, operator):
    job = upload(csv_bytes([
        {"email": "odd@example.com", "address_1": "1 High St", "city": "Leeds", "postal_code": "ZZZ",
         "country_code": "GB"},
        {"email": "fine@example.com", "address_1": "1 Briggate", "city": "Leeds", "postal_code": "LS1 6HD",
         "country_code": "GB"},
    ]))
    html = signed_in(operator).get(f"/bulk/jobs/{job.pk}/").content.decode()
    assert html.count('data-warning="postcode"') == 1
    assert "“ZZZ” is not in the GB postcode format" in html
    assert job.rows.get(email="odd@example.com").state == BulkRow.State.PENDING  # warned, still sent


def test_a_running_jobs_progress_comes_before_what_the_file_held(upload, operator):
    job = running_job(upload, operator)
    page = signed_in(operator).get(f"/bulk/jobs/{job.pk}/").content.decode()
    assert page.index('id="job-progress"') < page.index('id="counts-heading"')
    draft = upload(csv_bytes([{"email": "d@example.com", **address()}]))
    draft_page = signed_in(operator).get(f"/bulk/jobs/{draft.pk}/").content.decode()
    assert 'id="counts-heading"' in draft_page and 'id="job-progress"' not in draft_page


def test_the_preview_names_tariffs_with_their_supplier_not_by_id(upload, operator):
    from tests.bulk.factories import TARIFF_ID
    from tests.driver_directory.factories import DirectoryAccountFactory

    DirectoryAccountFactory(tariff_id=TARIFF_ID, tariff_name="Agile Octopus", supplier_name="Octopus Energy")
    job = upload(csv_bytes([{"email": "t@example.com", **address(), "tariff": TARIFF_ID}]))
    html = signed_in(operator).get(f"/bulk/jobs/{job.pk}/").content.decode()
    assert f'<span title="{TARIFF_ID}">Agile Octopus · Octopus Energy</span>' in html
