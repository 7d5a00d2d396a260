"""The bulk pages: who may use them, upload, preview, fragments, downloads, Start and approval."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from evadmin.bulk.columns import COLUMNS
from evadmin.bulk.models import BulkFileChunk, BulkJob, BulkRow
from tests.bulk.factories import address, csv_bytes, generated_rows
from tests.bulk.test_imports import MALFORMED, nothing_stored
from tests.staff.fixtures import make_staff

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def as_operator(operator, fresh_budget):
    client = Client()
    client.force_login(operator)
    return client


@pytest.fixture(autouse=True)
def offline_reference_lists(monkeypatch):
    """Tariff and EVSE site lists without the API (the sandbox tests below use the real ones)."""
    from tests.bulk.conftest import offline_checker

    monkeypatch.setattr("evadmin.bulk.upload.drafts.RowChecker", offline_checker)


def post_file(client, content: bytes, name: str = "drivers.csv"):
    return client.post("/bulk/", {"file": SimpleUploadedFile(name, content, content_type="text/csv")})


def job_of(response) -> BulkJob:
    assert response.status_code == 302, response.content.decode()[:500]
    return BulkJob.objects.get(pk=int(response["Location"].rstrip("/").rsplit("/", 1)[-1]))


# --- who may ------------------------------------------------------------------------------

@pytest.mark.parametrize("role,allowed", [("viewer", False), ("support", False), ("auditor", False),
                                          ("bulk_operator", True), ("admin", True), (None, False)])
def test_bulk_pages_need_run_bulk(client_as, role, allowed, fresh_budget):
    client = client_as(role)
    for url in ("/bulk/", "/bulk/jobs/", "/bulk/template.csv"):
        response = client.get(url)
        assert response.status_code == (200 if allowed else 403), url
        if not allowed:
            assert "bulk_operator" in response.content.decode()  # says which role would allow it
    home = client.get("/").content.decode()
    assert ('href="/bulk/"' in home) is allowed  # the nav link
    if not allowed:
        assert post_file(client, csv_bytes([{"email": "a@example.com"}])).status_code == 403
        assert not BulkJob.objects.exists()


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get("/bulk/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_job_pages_need_run_bulk_too(upload, client_as, fresh_budget):
    job = upload(csv_bytes([{"email": "a@example.com"}]))
    viewer = client_as("viewer")
    for url in (f"/bulk/jobs/{job.pk}/", f"/bulk/jobs/{job.pk}/rejected.csv", f"/bulk/jobs/{job.pk}/file/",
                f"/bulk/jobs/{job.pk}/estimate/"):
        assert viewer.get(url).status_code == 403
    assert viewer.post(f"/bulk/jobs/{job.pk}/start/", {"existing_policy": "skip"}).status_code == 403


# --- upload -------------------------------------------------------------------------------

def test_upload_page_lists_columns_and_limits(as_operator):
    html = as_operator.get("/bulk/").content.decode()
    assert 'href="/bulk/template.csv"' in html and "postal_code" in html and "20 MB" in html and "100,000 rows" in html


def test_template_is_the_header_row_and_an_example_row_that_passes_the_checks(as_operator):
    from tests.bulk.conftest import offline_checker

    response = as_operator.get("/bulk/template.csv")
    assert response["Content-Disposition"] == 'attachment; filename="evadmin-bulk-template.csv"'
    header, example = list(csv.reader(io.StringIO(response.content.decode())))
    assert header == list(COLUMNS)
    row = offline_checker().check({column: value for column, value in zip(header, example, strict=True) if value})
    assert row.errors == [] and row.email.endswith("@example.com")  # a tariff by its name, as the page lists it


def test_upload_then_preview(as_operator, directory_account):
    directory_account("known@example.com")
    content = csv_bytes([{"email": "new@example.com", **address()}, {"email": "known@example.com"},
                         {"email": "New@Example.com"}, {"email": "bad", "country_code": "UK"}])
    job = job_of(post_file(as_operator, content))
    html = as_operator.get(f"/bulk/jobs/{job.pk}/").content.decode()
    assert '<td id="count-valid">2</td>' in html and '<td id="count-existing">1</td>' in html
    assert '<td id="count-invalid">1</td>' in html and '<td id="count-duplicates">1</td>' in html
    assert "Row 4 (<bdi>New@Example.com</bdi>): Same email as row 2" in html
    assert "Row 5 (<bdi>bad</bdi>): email: “bad” is not a valid email address" in html
    assert f'href="/bulk/jobs/{job.pk}/rejected.csv"' in html
    assert '<strong id="estimate-requests">1</strong>' in html  # one new account, skip policy
    assert 'id="same-file-warning"' not in html and 'id="approval-note"' not in html
    assert "<button type=\"submit\">Start</button>" in html


@pytest.mark.parametrize("content", MALFORMED.values(), ids=MALFORMED.keys())
def test_a_malformed_upload_says_why_and_stores_nothing(as_operator, content):
    response = post_file(as_operator, content)
    html = response.content.decode()
    assert response.status_code == 422
    assert 'id="upload-rejected"' in html and "drivers.csv: " in html and "Nothing was stored." in html
    assert nothing_stored()


def test_too_large_an_upload_is_not_read_past_the_limit(as_operator, settings):
    settings.EVADMIN_BULK_MAX_UPLOAD_BYTES = 1000
    response = post_file(as_operator, csv_bytes(generated_rows(100)))
    assert response.status_code == 422
    # The upload handler stopped it, so the service never saw a file (no "drivers.csv:" prefix).
    assert "The file is larger than 0 MB, the most evadmin accepts" in response.content.decode()
    assert "drivers.csv:" not in response.content.decode()
    assert nothing_stored()


def test_upload_checks_csrf(operator, fresh_budget):
    client = Client(enforce_csrf_checks=True)
    client.force_login(operator)
    assert post_file(client, csv_bytes([{"email": "a@example.com"}])).status_code == 403
    assert not BulkJob.objects.exists()


def test_the_same_file_twice_warns_about_the_earlier_job(as_operator):
    content = csv_bytes([{"email": "a@example.com"}])
    first = job_of(post_file(as_operator, content))
    second = job_of(post_file(as_operator, content, name="renamed.csv"))
    html = as_operator.get(f"/bulk/jobs/{second.pk}/").content.decode()
    assert 'id="same-file-warning"' in html and f'href="/bulk/jobs/{first.pk}/">job #{first.pk}</a>' in html


# --- preview fragments and downloads ------------------------------------------------------

def test_rows_are_paged_with_htmx(as_operator, upload):
    job = upload(csv_bytes(generated_rows(120)))
    page = as_operator.get(f"/bulk/jobs/{job.pk}/")
    assert page.content.decode().count('<tr id="row-') == 50
    fragment = as_operator.get(f"/bulk/jobs/{job.pk}/?page=3", **HTMX)
    html = fragment.content.decode()
    assert "<html" not in html and html.count('<tr id="row-') == 20 and 'id="row-121"' in html
    assert "Rows 101–120 of 120" in html and "HX-Request" in fragment["Vary"]


def test_rows_can_be_filtered(as_operator, upload):
    job = upload(csv_bytes([{"email": "a@example.com"}, {"email": "bad"}]))
    html = as_operator.get(f"/bulk/jobs/{job.pk}/?show=rejected", **HTMX).content.decode()
    assert 'id="row-3"' in html and 'id="row-2"' not in html


def test_estimate_fragment_follows_the_options(as_operator, upload, directory_account, settings):
    settings.EVADMIN_BULK_APPROVAL_THRESHOLD = 2
    directory_account("driver000000@example.com")
    job = upload(csv_bytes(generated_rows(3)))  # 2 new, 1 existing
    url = f"/bulk/jobs/{job.pk}/estimate/"
    skip = as_operator.get(url, {"existing_policy": "skip"}, **HTMX).content.decode()
    assert '<strong id="estimate-requests">2</strong>' in skip and "approval-note" not in skip
    update = as_operator.get(url, {"existing_policy": "update", "strict_mode": "on"}, **HTMX).content.decode()
    assert "<html" not in update and '<strong id="estimate-requests">5</strong>' in update
    assert 'id="approval-note"' in update  # 3 rows to send > 2


def test_rejected_rows_csv_round_trip_with_formulas_neutralised(as_operator, upload):
    rows = [
        {"email": "good@example.com"},
        {"email": "=HYPERLINK(\"http://evil\")", **address(address_1="+1 High St", longitude="-0.12")},
        {"email": "x@example.com", **address(city="@Bath", country_code="UK")},
    ]
    job = upload(csv_bytes(rows))
    response = as_operator.get(f"/bulk/jobs/{job.pk}/rejected.csv")
    assert response["Content-Disposition"] == f'attachment; filename="bulk-job-{job.pk}-rejected-rows.csv"'
    body = b"".join(response.streaming_content)
    table = list(csv.reader(io.StringIO(body.decode())))
    assert table[0] == ["row_number", "problem", *COLUMNS]
    assert [line[0] for line in table[1:]] == ["3", "4"]
    by_column = dict(zip(table[0], table[1], strict=True))
    assert by_column["email"] == "'=HYPERLINK(\"http://evil\")" and by_column["address_1"] == "'+1 High St"
    assert by_column["longitude"] == "'-0.12"
    assert dict(zip(table[0], table[2], strict=True))["city"] == "'@Bath"
    # Uploaded again as it was downloaded, the rows come back with their original values.
    again = job_of(post_file(as_operator, body, name="rejected.csv"))
    assert list(again.rows.order_by("row_number").values_list("values", flat=True)) == [
        {key: value for key, value in row.items() if value} for row in rows[1:]
    ]
    assert "Columns evadmin does not use were ignored: “row_number”, “problem”." in again.notes


def test_the_uploaded_file_can_be_downloaded(as_operator):
    content = csv_bytes([{"email": "a@example.com"}])
    job = job_of(post_file(as_operator, content, name='we"ird name.csv'))
    response = as_operator.get(f"/bulk/jobs/{job.pk}/file/")
    assert b"".join(response.streaming_content) == content
    assert response["Content-Disposition"] == 'attachment; filename="we_ird name.csv"'
    assert BulkFileChunk.objects.filter(job=job).count() == 1


def test_job_list(as_operator, upload):
    jobs = [upload(csv_bytes([{"email": f"d{n}@example.com"}]), name=f"file-{n}.csv") for n in range(30)]
    page = as_operator.get("/bulk/jobs/").content.decode()
    assert "file-29.csv" in page and "file-4.csv" not in page and "operator-one" in page
    fragment = as_operator.get("/bulk/jobs/?page=2", **HTMX).content.decode()
    assert "<html" not in fragment and "file-4.csv" in fragment and f'href="/bulk/jobs/{jobs[0].pk}/"' in fragment
    other = make_staff("bulk_operator", username="operator-two")
    upload(csv_bytes([{"email": "o@example.com"}]), name="theirs.csv", actor=other)
    assert "theirs.csv" not in as_operator.get("/bulk/jobs/?mine=1").content.decode()


# --- Start and approval -------------------------------------------------------------------

def test_start_queues_a_small_job(as_operator, upload):
    job = upload(csv_bytes([{"email": "a@example.com"}]))
    response = as_operator.post(f"/bulk/jobs/{job.pk}/start/", {"existing_policy": "skip"}, follow=True)
    assert BulkJob.objects.get(pk=job.pk).status == BulkJob.Status.QUEUED
    html = response.content.decode()
    assert f"Job {job.pk} is queued." in html and "<button type=\"submit\">Start</button>" not in html


def test_start_refuses_an_unknown_policy(as_operator, upload):
    job = upload(csv_bytes([{"email": "a@example.com"}]))
    response = as_operator.post(f"/bulk/jobs/{job.pk}/start/", {"existing_policy": "delete"}, follow=True)
    assert "Choose what to do with accounts that already exist." in response.content.decode()
    assert BulkJob.objects.get(pk=job.pk).status == BulkJob.Status.DRAFT


def test_someone_else_cannot_start_your_job(upload, client_as, fresh_budget):
    job = upload(csv_bytes([{"email": "a@example.com"}]))
    other = client_as("admin")
    assert "can start this job" in other.get(f"/bulk/jobs/{job.pk}/").content.decode()
    response = other.post(f"/bulk/jobs/{job.pk}/start/", {"existing_policy": "skip"}, follow=True)
    assert "Only the person who uploaded the file can start its job." in response.content.decode()


def test_a_big_job_is_approved_by_a_second_operator(as_operator, upload, settings):
    settings.EVADMIN_BULK_APPROVAL_THRESHOLD = 5
    job = upload(csv_bytes(generated_rows(6)))
    as_operator.post(f"/bulk/jobs/{job.pk}/start/", {"existing_policy": "skip"})
    assert BulkJob.objects.get(pk=job.pk).status == BulkJob.Status.AWAITING_APPROVAL
    own = as_operator.get(f"/bulk/jobs/{job.pk}/").content.decode()
    assert "Approve and queue" not in own and "someone else must approve it" in own
    refused = as_operator.post(f"/bulk/jobs/{job.pk}/approve/")
    assert refused.status_code == 403 and "another bulk operator or an admin must approve" in refused.content.decode()
    second = Client()
    second.force_login(make_staff("bulk_operator", username="operator-two"))
    assert "Approve and queue" in second.get(f"/bulk/jobs/{job.pk}/").content.decode()
    response = second.post(f"/bulk/jobs/{job.pk}/approve/", follow=True)
    assert f"Job {job.pk} is approved and queued." in response.content.decode()
    job = BulkJob.objects.get(pk=job.pk)
    assert job.status == BulkJob.Status.QUEUED and job.approved_by.username == "operator-two"
    assert job.rows.filter(state=BulkRow.State.PENDING).count() == 6
