"""Running account audit reports: request one, advance it (sync, rules, comparison), record it.

A report's state lives in its row, so the Celery task that advances it can be delivered again
after a worker dies (acks_late) and simply starts the rules over; a report that asked for a fresh
directory first waits for that sync in short task hops rather than holding a worker for hours.
"""

import logging
from datetime import timedelta
from functools import partial

from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from evadmin.audit import actions
from evadmin.audit.services import audit_record
from evadmin.core.jobs import Lease, job_claim, job_enqueue
from evadmin.data_quality.models import AuditFinding, AuditReport
from evadmin.data_quality.rules import AuditRule, all_rules
from evadmin.data_quality.selectors import audit_findings_resolved, directory_accounts_audited
from evadmin.driver_directory.selectors import directory_as_of

logger = logging.getLogger(__name__)

ADVANCE_TASK = "audit_reports.advance"
REPORT_RUN = actions.AUDIT_REPORT_RUN
REPORT_EXPORT = actions.AUDIT_REPORT_EXPORT

# Findings per INSERT. Each batch commits on its own, so SQLite's write lock is held for
# milliseconds at a time and staff requests (which save their session) never queue behind a report.
# 2,000 rows inserted in ~15 ms on SQLite and PostgreSQL here.
# https://docs.djangoproject.com/en/5.2/ref/models/querysets/#bulk-create
FINDING_BATCH_SIZE = 2000
# A run beats between rules, and every rule over 100,000 accounts takes seconds (tests/data_quality/
# test_scale.py): five minutes of silence means its worker is gone.
REPORT_STALE_AFTER = timedelta(minutes=5)
# What a completed run writes (the lease columns are the lease's).
RESULT_FIELDS = ["status", "started_at", "finished_at", "error", "directory_as_of", "accounts_checked", "counts",
                 "previous", "new_counts", "resolved_counts"]
MAX_DETAIL = AuditFinding._meta.get_field("detail").max_length
MAX_EMAIL = AuditFinding._meta.get_field("email").max_length


class AuditReportError(Exception):
    """A report could not be completed; the message is shown on the report's page."""


def audit_report_request(*, actor, sync_first: bool = False, request=None) -> AuditReport:
    """Queue a report and have a worker run it once this transaction commits.

    `actor` is the staff member who asked (recorded in the audit trail), or None for the schedule.
    """
    started_by = actor if actor is not None and actor.is_authenticated else None
    with transaction.atomic():
        report = AuditReport.objects.create(started_by=started_by, sync_first=sync_first)
        if started_by is not None:
            audit_record(actor=started_by, action=REPORT_RUN, after={"report": report.pk, "sync_first": sync_first},
                         request=request, job_ref=f"audit-report-{report.pk}")
        transaction.on_commit(partial(job_enqueue, ADVANCE_TASK, report_id=report.pk))
    return report


def audit_report_advance(*, report_id: int) -> AuditReport:
    """Take a report one step further: start or wait for its sync, or run its rules to the end.

    Returns the report; when it still waits for a sync its status is SYNCING and the caller
    should call again later (the task re-queues itself).
    """
    report = AuditReport.objects.get(pk=report_id)
    if report.is_finished:
        return report  # a duplicate delivery of the task: nothing left to do
    try:
        if report.status in (AuditReport.Status.QUEUED, AuditReport.Status.SYNCING):
            if report.sync_first and not _directory_synced(report):
                return report
        # Only one delivery runs a report: a duplicated poll finds it claimed (its status moved on,
        # or its run beats). A RUNNING report whose worker died (acks_late brought the task back)
        # is claimed again once its heartbeat is stale, and starts the rules over.
        lease = job_claim(AuditReport, pk=report.pk, stale_after=REPORT_STALE_AFTER, when=Q(status=report.status))
        if lease is None:
            report.refresh_from_db()
            return report
        return audit_report_run_rules(report=report, lease=lease)
    except Exception as exc:
        _fail(report, exc)
        raise


