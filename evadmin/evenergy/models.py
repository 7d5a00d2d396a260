"""Database tables of the API package: the request log behind the shared rate budget."""

from django.db import models


class ApiRequestSlot(models.Model):
    """One API request sent (or reserved) within the rolling hour; used without Redis."""

    sent_at = models.DateTimeField(db_index=True)


class RateBudgetLock(models.Model):
    """A single row locked while reserving, so two processes never both take the last request."""
