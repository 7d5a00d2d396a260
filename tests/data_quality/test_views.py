"""The report pages: who may open them, htmx fragments, running a report, filters, pagination, CSV."""

import csv
import io
import json

import pytest
from django.urls import reverse

from evadmin.audit.models import AuditEvent
from evadmin.data_quality import services
from evadmin.data_quality.models import AuditFinding, AuditReport
from evadmin.data_quality.services import audit_report_advance

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(make_account):
    make_account("usr-no-consent", terms_consent_at=None)
    make_account("usr-bad-postcode", postal_code="=HYPERLINK(\"http://evil\")", email="=1+1@example.com")
    return audit_report_advance(report_id=AuditReport.objects.create().pk)


@pytest.fixture
def sent_tasks(monkeypatch):
    """The report ids the run view queued (the task is not run)."""
    from evadmin.celery import app

    sent = []
    monkeypatch.setattr(app, "send_task", lambda name, kwargs=None, **options: sent.append(kwargs["report_id"]))
    return sent


def urls(report: AuditReport) -> list[str]:
    return [reverse("audit_reports:list"), reverse("audit_reports:detail", args=[report.pk]),
            reverse("audit_reports:export_csv", args=[report.pk])]


@pytest.mark.parametrize("role", ["auditor", "admin"])
def test_auditors_and_admins_may_open_every_page(client_as, report, role):
    client = client_as(role)
    for url in urls(report):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("role", ["viewer", "support", "bulk_operator", None])
def test_other_roles_are_refused(client_as, report, role, sent_tasks):
    client = client_as(role)
    for url in urls(report):
        response = client.get(url)
        assert response.status_code == 403, url
        assert "accounts.view_audit" in response.content.decode()
    assert client.post(reverse("audit_reports:run")).status_code == 403
    assert sent_tasks == [] and AuditReport.objects.count() == 1


def test_anonymous_visitors_are_sent_to_sign_in(client, report):
    response = client.get(reverse("audit_reports:list"))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_the_nav_links_to_reports_for_auditors_only(client_as):
    assert 'href="/audit/reports/"' in client_as("auditor").get("/").content.decode()
    assert 'href="/audit/reports/"' not in client_as("support").get("/").content.decode()


def test_run_report_queues_one_and_shows_its_page(client_as, sent_tasks, django_capture_on_commit_callbacks):
    client = client_as("auditor")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("audit_reports:run"), {"sync_first": "on"})
    report = AuditReport.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("audit_reports:detail", args=[report.pk])
    assert sent_tasks == [report.pk]
    assert report.sync_first and report.started_by.get_username() == "auditor-member"
    assert AuditEvent.objects.filter(action=services.REPORT_RUN, actor=report.started_by).count() == 1

    page = client.get(response["Location"]).content.decode()
    assert "Queued" in page and 'hx-trigger="every 2s"' in page  # it polls until done


def test_the_run_view_only_accepts_post(client_as):
    assert client_as("auditor").get(reverse("audit_reports:run")).status_code == 405


def test_polling_an_unfinished_report_returns_the_panel_then_refreshes_when_done(client_as, make_account):
    client = client_as("auditor")
    report = AuditReport.objects.create()
    url = reverse("audit_reports:detail", args=[report.pk]) + "?part=progress"
    panel = client.get(url, headers={"HX-Request": "true"})
    assert "<html" not in panel.content.decode() and 'id="report-progress"' in panel.content.decode()
    audit_report_advance(report_id=report.pk)
    done = client.get(url, headers={"HX-Request": "true"})
    assert done["HX-Refresh"] == "true"


def test_the_list_shows_counts_per_rule_with_new_and_resolved(client_as, report, make_account):
    from evadmin.driver_directory.models import DirectoryAccount

    DirectoryAccount.objects.filter(user_id="usr-no-consent").delete()
    make_account("usr-new", terms_consent_at=None, tariff_id="", tariff_currency="")
    second = audit_report_advance(report_id=AuditReport.objects.create().pk)
    page = client_as("auditor").get(reverse("audit_reports:list")).content.decode()
    row = page[page.index(f'id="report-{second.pk}"'):]
    row = row[:row.index("</tr>")]
    assert "+1" in row and "−1" in row  # terms consent: one new, one resolved
    assert "No terms consent" in page and "Why it matters" in page


def test_the_list_carries_the_chart_data_as_json_and_no_inline_script(client_as, report):
    page = client_as("auditor").get(reverse("audit_reports:list")).content.decode()
    start = page.index('<script id="audit-reports-chart-data" type="application/json">')
    data = json.loads(page[page.index(">", start) + 1:page.index("</script>", start)])
    assert data["labels"] == [f"#{report.pk} {report.finished_at:%d %b %H:%M}"]
    assert {"rule": "no_terms_consent", "label": "No terms consent", "counts": [1]} in data["series"]
    assert "vendor/chartjs/chart.umd.min.js" in page and "js/audit-reports-chart.js" in page
    scripts = [chunk.split(">", 1)[0] for chunk in page.split("<script")[1:]]
    assert all("src=" in tag or 'type="application/json"' in tag for tag in scripts), scripts


