"""Running reports: findings and counts, new and resolved against the previous report, failures, sync first."""

from datetime import timedelta

import pytest
from django.utils import timezone

from evadmin.audit.models import AuditEvent
from evadmin.data_quality import services
from evadmin.data_quality.models import AuditFinding, AuditReport
from evadmin.data_quality.rules import all_rules
from evadmin.data_quality.selectors import CHANGE_NEW, CHANGE_RESOLVED, audit_findings, audit_report_chart
from evadmin.data_quality.services import audit_report_advance, audit_report_request
from evadmin.driver_directory.models import DirectoryAccount, DirectorySync
from tests.driver_directory.factories import directory_full_sync
from tests.staff.fixtures import make_staff

pytestmark = pytest.mark.django_db


def run_report(**kwargs) -> AuditReport:
    report = AuditReport.objects.create(**kwargs)
    return audit_report_advance(report_id=report.pk)


def keys(findings) -> set[tuple[str, str]]:
    return {(finding.rule, finding.user_id) for finding in findings}


def test_a_report_stores_each_rules_findings_and_counts(make_account):
    make_account("usr-ok")
    make_account("usr-no-consent", terms_consent_at=None)
    make_account("usr-bad", postal_code="SW1A", vehicle_count=0, evse_count=0)
    make_account("usr-gone", terms_consent_at=None, gone_at=timezone.now())

    report = run_report()

    assert report.status == AuditReport.Status.COMPLETE
    assert report.started_at <= report.finished_at
    assert report.accounts_checked == 3
    assert report.counts == {rule.name: 0 for rule in all_rules()} | {
        "no_terms_consent": 1, "postcode_format": 1, "no_devices": 1}
    assert keys(report.findings.all()) == {
        ("no_terms_consent", "usr-no-consent"), ("postcode_format", "usr-bad"), ("no_devices", "usr-bad")}
    finding = report.findings.get(rule="postcode_format")
    assert (finding.email, finding.detail) == ("usr-bad@example.com", "“SW1A” is not a GB postcode")
    # The first report has nothing to compare with: nothing is "new".
    assert report.previous is None and report.new_counts == {} and not report.findings.filter(is_new=True).exists()


def test_against_the_previous_report_findings_are_new_or_resolved(make_account):
    make_account("usr-fixed", terms_consent_at=None)
    make_account("usr-still", terms_consent_at=None, postal_code="nope")
    make_account("usr-ok")
    first = run_report()

    DirectoryAccount.objects.filter(user_id="usr-fixed").update(terms_consent_at=timezone.now())
    DirectoryAccount.objects.filter(user_id="usr-ok").update(terms_consent_at=None)
    make_account("usr-new", tariff_id="", tariff_currency="")
    second = run_report()

    assert second.previous == first
    assert keys(audit_findings(report=second, change=CHANGE_NEW)) == {
        ("no_terms_consent", "usr-ok"), ("no_tariff", "usr-new")}
    assert keys(audit_findings(report=second, change=CHANGE_RESOLVED)) == {("no_terms_consent", "usr-fixed")}
    assert keys(audit_findings(report=second, rule="postcode_format")) == {("postcode_format", "usr-still")}
    assert not second.findings.get(rule="postcode_format").is_new
    assert second.new_counts["no_terms_consent"] == 1 and second.new_counts["no_tariff"] == 1
    assert second.new_counts["postcode_format"] == 0
    assert second.resolved_counts["no_terms_consent"] == 1 and second.resolved_counts["no_tariff"] == 0
    assert keys(audit_findings(report=second, rule="no_tariff", change=CHANGE_RESOLVED)) == set()


def test_the_comparison_is_with_the_last_complete_report_not_a_failed_one(make_account):
    make_account("usr-x", terms_consent_at=None)
    first = run_report()
    AuditReport.objects.create(status=AuditReport.Status.FAILED, finished_at=timezone.now())
    second = run_report()
    assert second.previous == first
    assert not second.findings.filter(is_new=True).exists()


def test_rules_added_or_removed_between_reports_are_not_new_or_resolved(make_account):
    make_account("usr-x", terms_consent_at=None, postal_code="nope")
    first = run_report()
    # Pretend the first report predates postcode_format and ran a rule that has been removed since.
    first.counts = {name: count for name, count in first.counts.items() if name != "postcode_format"}
    first.counts["retired_rule"] = 1
    first.save()
    first.findings.filter(rule="postcode_format").delete()
    AuditFinding.objects.create(report=first, rule="retired_rule", user_id="usr-x")

    second = run_report()
    assert not second.findings.filter(is_new=True).exists()
    assert "postcode_format" not in second.new_counts and "retired_rule" not in second.resolved_counts
    assert not audit_findings(report=second, change=CHANGE_RESOLVED).exists()


def test_a_redelivered_task_reruns_a_half_done_report_from_scratch(make_account):
    make_account("usr-x", terms_consent_at=None)
    report = AuditReport.objects.create(status=AuditReport.Status.RUNNING, started_at=timezone.now())
    AuditFinding.objects.create(report=report, rule="no_terms_consent", user_id="usr-x")  # the dead worker's
    AuditFinding.objects.create(report=report, rule="no_tariff", user_id="usr-stale")

    report = audit_report_advance(report_id=report.pk)

    assert report.status == AuditReport.Status.COMPLETE
    assert keys(report.findings.all()) == {("no_terms_consent", "usr-x")}


def test_a_finished_report_is_left_alone(make_account):
    report = run_report()
    make_account("usr-x", terms_consent_at=None)
    assert audit_report_advance(report_id=report.pk).total_findings == 0


