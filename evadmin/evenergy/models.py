"""Database tables of the API package: the request log behind the shared rate budget, and the
ledger of every request evadmin sent with what spent it."""

from django.db import models


class ApiRequestSlot(models.Model):
    """One API request sent (or reserved) within the rolling hour; used without Redis."""

    sent_at = models.DateTimeField(db_index=True)
    staff = models.BooleanField(default=False)  # sent for a staff member (they go first: ratelimit.py)


class RateBudgetLock(models.Model):
    """A single row locked while reserving, so two processes never both take the last request."""


class ApiRequestRecord(models.Model):
    """One request evadmin sent to the API and what spent it: the budget's ledger (/api-budget/).

    Kept EVADMIN_API_LEDGER_DAYS (ledger.ledger_purge). `operation` is the path with its ids
    replaced ("GET /users/{id}"), so it groups; the answer's status is null when none came.
    """

    sent_at = models.DateTimeField(db_index=True)
    method = models.CharField(max_length=8)
    operation = models.CharField(max_length=200)
    status = models.PositiveSmallIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    source_kind = models.CharField(max_length=10)  # attribution: staff, job, sync, report, system
    source_label = models.CharField(max_length=200)  # the staff member's username, "bulk job 12"...
    page = models.CharField(max_length=200, blank=True)  # for staff: the page's URL name
    request_id = models.CharField(max_length=128, blank=True)

    class Meta:
        ordering = ["-sent_at", "-id"]
        indexes = [
            models.Index(fields=["source_kind", "sent_at"], name="ledger_kind_sent_at"),
            # /api-budget/'s latest 429 answers: a few rows among the month's, found without a scan.
            models.Index(fields=["sent_at"], condition=models.Q(status=429), name="ledger_429_sent_at"),
        ]

