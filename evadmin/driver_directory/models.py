"""The directory: a local copy of every account, refreshed from the API by Celery.

The API can only look a user up by exact email or page through everyone in creation order, at
a cost of one request per 100 accounts from a budget of 1,000 an hour. The directory answers
searches, filters and audits locally. The API stays the source of truth: detail pages read
live, and evadmin's own writes update the directory at once (`directory_upsert_user`).
"""

from django.conf import settings
from django.db import models

from evadmin.core.jobs import LeasedJob


class DirectoryAccount(models.Model):
    """One account as last seen in the API, flattened for searching and filtering."""

    user_id = models.CharField(max_length=30, unique=True)  # ULID: orders by creation
    email = models.CharField(max_length=254)
    email_normalised = models.CharField(max_length=254)  # trimmed, case-folded; indexed below
    full_name = models.CharField(max_length=255, blank=True)
    joined_at = models.DateTimeField(null=True, blank=True)
    terms_consent_at = models.DateTimeField(null=True, blank=True)

    has_location = models.BooleanField(default=False)
    address_1 = models.CharField(max_length=255, blank=True)
    address_2 = models.CharField(max_length=255, blank=True)
    city = models.CharField(max_length=255, blank=True)
    state = models.CharField(max_length=255, blank=True)
    postal_code = models.CharField(max_length=32, blank=True)
    country_code = models.CharField(max_length=2, blank=True)  # indexed below
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)

    tariff_id = models.CharField(max_length=30, blank=True, db_index=True)
    tariff_name = models.CharField(max_length=255, blank=True)
    tariff_currency = models.CharField(max_length=3, blank=True)
    supplier_id = models.CharField(max_length=30, blank=True, db_index=True)
    supplier_name = models.CharField(max_length=255, blank=True)
    evse_site_id = models.CharField(max_length=30, blank=True)  # indexed below

    vehicle_count = models.PositiveIntegerField(default=0)
    evse_count = models.PositiveIntegerField(default=0)

    # Lower-cased email, name, address, postcode (with and without spaces) and id, for free-text search.
    search_text = models.TextField(blank=True)
    synced_at = models.DateTimeField()
    gone_at = models.DateTimeField(null=True, blank=True)  # not listed by a complete full sync

    class Meta:
        ordering = ["user_id"]
        # Every sortable column (search.SORT_FIELDS) has a B-tree index ending in user_id, the
        # tie-breaker, so a sorted page of 100,000 accounts reads just that page: without the
        # tie-breaker PostgreSQL reads and sorts every tie (all 30,000 GB accounts when sorting by
        # country), and sorting by an unindexed column took 60-80 ms. One country by postcode or
        # city, the locations page's usual view, has its own. The trigram index on search_text is
        # PostgreSQL-only: see migration 0002.
        indexes = [
            models.Index(fields=[*columns, "user_id"], name=f"directory_by_{name}")
            for name, columns in (
                ("email", ["email_normalised"]), ("name", ["full_name"]), ("joined", ["joined_at"]),
                ("address", ["address_1"]), ("city", ["city"]), ("postcode", ["postal_code"]),
                ("country", ["country_code"]), ("coordinates", ["latitude", "longitude"]),
                ("tariff", ["tariff_name"]), ("supplier", ["supplier_name"]), ("site", ["evse_site_id"]),
                ("vehicles", ["vehicle_count"]), ("chargers", ["evse_count"]),
                ("country_postcode", ["country_code", "postal_code"]), ("country_city", ["country_code", "city"]),
            )
        ]

    def __str__(self) -> str:
        return f"{self.email} ({self.user_id})"


class DirectorySync(LeasedJob):
    """One sync run, with the checkpoint a crashed run resumes from."""

    class Kind(models.TextChoices):
        FULL = "full", "Full"
        INCREMENTAL = "incremental", "Incremental"

    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        COMPLETE = "complete", "Complete"
        FAILED = "failed", "Failed"

    kind = models.CharField(max_length=12, choices=Kind.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The last user id stored: the next page starts after it (page_after), also after a crash.
    cursor = models.CharField(max_length=30, blank=True)
    accounts_seen = models.PositiveIntegerField(default=0)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    # The lease columns (claim_token, heartbeat_at, due_at, requests_spent, error, waiting_reason)
    # come from core.jobs.LeasedJob: a run let go to wait for the budget or a Retry-After is due
    # to continue at due_at.
    failures = models.PositiveIntegerField(default=0)  # consecutive failed attempts; reset by a stored page
    # A full sync that would mark more than EVADMIN_DIRECTORY_MAX_GONE_SHARE of the directory gone
    # marks none (the API listing nobody is likelier than everyone leaving): how many it held back,
    # a digest of which (a later full sync holding back the same accounts agrees, and proceeds),
    # and the sentence staff read.
    gone_held_back = models.PositiveIntegerField(default=0)
    gone_held_back_digest = models.CharField(max_length=64, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            # One sync at a time: a beat tick and a "Sync now" click can't both start one.
            models.UniqueConstraint(
                fields=["status"], condition=models.Q(status="running"), name="directory_one_running_sync"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} sync {self.pk} ({self.status})"


class LocationExport(LeasedJob):
    """A /locations/ export too large to write inside the request, prepared by a Celery task.

    The file lives in the database (LocationExportChunk rows), not on a disk only one web server
    sees; it goes after EVADMIN_EXPORT_KEEP_HOURS (expires_at), the row and the audit trail stay.
    """

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "XLSX"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        FINISHED = "finished", "Finished"
        FAILED = "failed", "Failed"

    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    file_format = models.CharField(max_length=4, choices=Format.choices)
    # The /locations/ filters as their query string (what the job searches again) and as cleaned
    # values (for the page and the audit trail).
    query_string = models.TextField(blank=True)
    filters = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    rows_total = models.PositiveIntegerField(default=0)
    rows_written = models.PositiveIntegerField(default=0)
    file_size = models.PositiveBigIntegerField(default=0)  # bytes, once finished
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)  # set when finished; the file goes then
    purged_at = models.DateTimeField(null=True, blank=True)  # when the file was deleted

    class Meta:
        ordering = ["-requested_at", "-pk"]
        indexes = [models.Index(fields=["expires_at"], name="location_export_expiry")]

    def __str__(self) -> str:
        return f"Locations export {self.pk} ({self.file_format}, {self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.FINISHED, self.Status.FAILED)

    @property
    def percent(self) -> int:
        if self.status == self.Status.FINISHED:
            return 100
        return min(99, self.rows_written * 100 // self.rows_total) if self.rows_total else 0

    @property
    def filename(self) -> str:
        return f"evadmin-locations-{self.requested_at:%Y%m%d-%H%M%S}.{self.file_format}"


class LocationExportChunk(models.Model):
    """One piece of an export's file, in order: a 15 MB file is fifteen rows, never one giant one."""

    export = models.ForeignKey(LocationExport, on_delete=models.CASCADE, related_name="chunks")
    sequence = models.PositiveIntegerField()
    data = models.BinaryField()

    class Meta:
        ordering = ["export", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["export", "sequence"], name="location_export_chunk_sequence"),
        ]