def test_a_failing_rule_fails_the_report_with_the_reason(make_account, monkeypatch):
    def broken(accounts):
        raise RuntimeError("the database went away")
        yield

    rule = all_rules()[0]
    monkeypatch.setattr(services, "all_rules", lambda: [rule.__class__(**{**rule.__dict__, "check": broken})])
    report = AuditReport.objects.create()
    with pytest.raises(RuntimeError):
        audit_report_advance(report_id=report.pk)
    report.refresh_from_db()
    assert report.status == AuditReport.Status.FAILED
    assert report.error == "RuntimeError: the database went away"
    assert report.finished_at is not None


def test_requesting_a_report_records_who_and_queues_it_after_commit(django_capture_on_commit_callbacks):
    auditor = make_staff("auditor")
    with django_capture_on_commit_callbacks() as callbacks:
        report = audit_report_request(actor=auditor, sync_first=True)
    assert len(callbacks) == 1  # the task is sent only once the report row is committed
    assert (report.status, report.started_by, report.sync_first) == (AuditReport.Status.QUEUED, auditor, True)
    event = AuditEvent.objects.get(action=services.REPORT_RUN)
    assert event.actor == auditor and event.after == {"report": report.pk, "sync_first": True}
    assert event.job_ref == f"audit-report-{report.pk}"


def test_a_scheduled_report_has_no_staff_member_and_no_audit_event(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks():
        report = audit_report_request(actor=None)
    assert report.started_by is None
    assert not AuditEvent.objects.filter(action=services.REPORT_RUN).exists()


def test_the_chart_has_a_series_per_rule_over_complete_reports_oldest_first(make_account):
    make_account("usr-x", terms_consent_at=None)
    first = run_report()
    make_account("usr-y", terms_consent_at=None)
    second = run_report()
    AuditReport.objects.create()  # queued: not in the chart
    chart = audit_report_chart(limit=10)
    assert chart["labels"] == [f"#{first.pk} {first.finished_at:%d %b %H:%M}",
                               f"#{second.pk} {second.finished_at:%d %b %H:%M}"]
    series = {item["rule"]: item["counts"] for item in chart["series"]}
    assert series["no_terms_consent"] == [1, 2] and series["no_tariff"] == [0, 0]
    assert len(audit_report_chart(limit=1)["labels"]) == 1


# --- sync first ---------------------------------------------------------------------------------
def test_sync_first_waits_for_a_full_sync_then_runs_over_the_fresh_directory(seeded_directory, django_capture_on_commit_callbacks):
    DirectoryAccount.objects.all().delete()  # the report's own sync must fill it again
    report = AuditReport.objects.create(sync_first=True)

    with django_capture_on_commit_callbacks():
        report = audit_report_advance(report_id=report.pk)
    assert report.status == AuditReport.Status.SYNCING
    assert report.sync.kind == DirectorySync.Kind.FULL and report.sync.status == DirectorySync.Status.RUNNING
    assert audit_report_advance(report_id=report.pk).status == AuditReport.Status.SYNCING  # still running

    directory_full_sync()  # what the directory's own task does with the run
    report = audit_report_advance(report_id=report.pk)

    assert report.status == AuditReport.Status.COMPLETE
    assert report.accounts_checked == 250
    assert report.directory_as_of == DirectorySync.objects.get(pk=report.sync_id).finished_at
    assert {rule: set(report.findings.filter(rule=rule).values_list("user_id", flat=True))
            for rule in report.counts} == seeded_directory


def test_sync_first_waits_out_a_running_incremental_sync_then_asks_for_a_full_one(django_capture_on_commit_callbacks):
    incremental = DirectorySync.objects.create(kind=DirectorySync.Kind.INCREMENTAL)
    report = AuditReport.objects.create(sync_first=True)
    with django_capture_on_commit_callbacks():
        report = audit_report_advance(report_id=report.pk)
    assert report.sync == incremental and report.status == AuditReport.Status.SYNCING

    DirectorySync.objects.filter(pk=incremental.pk).update(status=DirectorySync.Status.COMPLETE,
                                                           finished_at=timezone.now())
    with django_capture_on_commit_callbacks() as callbacks:
        report = audit_report_advance(report_id=report.pk)
    assert report.status == AuditReport.Status.SYNCING
    assert report.sync.kind == DirectorySync.Kind.FULL and report.sync != incremental
    assert len(callbacks) == 1  # the directory's task was asked to walk it


def test_sync_first_fails_the_report_when_the_sync_fails(django_capture_on_commit_callbacks):
    report = AuditReport.objects.create(sync_first=True)
    with django_capture_on_commit_callbacks():
        report = audit_report_advance(report_id=report.pk)
    DirectorySync.objects.filter(pk=report.sync_id).update(
        status=DirectorySync.Status.FAILED, error="Unauthorised", finished_at=timezone.now() + timedelta(seconds=1))
    with pytest.raises(services.AuditReportError):
        audit_report_advance(report_id=report.pk)
    report.refresh_from_db()
    assert report.status == AuditReport.Status.FAILED
    assert report.error == "The directory sync it asked for failed: Unauthorised"



def test_a_duplicated_poll_task_leaves_the_report_to_the_delivery_that_claimed_it(make_account, monkeypatch):
    make_account("usr-x", terms_consent_at=None)
    report = AuditReport.objects.create(status=AuditReport.Status.SYNCING, sync_first=True)

    def synced_while_the_other_delivery_claims_it(report):
        AuditReport.objects.filter(pk=report.pk).update(status=AuditReport.Status.RUNNING)
        return True

    monkeypatch.setattr(services, "_directory_synced", synced_while_the_other_delivery_claims_it)
    report = audit_report_advance(report_id=report.pk)
    assert report.status == AuditReport.Status.RUNNING and not report.findings.exists()
