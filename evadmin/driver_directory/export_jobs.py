"""Large /locations/ exports as background jobs: request one, write it on a worker, serve it, purge it.

At or under EVADMIN_EXPORT_INLINE_ROWS matching accounts the export stays in the request (views.
location_export). Above it the request only creates a LocationExport row; the Celery task claims it
through the job kernel (core/jobs.py), writes the file into LocationExportChunk rows, beating its
progress (rows_written) every chunk, and finishes. It reads evadmin's own directory: no API request.
"""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Iterable, Iterator
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from openpyxl import Workbook

from evadmin.audit import actions
from evadmin.audit.services import audit_record
from evadmin.core.exports import UTF8_BOM
from evadmin.core.jobs import Lease, LostClaim, job_claim, job_enqueue
from evadmin.driver_directory.exports import LOCATION_HEADINGS, location_rows
from evadmin.driver_directory.models import DirectoryAccount, LocationExport, LocationExportChunk
from evadmin.driver_directory.search import DirectoryFilters, directory_search

logger = logging.getLogger(__name__)

RUN_TASK = "directory.export_run"
EXPORT_REQUESTED = actions.DIRECTORY_EXPORT_LOCATIONS_REQUEST
EXPORT_DOWNLOADED = actions.DIRECTORY_EXPORT_LOCATIONS_DOWNLOAD
# Rows between two progress beats, and per CSV chunk row: 2,000 rows are ~300 KB of CSV and take
# ~0.2 s to read and write here, so the page's bar moves every poll and a chunk stays small.
ROWS_PER_BEAT = 2000
# An XLSX file is only whole once openpyxl saves it (a zip): it is stored in slices of this size.
XLSX_CHUNK_BYTES = 1024 * 1024
# A run beats every ROWS_PER_BEAT rows (well under a second): a minute of silence means its worker died,
# and the next delivery (acks_late) or a new request starts the file over.
EXPORT_STALE_AFTER = timedelta(minutes=1)
# A queued export no worker took this long after it was asked for lost its task (broker restart): beat's
# revive queues it again. Longer than any queue wait behind a 100,000-row export (~20 s, bench/directory.py).
REVIVE_QUEUED_AFTER = timedelta(minutes=5)


class ExportNotReady(Exception):
    """The file is not written yet (or the job failed): the download answers 409."""


class ExportExpired(Exception):
    """The file was deleted after EVADMIN_EXPORT_KEEP_HOURS: the download answers 410."""


def location_export_is_large(accounts: QuerySet[DirectoryAccount]) -> bool:
    """More matches than EVADMIN_EXPORT_INLINE_ROWS? Counts at most one past it (cheap on any filter)."""
    limit = settings.EVADMIN_EXPORT_INLINE_ROWS
    return accounts.order_by()[: limit + 1].count() > limit


def location_export_request(*, actor, file_format: str, query: str, filters: DirectoryFilters, sort: str,
                            query_string: str = "", request=None) -> LocationExport:
    """Create the export job and queue its task once this transaction commits (with the audit event)."""
    if file_format not in LocationExport.Format.values:
        raise ValueError(f"unknown export format {file_format!r}")
    described = {"query": query, "filters": filters.active(), "sort": sort}
    with transaction.atomic():
        export = LocationExport.objects.create(requested_by=actor, file_format=file_format,
                                               query_string=query_string, filters=described)
        audit_record(actor=actor, action=EXPORT_REQUESTED, request=request, job_ref=f"location-export-{export.pk}",
                     after={"export": export.pk, "format": file_format, **described})
        transaction.on_commit(partial(job_enqueue, RUN_TASK, queue=settings.EVADMIN_EXPORT_QUEUE,
                                      export_id=export.pk))
    return export


def location_export_run(*, export_id: int) -> LocationExport:
    """Claim the export and write its file to the end (a duplicate delivery finds it claimed or done)."""
    export = LocationExport.objects.get(pk=export_id)
    if export.is_finished:
        return export
    lease = job_claim(LocationExport, pk=export.pk, stale_after=EXPORT_STALE_AFTER,
                      when=Q(status__in=[LocationExport.Status.QUEUED, LocationExport.Status.RUNNING]))
    if lease is None:
        export.refresh_from_db()
        return export
    try:
        return location_export_write(export=export, lease=lease)
    except LostClaim:
        # Another run took the export over (ours looked dead): its file is the one that counts.
        export.refresh_from_db()
        return export
    except Exception as exc:
        LocationExportChunk.objects.filter(export=export).delete()  # half a file is no use to anyone
        lease.release(status=LocationExport.Status.FAILED, error=f"{type(exc).__name__}: {exc}",
                      finished_at=timezone.now())
        logger.exception("location export %s failed", export.pk)
        raise