def audit_report_run_rules(*, report: AuditReport, lease: Lease | None = None) -> AuditReport:
    """Run every rule over the directory now, store the findings and complete the report.

    Starts from scratch if an earlier attempt died half-way: its partial findings are deleted.
    With the report's lease, the run beats between rules and lets go at the end.
    """
    beat = lease.beat if lease else (lambda **changes: None)
    report.findings.all().delete()
    report.status, report.started_at, report.error = AuditReport.Status.RUNNING, timezone.now(), ""
    AuditReport.objects.filter(pk=report.pk).update(status=report.status, started_at=report.started_at, error="")
    accounts = directory_accounts_audited()
    report.directory_as_of = directory_as_of()
    report.accounts_checked = accounts.count()
    report.counts = {}
    for rule in all_rules():
        beat()
        report.counts[rule.name] = _store_findings(report, rule, accounts)
    _compare_with_previous(report)
    report.status, report.finished_at = AuditReport.Status.COMPLETE, timezone.now()
    report.save(update_fields=RESULT_FIELDS)
    if lease:
        lease.release()
    logger.info("audit report %s complete: %s accounts, %s findings in %.1f s", report.pk, report.accounts_checked,
                report.total_findings, (report.finished_at - report.started_at).total_seconds())
    return report


def _store_findings(report: AuditReport, rule: AuditRule, accounts) -> int:
    seen: set[str] = set()
    batch: list[AuditFinding] = []
    for finding in rule.check(accounts):
        if finding.user_id in seen:
            continue  # a rule reports an account once, however many reasons it found
        seen.add(finding.user_id)
        batch.append(AuditFinding(report=report, rule=rule.name, user_id=finding.user_id,
                                  email=finding.email[:MAX_EMAIL], detail=finding.detail[:MAX_DETAIL]))
        if len(batch) >= FINDING_BATCH_SIZE:
            AuditFinding.objects.bulk_create(batch)
            batch = []
    AuditFinding.objects.bulk_create(batch)
    return len(seen)


def _compare_with_previous(report: AuditReport) -> None:
    """Mark findings the previous complete report did not have, and count new and resolved ones per rule.

    Only rules both reports ran are compared: a newly added rule's findings are not "new", and a
    removed rule's findings are not "resolved".
    """
    previous = (AuditReport.objects.filter(status=AuditReport.Status.COMPLETE).exclude(pk=report.pk)
                .order_by("-finished_at", "-pk").first())
    report.previous = previous
    if previous is None:
        report.new_counts, report.resolved_counts = {}, {}
        return
    compared = [rule for rule in report.counts if rule in previous.counts]
    same_before = AuditFinding.objects.filter(report=previous, rule=OuterRef("rule"), user_id=OuterRef("user_id"))
    report.findings.filter(rule__in=compared).filter(~Exists(same_before)).update(is_new=True)
    new = dict(report.findings.filter(is_new=True).order_by().values_list("rule").annotate(Count("id")))
    resolved = dict(audit_findings_resolved(report=report).order_by().values_list("rule").annotate(Count("id")))
    report.new_counts = {rule: new.get(rule, 0) for rule in compared}
    report.resolved_counts = {rule: resolved.get(rule, 0) for rule in compared}


def _directory_synced(report: AuditReport) -> bool:
    """Ask for the report's full sync, or check on it: True once one completed (raises if it failed).

    If an incremental sync is running, the directory can't start the full one yet: wait for that
    one to end, then ask again. A full sync already running (someone's "Sync now") is joined.
    """
    from evadmin.driver_directory.models import DirectorySync
    from evadmin.driver_directory.sync import directory_sync_request

    full = DirectorySync.Kind.FULL
    sync = DirectorySync.objects.filter(pk=report.sync_id).first() if report.sync_id else None
    if sync is None or (sync.kind != full and sync.status != DirectorySync.Status.RUNNING):
        sync, _ = directory_sync_request(kind=full, started_by=report.started_by)
        report.sync, report.status = sync, AuditReport.Status.SYNCING
        report.save(update_fields=["sync", "status"])
    if sync.status == DirectorySync.Status.FAILED:
        raise AuditReportError(f"The directory sync it asked for failed: {sync.error or 'no reason given'}")
    return sync.status == DirectorySync.Status.COMPLETE and sync.kind == full


def _fail(report: AuditReport, exc: Exception) -> None:
    message = str(exc) if isinstance(exc, AuditReportError) else f"{type(exc).__name__}: {exc}"
    AuditReport.objects.filter(pk=report.pk).update(status=AuditReport.Status.FAILED, error=message,
                                                    finished_at=timezone.now(), claim_token="")
    report.refresh_from_db()
