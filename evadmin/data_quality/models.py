"""Audit reports and their findings, kept as rows so any worker can (re)run a report.

A report's findings are written in batches while it runs; pages show them only once the report
is complete. `is_new` and the per-rule counts compare the report with the one completed before it.
"""

from django.conf import settings
from django.db import models

from evadmin.core.jobs import LeasedJob


class AuditReport(LeasedJob):
    """A report is a leased job (core.jobs): its run claims it, so a duplicated task does nothing
    and a run whose worker died is taken over."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SYNCING = "syncing", "Syncing the directory"
        RUNNING = "running", "Running"
        COMPLETE = "complete", "Complete"
        FAILED = "failed", "Failed"

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    sync_first = models.BooleanField(default=False)
    started_by = models.ForeignKey(  # None: started by the schedule
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The fresh full sync the report waited for (sync_first), and when the directory the rules
    # read was last completely synced (None: never).
    sync = models.ForeignKey("directory.DirectorySync", null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")
    directory_as_of = models.DateTimeField(null=True, blank=True)
    accounts_checked = models.PositiveIntegerField(default=0)
    # {rule name: findings}; the comparison fields stay empty when there was no previous report.
    counts = models.JSONField(default=dict, blank=True)
    previous = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    new_counts = models.JSONField(default=dict, blank=True)
    resolved_counts = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]

    def __str__(self) -> str:
        return f"Audit report {self.pk} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.COMPLETE, self.Status.FAILED)

    @property
    def total_findings(self) -> int:
        return sum(self.counts.values())


class AuditFinding(models.Model):
    report = models.ForeignKey(AuditReport, on_delete=models.CASCADE, related_name="findings")
    rule = models.CharField(max_length=64)
    user_id = models.CharField(max_length=30)
    email = models.CharField(max_length=254, blank=True)
    detail = models.CharField(max_length=500, blank=True)
    is_new = models.BooleanField(default=False)  # not found by the same rule in the previous report

    class Meta:
        ordering = ["rule", "user_id"]
        constraints = [
            # One finding per rule and account; also the index the new/resolved comparison uses.
            models.UniqueConstraint(fields=["report", "rule", "user_id"], name="audit_finding_unique_per_rule"),
        ]

    def __str__(self) -> str:
        return f"{self.rule}: {self.user_id}"
