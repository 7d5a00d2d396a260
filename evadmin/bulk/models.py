"""Bulk jobs and their rows: the database is the source of truth for every row's fate.

A job is created by an upload (evadmin/bulk/upload/drafts.py) with one BulkRow per data row of the
file, every row already checked without API calls. The job engine (a self-re-queuing Celery
"pump") later claims rows, sends them, and commits each outcome on the row, so any worker can
continue a job from the rows' states alone.

Job status (BulkJob.Status)
    draft ──submit──▶ queued                      (valid rows ≤ EVADMIN_BULK_APPROVAL_THRESHOLD)
    draft ──submit──▶ awaiting_approval ──approve──▶ queued
                                       (approver: accounts.run_bulk holder who is not created_by)
    queued ──pump's first run──▶ running ──▶ finished | failed
    running ⇄ paused;   draft | awaiting_approval | queued | running | paused ──▶ cancelled
  `services.bulk_job_start` is called when a job becomes queued and enqueues the pump.

Row state (BulkRow.State): see BulkRow's docstring for every transition.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from evadmin.core.jobs import LeasedJob

# The error of a row whose account already exists under the "error" policy (the user id follows).
EXISTING_ACCOUNT_MESSAGE = "An account with this email already exists: "

class BulkJob(LeasedJob):
    """One uploaded file and what becomes of it.

    The preview counts (`rows_*`) are fixed at upload; live per-state counts come from the rows
    (`selectors.bulk_job_state_counts`), which the (job, state) index makes cheap.
    """

    class Kind(models.TextChoices):
        ONBOARD = "onboard", "Onboard new users"
        UPDATE = "update", "Update locations and tariffs"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        AWAITING_APPROVAL = "awaiting_approval", "Awaiting approval"
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        PAUSED = "paused", "Paused"
        CANCELLED = "cancelled", "Cancelled"
        FINISHED = "finished", "Finished"
        FAILED = "failed", "Failed"

    class ExistingPolicy(models.TextChoices):
        """What happens to a row whose email already has an account (found in the directory)."""

        SKIP = "skip", "Skip them (the row is marked “already existed”)"
        UPDATE = "update", "Update their location and tariff from the file"
        ERROR = "error", "Report them as errors"

    class FileFormat(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "XLSX"

    # Statuses in which the pump may still send requests for the job.
    ACTIVE_STATUSES = (Status.QUEUED, Status.RUNNING)
    # Statuses the job never leaves.
    FINAL_STATUSES = (Status.CANCELLED, Status.FINISHED, Status.FAILED)

    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.ONBOARD)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True)
    # PROTECT: a job's owner and approver stay on record, like audit events' actors
    # (staff are deactivated, never deleted).
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="bulk_jobs")
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="bulk_jobs_approved"
    )
    existing_policy = models.CharField(max_length=10, choices=ExistingPolicy.choices, default=ExistingPolicy.SKIP)
    # A revert job (revert.py) is an update job made from another finished update job's audit trail.
    reverts = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="reverted_by")
    # Look every email up through the API just before creating it (2 requests per new account).
    strict_mode = models.BooleanField(default=False)

    # The uploaded file: its bytes are in BulkFileChunk rows (the database, so every web process
    # and worker can read it); these fields stay after the retention purge.
    file_name = models.CharField(max_length=255)
    file_format = models.CharField(max_length=4, choices=FileFormat.choices)
    file_encoding = models.CharField(max_length=16, blank=True)  # CSV only: utf-8, utf-8-sig, cp1252, utf-16
    file_size = models.PositiveBigIntegerField()
    file_sha256 = models.CharField(max_length=64, db_index=True)  # the same file uploaded again is found by this
    columns = models.JSONField(default=list)  # the recognised columns, canonical names, in file order
    notes = models.JSONField(default=list)  # sentences for the preview: ignored columns, other sheets…

    # Preview counts, fixed at upload. valid = rows that passed every check and are not
    # duplicates (state pending); existing = valid rows whose email the directory knew.
    rows_total = models.PositiveIntegerField(default=0)
    rows_valid = models.PositiveIntegerField(default=0)
    rows_invalid = models.PositiveIntegerField(default=0)
    rows_duplicate = models.PositiveIntegerField(default=0)
    rows_existing = models.PositiveIntegerField(default=0)

    # For the engine (run/engine.py); the lease columns (claim_token, heartbeat_at, due_at,
    # requests_spent, error, waiting_reason) come from core.jobs.LeasedJob.
    # watermark_user_id: the newest user id in the directory when the job started sending;
    # accounts created by this job have larger ids (ULIDs sort by creation), so reconciliation
    # lists the users after it. precondition_failures: the directory sync the job runs first failed
    # this many times in a row (the job backs off, then pauses and tells its owner). pump_id names
    # the one live chain of pump tasks (run/chain.py): a task carrying another id does nothing; the
    # watchdog revives an active job whose due_at passed in silence.
    watermark_user_id = models.CharField(max_length=30, blank=True)
    precondition_failures = models.PositiveSmallIntegerField(default=0)
    pump_id = models.CharField(max_length=32, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)  # Start pressed
    approved_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)  # the pump's first run
    finished_at = models.DateTimeField(null=True, blank=True)  # reached a final status
    # The file and row data are deleted after this (services.bulk_job_purge); the job itself,
    # its counts and the audit events stay.
    purge_after = models.DateTimeField()
    purged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Bulk job {self.pk} ({self.file_name}, {self.status})"


class BulkFileChunk(models.Model):
    """One piece of an uploaded file, in order: written and read a chunk at a time, never whole."""

    job = models.ForeignKey(BulkJob, on_delete=models.CASCADE, related_name="file_chunks")
    seq = models.PositiveIntegerField()
    data = models.BinaryField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["job", "seq"], name="bulk_file_chunk_unique_seq")]


class BulkRow(models.Model):
    """One data row of the uploaded file and its fate. States and who moves them:

    Set at upload (imports.py), never changed by the upload again:
      pending    passed every check; waits to be sent. `location` holds what to send.
                 `directory_user_id` is set when the directory knew the email.
      invalid    FINAL. Failed a check made without API calls (`error` says which, per column),
                 or (at submit) its account exists and the policy is "error". Never sent.
      skipped    FINAL. Its email (ignoring case) is the same as an earlier valid row's; `error`
                 names that row. Never sent: one email is created once per job.

    At submit and again by the engine after its directory refresh (services):
      pending ─▶ existed   account known to the directory, policy "skip" (user_id := it). 0 requests.
      pending ─▶ invalid   account known to the directory, policy "error".
      pending stays        account known to the directory, policy "update": the engine PATCHes
                           `directory_user_id` with `location`.

    By the engine (each transition committed on its own):
      pending   ─▶ in_flight  committed BEFORE the POST/PATCH is sent (attempts += 1, sent_at).
      pending   ─▶ existed | invalid | (stays pending, directory_user_id := it)
                              strict mode: the lookup just before the POST found the email; the
                              row takes the existing-account policy as at submit.
      in_flight ─▶ created    POST answered 201 (user_id := the new user). FINAL.
      in_flight ─▶ updated    PATCH answered 200 (user_id := directory_user_id). FINAL.
      in_flight ─▶ failed     the API refused the request for good (4xx but 429; `error` is the
                              API's message). FINAL unless an operator retries failed rows.
      in_flight ─▶ uncertain  no answer (timeout, connection lost, 5xx after a POST): the account
                              may or may not exist. Never re-sent before reconciliation.
      in_flight found by a later pump (its worker died) ─▶ uncertain, exactly as above; a row
                              whose request was a PATCH (directory_user_id set) may go straight
                              back to pending instead: resending a PATCH cannot duplicate anyone.
      uncertain ─▶ created | existed   reconciliation found the email (listing users after the
                              job's watermark, or by email lookup): created if the account's id
                              is after the watermark, existed otherwise.
      uncertain ─▶ pending    reconciliation proved no account has the email: safe to send again.
      pending | uncertain ─▶ parked   after the bounded number of attempts. FINAL unless retried.
      failed | parked ─▶ pending      an operator's "retry failed rows".

    Update jobs (kind update, a file keyed by user_id; updates.py): `match_key` holds the
    user id (the key duplicates are found by), `email` the directory's email, `directory_user_id`
    the account. in_flight covers the GET and the PATCH; in_flight ─▶ updated also when nothing
    differed (no PATCH, `error` says so); a revert job's row whose account changed since the
    reverted job goes in_flight ─▶ failed with "Conflict: …" (`values["expected"]` holds the
    reverted job's after-image).

    Only `pending` rows are ever sent; only `in_flight` / `uncertain` rows need reconciliation.
    QuerySet.update() does not touch auto_now fields: every transition sets `updated_at` itself.
    """

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        IN_FLIGHT = "in_flight", "In flight"
        CREATED = "created", "Created"
        EXISTED = "existed", "Already existed"
        UPDATED = "updated", "Updated"
        FAILED = "failed", "Failed"
        UNCERTAIN = "uncertain", "Uncertain"
        PARKED = "parked", "Parked"
        SKIPPED = "skipped", "Skipped (duplicate)"
        INVALID = "invalid", "Invalid"

    # Rows that will never be sent and do not claim their email (see the constraint below).
    NOT_SENT_STATES = (State.INVALID, State.SKIPPED)
    # Rows whose outcome is settled (failed and parked may still be retried by an operator).
    FINAL_STATES = (State.CREATED, State.EXISTED, State.UPDATED, State.INVALID, State.SKIPPED)
    # Rows whose account may exist without the row knowing it: reconcile before sending anything.
    UNRESOLVED_STATES = (State.IN_FLIGHT, State.UNCERTAIN)

    job = models.ForeignKey(BulkJob, on_delete=models.CASCADE, related_name="rows")
    # The spreadsheet's row number: the header is row 1, the first data row 2 (blank lines count,
    # so the number matches what Excel shows).
    row_number = models.PositiveIntegerField()
    email = models.CharField(max_length=254, blank=True)  # as in the file, trimmed (cut to 254 if longer)
    # What rows are matched and de-duplicated by: the normalised email (validation.normalise_email)
    # of an onboarding row, the user id of an update row.
    match_key = models.CharField(max_length=254, blank=True)
    values = models.JSONField(default=dict)  # the file's non-blank cells by canonical column, as text
    # What the file sets for the account's default_location, in the users form's shape (tariff and
    # evse_site as ids, coordinates as {latitude, longitude}); only the keys the row gives; null for
    # none. evenergy.payloads.location_to_api turns it into the API's shape.
    location = models.JSONField(null=True, blank=True)
    directory_user_id = models.CharField(max_length=30, blank=True)  # the directory's account for the email
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)  # requests started for this row
    user_id = models.CharField(max_length=30, blank=True)  # the account created, updated or found
    error = models.TextField(blank=True)  # why invalid / skipped / failed / parked, for people
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    sent_at = models.DateTimeField(null=True, blank=True)  # when the last request for it was sent

    class Meta:
        ordering = ["job", "row_number"]
        constraints = [
            models.UniqueConstraint(fields=["job", "row_number"], name="bulk_row_unique_number"),
            # The guard behind "the same email in one job is created once": at most one row per
            # normalised email that can be (or was) sent. Duplicates are stored as skipped.
            models.UniqueConstraint(
                fields=["job", "match_key"],
                condition=~Q(state__in=["invalid", "skipped"]),
                name="bulk_row_one_sendable_row_per_email",
            ),
        ]
        indexes = [
            models.Index(fields=["job", "state"], name="bulk_row_job_state"),
            models.Index(fields=["job", "match_key"], name="bulk_row_job_match_key"),
            # The engine's fair share and the estimator's pace read a job's latest rows sent.
            models.Index(fields=["job", "sent_at"], name="bulk_row_job_sent_at"),
        ]

    def __str__(self) -> str:
        return f"Row {self.row_number} of job {self.job_id} ({self.state})"

    @property
    def address_summary(self) -> str:
        """The address as the file gave it, on one line, for the preview."""
        parts = (self.values.get(name) for name in ("address_1", "city", "postal_code", "country_code"))
        return ", ".join(part for part in parts if part)


class BulkNotice(models.Model):
    """An in-app notice for a staff member (a job of theirs finished), shown on the jobs page until read."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="bulk_notices")
    job = models.ForeignKey(BulkJob, on_delete=models.CASCADE, related_name="notices")
    message = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
