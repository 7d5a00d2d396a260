"""The directory: a local copy of every account, refreshed from the API by Celery.

The API can only look a user up by exact email or page through everyone in creation order, at
a cost of one request per 100 accounts from a budget of 1,000 an hour. The directory answers
searches, filters and audits locally. The API stays the source of truth: detail pages read
live, and evadmin's own writes update the directory at once (`directory_upsert_user`).
"""

from django.conf import settings
from django.db import models


class DirectoryAccount(models.Model):
    """One account as last seen in the API, flattened for searching and filtering."""

    user_id = models.CharField(max_length=30, unique=True)  # ULID: orders by creation
    email = models.CharField(max_length=254)
    email_normalised = models.CharField(max_length=254, db_index=True)  # trimmed, case-folded
    full_name = models.CharField(max_length=255, blank=True)
    joined_at = models.DateTimeField(null=True, blank=True)
    terms_consent_at = models.DateTimeField(null=True, blank=True)

    has_location = models.BooleanField(default=False)
    address_1 = models.CharField(max_length=255, blank=True)
    address_2 = models.CharField(max_length=255, blank=True)
    city = models.CharField(max_length=255, blank=True)
    state = models.CharField(max_length=255, blank=True)
    postal_code = models.CharField(max_length=32, blank=True)
    country_code = models.CharField(max_length=2, blank=True, db_index=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)

    tariff_id = models.CharField(max_length=30, blank=True, db_index=True)
    tariff_name = models.CharField(max_length=255, blank=True)
    tariff_currency = models.CharField(max_length=3, blank=True)
    supplier_id = models.CharField(max_length=30, blank=True, db_index=True)
    supplier_name = models.CharField(max_length=255, blank=True)
    evse_site_id = models.CharField(max_length=30, blank=True, db_index=True)

    vehicle_count = models.PositiveIntegerField(default=0)
    evse_count = models.PositiveIntegerField(default=0)

    # Lower-cased email, name, address, postcode (with and without spaces) and id, for free-text search.
    search_text = models.TextField(blank=True)
    synced_at = models.DateTimeField()
    gone_at = models.DateTimeField(null=True, blank=True)  # not listed by a complete full sync

    class Meta:
        ordering = ["user_id"]
        indexes = [models.Index(fields=["postal_code"]), models.Index(fields=["city"])]

    def __str__(self) -> str:
        return f"{self.email} ({self.user_id})"


class DirectorySync(models.Model):
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
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    # The last user id stored: the next page starts after it (page_after), also after a crash.
    cursor = models.CharField(max_length=30, blank=True)
    requests_spent = models.PositiveIntegerField(default=0)
    accounts_seen = models.PositiveIntegerField(default=0)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} sync {self.pk} ({self.status})"