def test_the_list_polls_while_a_report_is_unfinished(client_as, report):
    client = client_as("auditor")
    assert 'hx-trigger="every 3s"' not in client.get(reverse("audit_reports:list")).content.decode()
    AuditReport.objects.create()
    assert 'hx-trigger="every 3s"' in client.get(reverse("audit_reports:list")).content.decode()
    fragment = client.get(reverse("audit_reports:list"), headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in fragment and 'id="report-history"' in fragment


def test_the_report_page_lists_findings_linking_to_the_accounts(client_as, report):
    page = client_as("auditor").get(reverse("audit_reports:detail", args=[report.pk])).content.decode()
    assert '<a href="/users/usr-no-consent/">usr-no-consent</a>' in page
    assert "Terms of service not accepted" in page and "Findings 1–2 of 2." in page


def test_findings_filter_by_rule_as_an_htmx_fragment(client_as, report):
    response = client_as("auditor").get(reverse("audit_reports:detail", args=[report.pk]),
                                        {"rule": "postcode_format"}, headers={"HX-Request": "true"})
    fragment = response.content.decode()
    assert "<html" not in fragment and fragment.lstrip().startswith('<div id="findings"')
    assert "usr-bad-postcode" in fragment and "usr-no-consent" not in fragment
    assert f'href="/audit/reports/{report.pk}/findings.csv?rule=postcode_format" download' in fragment
    assert "HX-Request" in response["Vary"]


def test_an_unknown_rule_filter_is_an_error_message_not_a_crash(client_as, report):
    page = client_as("auditor").get(reverse("audit_reports:detail", args=[report.pk]), {"rule": "nope"})
    assert page.status_code == 200 and "Select a valid choice" in page.content.decode()


def test_findings_are_paginated(client_as, report, settings):
    settings.EVADMIN_REPORTS_FINDINGS_PER_PAGE = 1
    client, url = client_as("auditor"), reverse("audit_reports:detail", args=[report.pk])
    first = client.get(url).content.decode()
    assert "Findings 1–1 of 2." in first and 'rel="next"' in first
    second = client.get(url, {"page": 2}).content.decode()
    assert "Findings 2–2 of 2." in second


def test_an_unknown_report_is_404(client_as):
    assert client_as("auditor").get(reverse("audit_reports:detail", args=[999])).status_code == 404


def test_a_failed_report_shows_why(client_as):
    report = AuditReport.objects.create(status=AuditReport.Status.FAILED, error="RuntimeError: boom")
    page = client_as("auditor").get(reverse("audit_reports:detail", args=[report.pk])).content.decode()
    assert "This report failed: RuntimeError: boom" in page and "every 2s" not in page


# --- CSV ---------------------------------------------------------------------------------------
def read_csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:])))


def test_csv_export_neutralises_formulas_and_is_audited(client_as, report):
    response = client_as("auditor").get(reverse("audit_reports:export_csv", args=[report.pk]))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="audit-report-{report.pk}.csv"'
    rows = read_csv(response)
    assert rows[0] == ["report", "rule", "rule_title", "severity", "user_id", "email", "detail", "new"]
    postcode = next(row for row in rows if row[1] == "postcode_format")
    assert postcode[5] == "'=1+1@example.com"  # would be a formula in a spreadsheet
    assert postcode[6] == "“=HYPERLINK(\"http://evil\")” is not a GB postcode"  # starts harmlessly
    assert [row[4] for row in rows[1:]] == ["usr-no-consent", "usr-bad-postcode"]
    event = AuditEvent.objects.get(action=services.REPORT_EXPORT)
    assert event.after == {"report": report.pk, "format": "csv", "filters": {}}


def test_csv_detail_starting_with_a_formula_character_is_neutralised(client_as, report):
    AuditFinding.objects.create(report=report, rule="no_tariff", user_id="@usr", email="-x@example.com",
                                detail="+SUM(A1)")
    rows = read_csv(client_as("auditor").get(reverse("audit_reports:export_csv", args=[report.pk]),
                                             {"rule": "no_tariff"}))
    assert rows[1][4:7] == ["'@usr", "'-x@example.com", "'+SUM(A1)"]


def test_csv_export_follows_the_filters(client_as, report):
    response = client_as("auditor").get(reverse("audit_reports:export_csv", args=[report.pk]),
                                        {"rule": "no_terms_consent"})
    assert response["Content-Disposition"].endswith(f'audit-report-{report.pk}-no_terms_consent.csv"')
    assert [row[4] for row in read_csv(response)[1:]] == ["usr-no-consent"]


def test_csv_of_an_unfinished_report_is_404(client_as):
    report = AuditReport.objects.create()
    assert client_as("auditor").get(reverse("audit_reports:export_csv", args=[report.pk])).status_code == 404


@pytest.mark.parametrize("name", ["list.html", "detail.html", "_rule_cells.html"])
def test_templates_are_ready_for_a_strict_content_security_policy(name):
    import re

    from django.conf import settings
    from django.template.loader import get_template

    source = (settings.BASE_DIR / "templates" / "data_quality" / name).read_text()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", source), "inline <script>"
    assert not re.search(r"<style\b|\sstyle=|\son[a-z]+=|\shx-on", source), "inline style or handler"
    assert "|safe" not in source and not re.search(r"https?://", source), "unsafe output or external URL"
    get_template(f"data_quality/{name}")