def location_export_write(*, export: LocationExport, lease: Lease) -> LocationExport:
    """Write the whole file from the start (a run taking over a dead one starts over too)."""
    started = timezone.now()
    LocationExportChunk.objects.filter(export=export).delete()
    accounts = _accounts_of(export)
    rows_total = accounts.count()
    lease.beat(status=LocationExport.Status.RUNNING, rows_total=rows_total, rows_written=0, error="")
    rows = _beating(location_rows(accounts), lease)
    writer = _write_csv if export.file_format == LocationExport.Format.CSV else _write_xlsx
    size = sum(len(chunk) for chunk in _stored(export, writer(rows)))
    finished = timezone.now()
    lease.release(status=LocationExport.Status.FINISHED, rows_written=rows_total, file_size=size,
                  finished_at=finished, expires_at=finished + timedelta(hours=settings.EVADMIN_EXPORT_KEEP_HOURS))
    logger.info("location export %s: %s rows, %s bytes in %.1f s", export.pk, rows_total, size,
                (finished - started).total_seconds())
    export.refresh_from_db()
    return export


def _accounts_of(export: LocationExport) -> QuerySet[DirectoryAccount]:
    described = export.filters
    return directory_search(described.get("query", ""), DirectoryFilters(**described.get("filters", {})),
                            described.get("sort", ""))


def _beating(rows: Iterable[list], lease: Lease) -> Iterator[list]:
    """The rows, beating rows_written every ROWS_PER_BEAT (LostClaim stops a run that was taken over)."""
    written = 0
    for row in rows:
        yield row
        written += 1
        if written % ROWS_PER_BEAT == 0:
            lease.beat(rows_written=written)


def _write_csv(rows: Iterable[list]) -> Iterator[bytes]:
    """CSV as the in-request export writes it (BOM, heading), in pieces of ROWS_PER_BEAT rows."""
    buffer = io.StringIO()
    buffer.write(UTF8_BOM)
    writer = csv.writer(buffer)
    writer.writerow(LOCATION_HEADINGS)
    for number, row in enumerate(rows, start=1):
        writer.writerow(row)
        if number % ROWS_PER_BEAT == 0:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue().encode()


def _write_xlsx(rows: Iterable[list]) -> Iterator[bytes]:
    """The workbook (openpyxl's write-only mode, as exports.locations_xlsx), in XLSX_CHUNK_BYTES slices."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Locations")
    sheet.append(LOCATION_HEADINGS)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    content = buffer.getbuffer()
    for start in range(0, len(content), XLSX_CHUNK_BYTES):
        yield bytes(content[start:start + XLSX_CHUNK_BYTES])


def _stored(export: LocationExport, pieces: Iterable[bytes]) -> Iterator[bytes]:
    for sequence, piece in enumerate(pieces):
        LocationExportChunk.objects.create(export=export, sequence=sequence, data=piece)
        yield piece


def location_export_file(*, export: LocationExport) -> Iterator[bytes]:
    """The file's bytes, a chunk at a time (raises ExportNotReady or ExportExpired)."""
    if export.purged_at is not None or (export.expires_at is not None and export.expires_at <= timezone.now()):
        raise ExportExpired
    if export.status != LocationExport.Status.FINISHED:
        raise ExportNotReady
    sequences = list(export.chunks.order_by("sequence").values_list("sequence", flat=True))
    return _chunks(export.pk, sequences)


def _chunks(export_id: int, sequences: list[int]) -> Iterator[bytes]:
    # One chunk read at a time, so a 15 MB file never sits in memory whole.
    for sequence in sequences:
        data = (LocationExportChunk.objects.filter(export_id=export_id, sequence=sequence)
                .values_list("data", flat=True).get())
        yield bytes(data)


def location_export_record_download(*, export: LocationExport, actor, request=None) -> None:
    audit_record(actor=actor, action=EXPORT_DOWNLOADED, request=request, job_ref=f"location-export-{export.pk}",
                 after={"export": export.pk, "format": export.file_format, "rows": export.rows_total})


def location_exports_revive(*, now=None) -> int:
    """Queue again the exports no run is carrying: queued for longer than REVIVE_QUEUED_AFTER (the task was
    lost with a broker restart) or running with a heartbeat older than EXPORT_STALE_AFTER (its worker died,
    and the redelivered task came while the heartbeat still looked alive). Returns how many."""
    now = now or timezone.now()
    unfinished = Q(status__in=[LocationExport.Status.QUEUED, LocationExport.Status.RUNNING])
    never_taken = Q(status=LocationExport.Status.QUEUED, claim_token="", requested_at__lt=now - REVIVE_QUEUED_AFTER)
    abandoned = unfinished & ~Q(claim_token="") & Q(heartbeat_at__lt=now - EXPORT_STALE_AFTER)
    lost = LocationExport.objects.filter(never_taken | abandoned)
    ids = list(lost.values_list("pk", flat=True))
    for export_id in ids:
        job_enqueue(RUN_TASK, queue=settings.EVADMIN_EXPORT_QUEUE, export_id=export_id)
    return len(ids)


def location_export_purge_expired(*, now=None) -> int:
    """Delete the files of exports past expires_at (rows and audit events stay); returns how many."""
    now = now or timezone.now()
    expired = LocationExport.objects.filter(expires_at__lte=now, purged_at__isnull=True)
    ids = list(expired.values_list("pk", flat=True))
    with transaction.atomic():
        LocationExportChunk.objects.filter(export_id__in=ids).delete()
        LocationExport.objects.filter(pk__in=ids).update(purged_at=now)
    return len(ids)
