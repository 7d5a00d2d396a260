"""An uploaded file becomes a draft BulkJob: its bytes, and one checked BulkRow per data row.

All of it happens in one transaction, so a file found broken part-way through (a quote never
closed on line 90,000, one row too many) leaves nothing stored. Nothing is sent to the API
except, when the file names tariffs or EVSE sites, the cached reference lists being loaded.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import BinaryIO

from django.conf import settings
from django.db import connection, transaction
from django.http import HttpRequest
from django.utils import timezone

from evadmin.audit import actions
from evadmin.audit.services import audit_record
from evadmin.bulk.columns import UPDATE_KEY_COLUMN
from evadmin.bulk.models import BulkFileChunk, BulkJob, BulkRow
from evadmin.bulk.selectors import directory_user_ids_for
from evadmin.bulk.upload.reading import ParsedRow, upload_scan, upload_table
from evadmin.bulk.upload.row_checks import CheckedRow, RowChecker

# Rows checked, matched against the directory (one query, under SQLite's 999 parameters) and
# inserted together; the batch also bounds memory. Measured (`python -m bench.run --only preview`
# times the same upload): 100,000 rows in 4.6-5.6 s on SQLite and 6.0-6.5 s on PostgreSQL (2 busy
# cores), with a peak of 16 MB of Python allocations (tracemalloc), mostly the emails seen so far
# (for duplicates).
ROW_BATCH = 900
# The file is stored in pieces of this size (BulkFileChunk), so it is never held whole in memory.
FILE_CHUNK_BYTES = 1024 * 1024


def bulk_job_create_from_upload(
    *, file: BinaryIO, file_name: str, actor, request: HttpRequest | None = None, checker: RowChecker | None = None
) -> BulkJob:
    """Check the file, store it and its rows as a draft job, and return the job.

    `file` is a seekable binary file (Django's UploadedFile.file). Raises parsing.FileRejected,
    with nothing stored, when the file cannot be used as a whole.
    """
    max_bytes = settings.EVADMIN_BULK_MAX_UPLOAD_BYTES
    facts = upload_scan(file, max_bytes=max_bytes)
    with transaction.atomic():
        job = BulkJob.objects.create(
            kind=BulkJob.Kind.ONBOARD, created_by=actor, file_name=(file_name or "upload")[:255],
            file_format=facts.format, file_encoding=facts.encoding, file_size=facts.size, file_sha256=facts.sha256,
            purge_after=timezone.now() + timedelta(days=settings.EVADMIN_BULK_RETENTION_DAYS),
        )
        table = upload_table(file, facts, max_rows=settings.EVADMIN_BULK_MAX_ROWS, max_bytes=max_bytes)
        if UPDATE_KEY_COLUMN in table.columns:
            # A file naming accounts by user_id changes them; the policy is "update" by definition.
            job.kind, job.existing_policy = BulkJob.Kind.UPDATE, BulkJob.ExistingPolicy.UPDATE
            job.save(update_fields=["kind", "existing_policy"])
        writer = _RowWriter(job=job, checker=checker or RowChecker())
        for parsed in table.rows:
            writer.add(parsed)
        writer.flush()
        _store_file(job=job, file=file)
        counts = writer.counts
        job.columns, job.notes = table.columns, table.notes
        job.rows_total = sum(counts.values())
        job.rows_valid = counts[BulkRow.State.PENDING]
        job.rows_invalid = counts[BulkRow.State.INVALID]
        job.rows_duplicate = counts[BulkRow.State.SKIPPED]
        job.rows_existing = writer.existing
        job.save(update_fields=["columns", "notes", "rows_total", "rows_valid", "rows_invalid", "rows_duplicate",
                                "rows_existing"])
        audit_record(
            actor=actor, action=actions.BULK_JOB_UPLOAD, job_ref=job.pk, request=request,
            after={"file_name": job.file_name, "sha256": job.file_sha256, "rows": job.rows_total,
                   "valid": job.rows_valid, "invalid": job.rows_invalid, "duplicates": job.rows_duplicate,
                   "existing": job.rows_existing},
        )
    return job


class _RowWriter:
    """Checks rows, decides each one's first state, and inserts them in batches."""

    def __init__(self, *, job: BulkJob, checker: RowChecker) -> None:
        self.job = job
        self.checker = checker
        self.first_row_of: dict[str, int] = {}  # normalised email -> the valid row that claimed it
        self.batch: list[_NewRow] = []
        self.counts: Counter = Counter()  # rows per state
        self.existing = 0  # valid rows whose email the directory knows

    def add(self, parsed: ParsedRow) -> None:
        update = self.job.kind == BulkJob.Kind.UPDATE
        checked = self.checker.check(parsed.values, update=update)
        row = _NewRow(parsed, checked)
        problems = [*parsed.problems, *checked.errors]
        first = self.first_row_of.get(checked.match_key)
        if problems:
            row.state, row.error = BulkRow.State.INVALID, "; ".join(problems)
        elif first is not None:
            row.state = BulkRow.State.SKIPPED
            row.error = (f"Same user id as row {first}: the account is changed once, from row {first}." if update else
                         f"Same email as row {first} (ignoring case): the account is created once, from row {first}.")
        else:
            self.first_row_of[checked.match_key] = parsed.row_number
        self.batch.append(row)
        if len(self.batch) >= ROW_BATCH:
            self.flush()

    def flush(self) -> None:
        pending = [row for row in self.batch if row.state == BulkRow.State.PENDING]
        if self.job.kind == BulkJob.Kind.UPDATE:
            _match_user_ids(pending)
        known = {} if self.job.kind == BulkJob.Kind.UPDATE else directory_user_ids_for(
            {row.checked.match_key for row in pending})
        for row in pending:
            row.directory_user_id = known.get(row.checked.match_key, row.directory_user_id)
        _insert_rows(self.batch, job=self.job)
        self.counts.update(row.state for row in self.batch)
        self.existing += sum(1 for row in pending if row.directory_user_id)
        self.batch = []


def _match_user_ids(rows: list[_NewRow]) -> None:
    """Update rows: the directory's account for each user id (its email shown), else an error."""
    from evadmin.driver_directory.models import DirectoryAccount

    ids = [row.checked.match_key for row in rows]
    emails = dict(DirectoryAccount.objects.filter(user_id__in=ids, gone_at__isnull=True)
                  .values_list("user_id", "email"))
    for row in rows:
        user_id = row.checked.match_key
        if user_id in emails:
            row.directory_user_id, row.checked.email = user_id, emails[user_id]
        else:
            row.state = BulkRow.State.INVALID
            row.error = f"user_id: no account {user_id} in the directory (check the id, or sync the directory)"


class _NewRow:
    __slots__ = ("parsed", "checked", "state", "error", "directory_user_id")

    def __init__(self, parsed: ParsedRow, checked: CheckedRow) -> None:
        self.parsed, self.checked = parsed, checked
        self.state, self.error, self.directory_user_id = BulkRow.State.PENDING, "", ""


# The columns _insert_rows fills: every NOT NULL column of BulkRow (sent_at stays NULL).
_INSERT_FIELDS = ("job", "row_number", "email", "match_key", "values", "location", "directory_user_id",
                  "state", "attempts", "user_id", "error", "created_at", "updated_at")


def _insert_rows(rows: list[_NewRow], *, job: BulkJob) -> None:
    """INSERT the rows without building model instances: COPY on PostgreSQL, executemany elsewhere.

    Measured on 100,000 rows (the upload bench/preview.py times): bulk_create spent most of the upload
    compiling SQL field by field (16.8 s in all on SQLite, of which about 10 s in the ORM);
    executemany brought SQLite to 6.4 s but costs PostgreSQL a round trip per row (16.5 s);
    multi-row INSERTs were slower on both (psycopg splits a long query's placeholders in Python);
    COPY is PostgreSQL's bulk path. Values are adapted as the fields would adapt them.
    """
    ops = connection.ops
    columns = ", ".join(ops.quote_name(BulkRow._meta.get_field(name).column) for name in _INSERT_FIELDS)
    table = ops.quote_name(BulkRow._meta.db_table)
    now = ops.adapt_datetimefield_value(timezone.now())
    params = [
        (job.pk, row.parsed.row_number, row.checked.email, row.checked.match_key,
         ops.adapt_json_value(row.parsed.values, None),
         None if row.checked.location is None else ops.adapt_json_value(row.checked.location, None),
         row.directory_user_id, row.state, 0, "", row.error, now, now)
        for row in rows
    ]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for values in params:
                    copy.write_row(values)
        else:
            placeholders = ", ".join(["%s"] * len(_INSERT_FIELDS))
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", params)


def _store_file(*, job: BulkJob, file: BinaryIO) -> None:
    file.seek(0)
    seq = 0
    while data := file.read(FILE_CHUNK_BYTES):
        BulkFileChunk.objects.create(job=job, seq=seq, data=data)
        seq += 1

