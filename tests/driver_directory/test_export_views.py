"""/locations/ exports above EVADMIN_EXPORT_INLINE_ROWS: the form on the page, starting the job, its progress
page and its download (the job itself is run in this process here; tests/driver_directory/test_export_worker.py
runs it on a Celery worker)."""

import csv
import io
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from evadmin.audit.models import AuditEvent
from evadmin.driver_directory import export_jobs
from evadmin.driver_directory.models import LocationExport
from tests.driver_directory.factories import ApiUserFactory
from tests.staff.fixtures import make_staff


@pytest.fixture
def accounts(store_accounts, settings):
    settings.EVADMIN_EXPORT_INLINE_ROWS = 2  # three GB accounts and one in France
    return store_accounts(
        ApiUserFactory(number=1, email="ada@example.com", full_name="Ada Lovelace", postal_code="SW1A 1AA"),
        ApiUserFactory(number=2, email="jean@example.fr", full_name="Jean Dupont", city="Paris", postal_code="75002",
                       country_code="FR"),
        ApiUserFactory(number=3, email="mallory@example.com", full_name="=cmd|' /C calc'!A0", postal_code="LS6 2AB"),
        ApiUserFactory(number=4, email="grace@example.com", full_name="Grace Hopper"),
    )


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def requester(db):
    return make_staff("viewer", username="requester")


def start(client: Client, query: str = "country=GB&sort=postcode", file_format: str = "csv"):
    return client.post(f"/locations/exports/?{query}", {"file_format": file_format})


# --- small exports stay immediate ------------------------------------------------------------------------
def test_a_small_export_is_still_a_download_link_and_immediate(client_as, accounts):
    viewer = client_as("viewer")
    html = viewer.get("/locations/", {"country": "FR"}).content.decode()
    assert 'href="/locations/export.csv?country=FR"' in html and "Large export" not in html
    response = viewer.get("/locations/export.csv", {"country": "FR"})
    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    assert not LocationExport.objects.exists()


# --- large ones are a form that starts a job --------------------------------------------------------------
def test_a_large_export_is_a_form_posting_to_the_background_job(client_as, accounts):
    html = client_as("viewer").get("/locations/", {"country": "GB", "page": "1"}).content.decode()
    assert "Large export: prepared in the background" in html
    assert '<form class="export-large" method="post" action="/locations/exports/?country=GB"' in html
    assert 'name="csrfmiddlewaretoken"' in html and 'value="xlsx"' in html
    assert 'href="/locations/export.csv' not in html


def test_the_old_export_link_above_the_limit_offers_the_job_instead_of_writing_the_file(client_as, accounts):
    response = client_as("viewer").get("/locations/export.xlsx", {"country": "GB"})
    html = response.content.decode()
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    assert "More than 2 accounts match" in html and 'action="/locations/exports/?country=GB"' in html
    assert not LocationExport.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="directory.export").exists()


def test_starting_a_large_export_creates_the_job_and_shows_its_page(accounts, requester):
    client = signed_in(requester)
    response = start(client, "country=GB&sort=postcode&page=3", "xlsx")
    export = LocationExport.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/locations/exports/{export.pk}/"
    assert (export.requested_by, export.file_format, export.status) == (requester, "xlsx", "queued")
    assert export.query_string == "country=GB&sort=postcode"
    assert export.filters == {"query": "", "filters": {"country": "GB"}, "sort": "postcode"}
    event = AuditEvent.objects.get(action="directory.export_locations_request")
    assert event.actor == requester and event.after["export"] == export.pk

    html = client.get(response["Location"]).content.decode()
    assert "<html" in html and "Queued" in html and 'id="export-bar"' in html
    assert f'hx-get="/locations/exports/{export.pk}/" hx-trigger="every 2s"' in html
    assert "Download" not in html


def test_a_post_below_the_limit_downloads_at_once_instead(accounts, requester):
    response = start(signed_in(requester), "country=FR")
    assert response.status_code == 302 and response["Location"] == "/locations/export.csv?country=FR"
    assert not LocationExport.objects.exists()


def test_a_post_with_bad_filters_or_format_is_refused(accounts, requester):
    client = signed_in(requester)
    assert start(client, "tariff=nonsense").status_code == 400
    assert start(client, "country=GB", "pdf").status_code == 400
    assert client.get("/locations/exports/?country=GB").status_code == 405
    assert not LocationExport.objects.exists()


