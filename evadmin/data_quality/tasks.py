"""Celery tasks of the data-quality reports: thin, they load by id and call the service they are named after."""

from celery import shared_task
from django.conf import settings

from evadmin.data_quality import services
from evadmin.data_quality.models import AuditReport


@shared_task(name=services.ADVANCE_TASK, bind=True, acks_late=True, ignore_result=True)
def audit_report_advance(self, report_id: int) -> None:
    """Run a report, or check on the sync it waits for and look again a little later."""
    report = services.audit_report_advance(report_id=report_id)
    if report.status == AuditReport.Status.SYNCING:
        # Not a retry (nothing failed): a fresh task, so a long sync never exhausts max_retries.
        self.apply_async((report_id,), countdown=settings.EVADMIN_REPORTS_SYNC_POLL_SECONDS)


@shared_task(name="audit_reports.run_scheduled", ignore_result=True)
def audit_report_request_on_schedule() -> None:
    """Celery beat's entry point (settings.EVADMIN_REPORTS_SCHEDULE): queue a report like the button does."""
    services.audit_report_request(actor=None, sync_first=settings.EVADMIN_REPORTS_SYNC_FIRST_ON_SCHEDULE)
