"""Large /locations/ exports as background jobs (evadmin/driver_directory/export_jobs.py), run in this process."""

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from evadmin.audit.models import AuditEvent
from evadmin.core.jobs import job_claim
from evadmin.driver_directory import export_jobs
from evadmin.driver_directory.models import LocationExport, LocationExportChunk
from evadmin.driver_directory.search import DirectoryFilters, directory_search
from tests.driver_directory.factories import ApiUserFactory
from tests.staff.fixtures import make_staff


@pytest.fixture
def accounts(store_accounts):
    return store_accounts(
        ApiUserFactory(number=1, email="ada@example.com", full_name="Ada Lovelace", postal_code="SW1A 1AA"),
        ApiUserFactory(number=2, email="jean@example.fr", full_name="Jean Dupont", city="Paris", postal_code="75002",
                       country_code="FR"),
        ApiUserFactory(number=3, email="=HYPERLINK(\"http://evil.example\")@example.com", full_name="+Mallory",
                       city="-Leeds", postal_code="LS6 2AB"),
        ApiUserFactory(number=4, email="grace@example.com", full_name="Grace Hopper", city="@Leeds"),
    )


@pytest.fixture
def viewer(db):
    return make_staff("viewer")


def request_export(viewer, file_format="csv", **filters) -> LocationExport:
    return export_jobs.location_export_request(actor=viewer, file_format=file_format, query="",
                                               filters=DirectoryFilters(**filters), sort="postcode",
                                               query_string="sort=postcode")


def file_of(export: LocationExport) -> bytes:
    return b"".join(export_jobs.location_export_file(export=export))


def test_only_more_matches_than_the_inline_limit_make_an_export_large(accounts, settings):
    settings.EVADMIN_EXPORT_INLINE_ROWS = 3
    assert export_jobs.location_export_is_large(directory_search()) is True  # 4 accounts
    assert export_jobs.location_export_is_large(directory_search(filters=DirectoryFilters(country="GB"))) is False
    settings.EVADMIN_EXPORT_INLINE_ROWS = 4
    assert export_jobs.location_export_is_large(directory_search()) is False  # at the limit: still inline


def test_requesting_records_the_filters_and_an_audit_event_and_queues_the_task_on_commit(
    accounts, viewer, settings, django_capture_on_commit_callbacks, monkeypatch
):
    settings.EVADMIN_EXPORT_QUEUE = "exports-test"
    queued = []
    monkeypatch.setattr(export_jobs, "job_enqueue", lambda name, **kwargs: queued.append((name, kwargs)))
    with django_capture_on_commit_callbacks(execute=True):
        export = request_export(viewer, "xlsx", country="GB")
    assert queued == [("directory.export_run", {"queue": "exports-test", "export_id": export.pk})]
    assert (export.status, export.file_format, export.requested_by) == ("queued", "xlsx", viewer)
    assert export.filters == {"query": "", "filters": {"country": "GB"}, "sort": "postcode"}
    event = AuditEvent.objects.get(action="directory.export_locations_request")
    assert event.actor == viewer and event.job_ref == f"location-export-{export.pk}"
    assert event.after == {"export": export.pk, "format": "xlsx", "query": "", "filters": {"country": "GB"},
                           "sort": "postcode"}


def test_a_csv_export_is_written_in_chunks_with_progress_and_formulas_neutralised(
    accounts, viewer, settings, monkeypatch
):
    monkeypatch.setattr(export_jobs, "ROWS_PER_BEAT", 1)  # a chunk and a beat per row
    beats = []
    real_beat = export_jobs.Lease.beat
    monkeypatch.setattr(export_jobs.Lease, "beat", lambda lease, **changes: (beats.append(changes),
                                                                             real_beat(lease, **changes)))
    export = export_jobs.location_export_run(export_id=request_export(viewer, country="GB").pk)

    assert (export.status, export.rows_total, export.rows_written, export.requests_spent) == ("finished", 3, 3, 0)
    assert export.claim_token == "" and export.error == ""
    assert [b["rows_written"] for b in beats] == [0, 1, 2, 3]  # the start, then every ROWS_PER_BEAT rows
    assert export.expires_at == export.finished_at + timedelta(hours=settings.EVADMIN_EXPORT_KEEP_HOURS)
    assert export.chunks.count() == 3  # the heading with the first row, then one row each
    content = file_of(export)
    assert export.file_size == len(content)
    text = content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][:3] == ["User id", "Email", "Full name"]
    assert [row[0] for row in rows[1:]] == [accounts[2], accounts[0], accounts[3]]  # GB, by postcode
    mallory = rows[1]
    assert mallory[1] == "'=HYPERLINK(\"http://evil.example\")@example.com"
    assert mallory[2] == "'+Mallory" and mallory[5] == "'-Leeds"
    assert rows[3][5] == "'@Leeds"


def test_an_xlsx_export_is_one_workbook_stored_in_slices(accounts, viewer, monkeypatch):
    monkeypatch.setattr(export_jobs, "XLSX_CHUNK_BYTES", 1000)
    export = export_jobs.location_export_run(export_id=request_export(viewer, "xlsx").pk)
    assert export.status == "finished" and export.chunks.count() > 1
    sheet = load_workbook(io.BytesIO(file_of(export))).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0][0] == "User id" and len(rows) == 5
    by_id = {row[0]: row for row in rows[1:]}
    assert by_id[accounts[2]][1].startswith("'=HYPERLINK") and by_id[accounts[2]][2] == "'+Mallory"
    assert isinstance(by_id[accounts[0]][9], float)  # numbers stay numbers


