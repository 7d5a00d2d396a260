"""The report job on a real Celery worker, the scheduled task, and the beat schedule's settings."""

import runpy
from pathlib import Path

import pytest
from celery.schedules import crontab

from evadmin.celery import app
from evadmin.data_quality.models import AuditReport
from evadmin.data_quality.services import audit_report_request
from evadmin.data_quality.tasks import audit_report_request_on_schedule
from tests.processes import wait_for
from tests.staff.fixtures import make_staff

SETTINGS = Path(__file__).resolve().parents[2] / "evadmin" / "settings" / "base.py"


def wait_until_finished(report_id: int, worker, timeout: float = 60) -> AuditReport:
    def finished() -> AuditReport | None:
        report = AuditReport.objects.get(pk=report_id)
        return report if report.is_finished else None

    return wait_for(finished, timeout=timeout, message=lambda: (
        f"report {AuditReport.objects.get(pk=report_id).status}; worker log:\n" + worker.output()[-3000:]))


@pytest.mark.worker
def test_the_worker_runs_a_report_that_finds_exactly_the_seeded_defects(
    celery_worker_process, transactional_db, seeded_directory
):
    report = audit_report_request(actor=make_staff("auditor"))  # queued once committed: at once here

    report = wait_until_finished(report.pk, celery_worker_process)

    assert report.status == AuditReport.Status.COMPLETE, report.error
    assert report.accounts_checked == 250
    found = {rule: set(report.findings.filter(rule=rule).values_list("user_id", flat=True)) for rule in report.counts}
    assert found == seeded_directory
    assert report.counts == {rule: len(ids) for rule, ids in seeded_directory.items()}


def test_the_scheduled_task_queues_a_report_like_the_button(settings, db, django_capture_on_commit_callbacks):
    settings.EVADMIN_REPORTS_SYNC_FIRST_ON_SCHEDULE = True
    with django_capture_on_commit_callbacks() as callbacks:
        audit_report_request_on_schedule()
    report = AuditReport.objects.get()
    assert report.started_by is None and report.sync_first and report.status == AuditReport.Status.QUEUED
    assert len(callbacks) == 1


def test_the_tasks_are_registered_under_their_names():
    assert {"audit_reports.advance", "audit_reports.run_scheduled"} <= set(app.tasks)


def test_beat_runs_reports_daily_by_default(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["audit-reports-scheduled"]
    assert entry["task"] == "audit_reports.run_scheduled"
    assert entry["schedule"] == crontab(minute="0", hour="6")


def test_the_schedule_is_configurable_and_can_be_turned_off(monkeypatch, tmp_path):
    monkeypatch.setenv("EVADMIN_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("EVADMIN_REPORTS_SCHEDULE", "30 */4 * * 1-5")
    schedule = runpy.run_path(str(SETTINGS))["CELERY_BEAT_SCHEDULE"]
    assert schedule["audit-reports-scheduled"]["schedule"] == crontab(minute="30", hour="*/4", day_of_week="1-5")

    monkeypatch.setenv("EVADMIN_REPORTS_SCHEDULE", "")
    assert "audit-reports-scheduled" not in runpy.run_path(str(SETTINGS))["CELERY_BEAT_SCHEDULE"]
