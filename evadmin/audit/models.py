"""The audit trail: append-only events linked into a hash chain.

Each event's hash covers its content and the previous event's hash, so editing or deleting
a stored event (even by SQL, behind the app's back) breaks the chain at that point, which
`audit_verify_chain` reports. Appends go through `evadmin.audit.services.audit_record`.
"""

from django.conf import settings
from django.db import models

GENESIS_HASH = "0" * 64


class AuditTrailImmutableError(Exception):
    """Raised on any attempt to change or delete a recorded audit event."""


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AuditTrailImmutableError("Audit events cannot be updated.")

    def delete(self):
        raise AuditTrailImmutableError("Audit events cannot be deleted.")

    def bulk_update(self, objs, fields, batch_size=None):
        raise AuditTrailImmutableError("Audit events cannot be updated.")

    def bulk_create(self, objs, *args, **kwargs):
        # Bulk inserts would skip the chain; every append goes through audit_record.
        raise AuditTrailImmutableError("Record audit events with audit_record().")

    def update_or_create(self, *args, **kwargs):
        raise AuditTrailImmutableError("Audit events cannot be updated.")


class AuditEvent(models.Model):
    occurred_at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="audit_events",
    )
    # Kept as text so the trail still names the person if the account is renamed.
    actor_username = models.CharField(max_length=150, blank=True, db_index=True)
    action = models.CharField(max_length=64, db_index=True)
    target_user_id = models.CharField(max_length=64, blank=True, db_index=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    client_ip = models.GenericIPAddressField(null=True, blank=True)
    request_id = models.CharField(max_length=128, blank=True)
    reason = models.TextField(blank=True)
    # NULL: not done by a background job. Otherwise the job's id (bulk job, Celery task).
    job_ref = models.CharField(max_length=64, null=True, blank=True)  # noqa: DJ001
    # NULL: not done for a support ticket. Otherwise the ticket's id (tick…), so a ticket's history
    # lists what was done for it. Nullable without a default: adding it rewrites no event.
    ticket_ref = models.CharField(max_length=64, null=True, blank=True, db_index=True)  # noqa: DJ001
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.action} by {self.actor_username or 'system'}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AuditTrailImmutableError("Audit events cannot be changed once recorded.")
        if not self.hash:
            raise AuditTrailImmutableError("Record audit events with audit_record().")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditTrailImmutableError("Audit events cannot be deleted.")


class AuditChainHead(models.Model):
    """One row holding the newest event's hash; locking it serialises appends.

    Appends first UPDATE this row: on PostgreSQL that takes its row lock, on SQLite the
    database write lock, so two writers can never link to the same previous event.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_hash = models.CharField(max_length=64, default=GENESIS_HASH)
    appends = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"audit chain head after {self.appends} appends"


class AuditChainCheck(models.Model):
    """One run of the chain verification (the periodic task or `verifyaudit`).

    The newest check decides whether auditors and admins see the broken-chain banner, so a
    failure stays visible until a later verification passes.
    """

    checked_at = models.DateTimeField(db_index=True)
    ok = models.BooleanField()
    events_checked = models.PositiveBigIntegerField()
    # Not a foreign key: the broken event may be the one that was removed.
    first_broken_event_id = models.BigIntegerField(null=True, blank=True)
    problem = models.CharField(max_length=200, blank=True)
    duration_seconds = models.FloatField()

    class Meta:
        ordering = ["-checked_at", "-id"]
        get_latest_by = ["checked_at", "id"]

    def __str__(self) -> str:
        return f"audit chain check at {self.checked_at:%Y-%m-%d %H:%M}: {'intact' if self.ok else 'BROKEN'}"

    def describe(self) -> str:
        """What operators read in the log, the mail, the banner and `verifyaudit`'s output."""
        if self.ok:
            return f"audit chain intact: {self.events_checked} events"
        where = f"event {self.first_broken_event_id}" if self.first_broken_event_id else "chain head"
        return f"audit chain broken at {where}: {self.problem} ({self.events_checked} events before it intact)"