def test_an_export_another_run_holds_is_left_alone_and_a_finished_one_is_not_written_again(accounts, viewer):
    export = request_export(viewer)
    lease = job_claim(LocationExport, pk=export.pk, stale_after=export_jobs.EXPORT_STALE_AFTER)
    assert export_jobs.location_export_run(export_id=export.pk).status == "queued"
    assert not LocationExportChunk.objects.exists()
    lease.release()
    finished = export_jobs.location_export_run(export_id=export.pk)
    chunks = list(finished.chunks.values_list("pk", flat=True))
    assert export_jobs.location_export_run(export_id=export.pk).finished_at == finished.finished_at
    assert list(finished.chunks.values_list("pk", flat=True)) == chunks


def test_an_abandoned_run_is_taken_over_and_starts_the_file_over(accounts, viewer):
    export = request_export(viewer)
    job_claim(LocationExport, pk=export.pk, stale_after=export_jobs.EXPORT_STALE_AFTER)
    LocationExportChunk.objects.create(export=export, sequence=0, data=b"half a file from a dead worker")
    LocationExport.objects.filter(pk=export.pk).update(
        status="running", heartbeat_at=timezone.now() - export_jobs.EXPORT_STALE_AFTER - timedelta(seconds=1))
    export = export_jobs.location_export_run(export_id=export.pk)
    assert export.status == "finished" and b"dead worker" not in file_of(export)


def test_a_failed_export_says_why_and_keeps_no_half_file(accounts, viewer):
    export = request_export(viewer)
    LocationExport.objects.filter(pk=export.pk).update(filters={"filters": {"no_such_filter": "x"}})
    with pytest.raises(TypeError):
        export_jobs.location_export_run(export_id=export.pk)
    export.refresh_from_db()
    assert export.status == "failed" and "no_such_filter" in export.error and export.claim_token == ""
    assert not export.chunks.exists()
    with pytest.raises(export_jobs.ExportNotReady):
        export_jobs.location_export_file(export=export)


def test_the_file_is_not_served_before_it_is_ready_nor_after_it_expired(accounts, viewer):
    export = request_export(viewer)
    with pytest.raises(export_jobs.ExportNotReady):
        export_jobs.location_export_file(export=export)
    export = export_jobs.location_export_run(export_id=export.pk)
    assert file_of(export)
    LocationExport.objects.filter(pk=export.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    export.refresh_from_db()
    with pytest.raises(export_jobs.ExportExpired):
        export_jobs.location_export_file(export=export)


def test_the_purge_deletes_only_expired_files_and_keeps_the_rows(accounts, viewer):
    expired = export_jobs.location_export_run(export_id=request_export(viewer).pk)
    fresh = export_jobs.location_export_run(export_id=request_export(viewer, "xlsx").pk)
    running = request_export(viewer)
    LocationExport.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(minutes=1))

    assert export_jobs.location_export_purge_expired() == 1
    assert not LocationExportChunk.objects.filter(export=expired).exists()
    assert LocationExportChunk.objects.filter(export=fresh).exists()
    expired.refresh_from_db()
    assert expired.purged_at is not None and LocationExport.objects.count() == 3
    assert LocationExport.objects.get(pk=running.pk).purged_at is None
    assert export_jobs.location_export_purge_expired() == 0  # already purged
    with pytest.raises(export_jobs.ExportExpired):
        export_jobs.location_export_file(export=expired)


def test_the_purge_runs_hourly_from_beat(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["directory-exports-purge"]
    assert entry["task"] == "directory.export_purge_expired" and entry["schedule"] == 3600.0
    from evadmin.driver_directory import tasks

    assert tasks.location_export_purge_expired.name == entry["task"]
    assert tasks.location_export_run.name == export_jobs.RUN_TASK


def test_exports_whose_task_was_lost_or_whose_worker_died_are_queued_again(accounts, viewer, monkeypatch, settings):
    settings.EVADMIN_EXPORT_QUEUE = "exports-test"
    queued = []
    monkeypatch.setattr(export_jobs, "job_enqueue", lambda name, **kwargs: queued.append(kwargs["export_id"]))
    now = timezone.now()
    lost = request_export(viewer)  # its task never reached a worker
    waiting = request_export(viewer)  # asked for a minute ago: still in the queue
    dead = request_export(viewer)  # its worker stopped beating
    alive = request_export(viewer)
    done = export_jobs.location_export_run(export_id=request_export(viewer).pk)
    LocationExport.objects.filter(pk__in=[lost.pk, dead.pk, alive.pk, done.pk]).update(
        requested_at=now - export_jobs.REVIVE_QUEUED_AFTER - timedelta(seconds=1))
    LocationExport.objects.filter(pk=waiting.pk).update(requested_at=now - timedelta(minutes=1))
    LocationExport.objects.filter(pk=dead.pk).update(status="running", claim_token="x",
                                                     heartbeat_at=now - export_jobs.EXPORT_STALE_AFTER * 2)
    LocationExport.objects.filter(pk=alive.pk).update(status="running", claim_token="y", heartbeat_at=now)

    assert export_jobs.location_exports_revive(now=now) == 2
    assert sorted(queued) == sorted([lost.pk, dead.pk])
    # The revived run takes the dead one over and finishes it.
    assert export_jobs.location_export_run(export_id=dead.pk).status == "finished"
    assert settings.CELERY_BEAT_SCHEDULE["directory-exports-revive"]["task"] == "directory.export_revive"