# --- the progress page ----------------------------------------------------------------------------------
def test_the_progress_partial_polls_while_running_and_shows_the_link_when_done(accounts, requester):
    client = signed_in(requester)
    start(client)
    export = LocationExport.objects.get()
    LocationExport.objects.filter(pk=export.pk).update(status="running", rows_total=3, rows_written=2)
    html = client.get(f"/locations/exports/{export.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in html and 'id="export-progress"' in html and 'hx-trigger="every 2s"' in html
    assert 'value="66"' in html and "2 of 3 rows written" in html

    export_jobs.location_export_run(export_id=export.pk)
    html = client.get(f"/locations/exports/{export.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in html  # polling stops with the swap
    assert f'href="/locations/exports/{export.pk}/download"' in html and "0 API requests spent" in html


# --- the download ---------------------------------------------------------------------------------------
def test_the_download_is_the_file_and_is_audited(accounts, requester):
    client = signed_in(requester)
    start(client)
    export = export_jobs.location_export_run(export_id=LocationExport.objects.get().pk)
    response = client.get(f"/locations/exports/{export.pk}/download")
    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="{export.filename}"'
    content = b"".join(response.streaming_content)
    assert int(response["Content-Length"]) == len(content)
    rows = list(csv.reader(io.StringIO(content.decode("utf-8").lstrip("\ufeff"))))
    assert len(rows) == 4 and rows[0][0] == "User id"
    assert "'=cmd|' /C calc'!A0" in [row[2] for row in rows]  # neutralised
    event = AuditEvent.objects.get(action="directory.export_locations_download")
    assert event.actor == requester and event.after == {"export": export.pk, "format": "csv", "rows": 3}


def test_a_download_before_the_file_is_ready_is_409(accounts, requester):
    client = signed_in(requester)
    start(client)
    export = LocationExport.objects.get()
    response = client.get(f"/locations/exports/{export.pk}/download")
    assert response.status_code == 409 and b"not ready yet" in response.content
    LocationExport.objects.filter(pk=export.pk).update(status="failed", error="the database went away")
    response = client.get(f"/locations/exports/{export.pk}/download")
    assert response.status_code == 409 and b"failed (the database went away)" in response.content
    assert not AuditEvent.objects.filter(action="directory.export_locations_download").exists()


def test_a_download_after_the_file_expired_is_410(accounts, requester):
    client = signed_in(requester)
    start(client)
    export = export_jobs.location_export_run(export_id=LocationExport.objects.get().pk)
    LocationExport.objects.filter(pk=export.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client.get(f"/locations/exports/{export.pk}/download")
    assert response.status_code == 410 and b"deleted 24 hours after it was ready" in response.content
    export_jobs.location_export_purge_expired()
    assert client.get(f"/locations/exports/{export.pk}/download").status_code == 410
    html = client.get(f"/locations/exports/{export.pk}/").content.decode()
    assert "This file was deleted" in html and "/download" not in html


# --- who may see it -------------------------------------------------------------------------------------
def test_another_staff_member_gets_404_and_an_admin_may_see_and_download(accounts, requester):
    start(signed_in(requester))
    export = export_jobs.location_export_run(export_id=LocationExport.objects.get().pk)
    colleague = signed_in(make_staff("support", username="colleague"))
    assert colleague.get(f"/locations/exports/{export.pk}/").status_code == 404
    assert colleague.get(f"/locations/exports/{export.pk}/download").status_code == 404
    admin = signed_in(make_staff("admin", username="the-admin"))
    assert admin.get(f"/locations/exports/{export.pk}/").status_code == 200
    assert admin.get(f"/locations/exports/{export.pk}/download").status_code == 200


def test_every_export_view_needs_view_users(accounts, requester):
    start(signed_in(requester))
    export = LocationExport.objects.get()
    nobody = signed_in(make_staff(None))
    assert start(nobody).status_code == 403
    assert nobody.get(f"/locations/exports/{export.pk}/").status_code == 403
    assert nobody.get(f"/locations/exports/{export.pk}/download").status_code == 403
    anonymous = Client()
    assert anonymous.get(f"/locations/exports/{export.pk}/").status_code == 302
    assert LocationExport.objects.count() == 1
