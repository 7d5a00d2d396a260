"""Section 4, directory: the cost of a full sync, search latency and the audit report, at 100,000 accounts.

The sandbox is seeded with 100,000 accounts (its limit raised so the budget never waits) and the
real sync (`directory_sync_step`, as the Celery task runs it) walks them all into the directory in
this process; the sandbox's request log counts what it cost. Searches go through the users page
(`/users/?q=...`, django.test.Client) as staff type them; on PostgreSQL the pg_trgm index answers
them, on SQLite they scan, so search latency is measured on PostgreSQL only. The audit report is
the real `audit_report_advance` over the synced directory: the first report, then a second one,
which also compares every finding with the first's. The locations export of the whole directory is timed
the old way (the XLSX written inside the request) and as the background job (`location_export_run`, as the
Celery task runs it, in this process), with the API requests it spent.
"""

from __future__ import annotations

import time

from bench.common import (
    Context,
    SectionResult,
    Table,
    goal_note,
    median,
    ms,
    p95,
    point_evadmin_at,
    sign_in_client,
)

GOAL_REQUESTS_PER_1000 = 10
PAGES_PER_STEP = 10  # progress is read every 1,000 accounts


def accounts_for(ctx: Context) -> int:
    return 3_000 if ctx.quick else 100_000


def synced_directory(ctx: Context) -> dict:
    """Seed a sandbox with accounts_for(ctx) accounts and full-sync them, once per run; the figures."""
    if "directory" in ctx.shared:
        return ctx.shared["directory"]
    from evadmin.driver_directory.models import DirectoryAccount, DirectorySync
    from evadmin.driver_directory.sync import FULL, directory_sync_step

    accounts = accounts_for(ctx)
    # Users only: the sync reads /users, and a month of sessions and logs for 100,000 drivers is 15 GB.
    sandbox = ctx.sandbox("directory", seed_users=accounts, history=False)
    point_evadmin_at(sandbox)
    sandbox.reset()
    progress_points = []  # (accounts stored, seconds since the start)
    started = time.perf_counter()
    progress = directory_sync_step(kind=FULL, max_pages=PAGES_PER_STEP)
    while True:
        progress_points.append((DirectoryAccount.objects.count(), time.perf_counter() - started))
        if progress.finished:
            break
        progress = directory_sync_step(kind=FULL, sync_id=progress.sync_id, max_pages=PAGES_PER_STEP)
    seconds = time.perf_counter() - started
    sync = DirectorySync.objects.get(pk=progress.sync_id)
    figures = {"accounts": accounts, "stored": DirectoryAccount.objects.count(), "seconds": seconds,
               "requests": len(sandbox.api_requests()), "status": sync.status, "progress": progress_points}
    ctx.shared["directory"] = figures
    ctx.shared["directory_sandbox"] = sandbox
    return figures


def _search_terms() -> dict[str, str]:
    """Terms as staff type them, taken from an account in the middle of the directory."""
    from evadmin.driver_directory.models import DirectoryAccount

    accounts = DirectoryAccount.objects.exclude(postal_code="").exclude(city="").order_by("user_id")
    account = accounts[accounts.count() // 2]
    return {
        "part of an email": account.email.split("@")[0][:6],
        "a postcode without its space": account.postal_code.replace(" ", "").lower(),
        "a city": account.city,
        "two words (city and street)": f"{account.city} {account.address_1.split()[-1]}",
        "a whole user id": account.user_id,
    }


def report_seconds() -> tuple[float, object]:
    from evadmin.data_quality.models import AuditReport
    from evadmin.data_quality.services import audit_report_advance

    started = time.perf_counter()
    report = audit_report_advance(report_id=AuditReport.objects.create().pk)
    return time.perf_counter() - started, report


def export_figures(ctx: Context) -> dict:
    """The whole directory exported: in the request (as before issue 18) and as a background job."""
    from django.test import override_settings

    from evadmin.driver_directory.export_jobs import location_export_run
    from evadmin.driver_directory.models import LocationExport

    sandbox = ctx.shared["directory_sandbox"]
    client, staff = sign_in_client("viewer")
    requests_before = len(sandbox.api_requests())
    with override_settings(EVADMIN_EXPORT_INLINE_ROWS=10**9):  # the old path: every row inside the request
        started = time.perf_counter()
        response = client.get("/locations/export.xlsx")
        inline_seconds = time.perf_counter() - started
    if response.status_code != 200:
        raise RuntimeError(f"/locations/export.xlsx answered {response.status_code}")
    # What staff wait for now: the POST that creates the job (its task goes to a queue no worker reads here).
    with override_settings(EVADMIN_EXPORT_INLINE_ROWS=0, EVADMIN_EXPORT_QUEUE="bench-exports-unread"):
        started = time.perf_counter()
        response = client.post("/locations/exports/", {"file_format": "xlsx"})
        start_seconds = time.perf_counter() - started
    if response.status_code != 302:
        raise RuntimeError(f"/locations/exports/ answered {response.status_code}")
    jobs = {}
    for file_format in ("xlsx", "csv"):
        export = LocationExport.objects.create(requested_by=staff, file_format=file_format,
                                               filters={"query": "", "filters": {}, "sort": ""})
        started = time.perf_counter()
        export = location_export_run(export_id=export.pk)
        seconds = time.perf_counter() - started
        jobs[file_format] = {"seconds": seconds, "rows": export.rows_total, "bytes": export.file_size,
                             "status": export.status, "requests_spent": export.requests_spent,
                             "chunks": export.chunks.count()}
    return {"inline_xlsx_s": inline_seconds, "start_request_s": start_seconds, "jobs": jobs,
            "api_requests": len(sandbox.api_requests()) - requests_before}


def run(ctx: Context) -> SectionResult:
    from evadmin.data_quality.models import AuditReport

    accounts = accounts_for(ctx)
    repeats = 5 if ctx.quick else 30
    result = SectionResult(
        key="directory", title="4. Directory",
        intro=(f"A full sync of {accounts:,} sandbox accounts (no added latency; limit raised so the budget never "
               f"waits), searches over them through `/users/?q=` ({repeats} repeats of each), and the account "
               f"audit report over the synced directory."),
    )
    figures = synced_directory(ctx)
    table = Table(["Measure", "Result", "Command", "Notes"])
    per_1000 = figures["requests"] / (figures["stored"] / 1000) if figures["stored"] else float("nan")
    table.add("Full sync: API requests per 1,000 accounts",
              f"{per_1000:.1f} ({figures['requests']:,} requests for {figures['stored']:,} accounts)",
              ctx.command("directory"), goal_note(per_1000 <= GOAL_REQUESTS_PER_1000, str(GOAL_REQUESTS_PER_1000)))
    table.add("Full sync: wall time", f"{figures['seconds']:.0f} s ({figures['seconds'] / figures['stored'] * 1000:.2f}"
              f" s per 1,000 accounts)", ctx.command("directory"),
              "sandbox on loopback: the real API's latency adds ~1 request's time per 100 accounts")

    if ctx.postgres:
        client, _staff = sign_in_client("viewer")
        for label, term in _search_terms().items():
            times = []
            for repeat in range(repeats + 1):
                started = time.perf_counter()
                response = client.get("/users/", {"q": term})
                if repeat:  # the first warms the connection and caches
                    times.append(time.perf_counter() - started)
                if response.status_code != 200:
                    raise RuntimeError(f"/users/?q={term} answered {response.status_code}")
            table.add(f"Search page over {figures['stored']:,} accounts: {label}",
                      f"median {ms(median(times))} ms, p95 {ms(p95(times))} ms", ctx.command("directory"),
                      "whole page: view, query, count and template")
    else:
        result.skipped.append("search latency over the directory: needs PostgreSQL (its pg_trgm index "
                              "answers searches; SQLite scans) — run with DATABASE_URL or PostgreSQL on "
                              "127.0.0.1:5432")

    AuditReport.objects.all().delete()
    first_seconds, first = report_seconds()
    second_seconds, second = report_seconds()
    for label, seconds, report in (("Audit report (first)", first_seconds, first),
                                   ("Audit report (next, compared with the first)", second_seconds, second)):
        table.add(f"{label} over {report.accounts_checked:,} accounts",
                  f"{seconds:.1f} s, {report.total_findings:,} findings", ctx.command("directory"),
                  "" if report.status == "complete" else f"**report {report.status}: {report.error}**")
    exports = export_figures(ctx)
    rows = exports["jobs"]["xlsx"]["rows"]
    table.add(f"Locations export of {rows:,} accounts as XLSX, in the request (before issue 18)",
              f"{exports['inline_xlsx_s']:.1f} s", ctx.command("directory"),
              "what staff waited on the page for; now only up to EVADMIN_EXPORT_INLINE_ROWS (10,000) rows")
    table.add("Large export: the request that starts the job", f"{ms(exports['start_request_s'])} ms",
              ctx.command("directory"), "POST /locations/exports/: counts, creates the job, redirects to its page")
    for file_format, job in exports["jobs"].items():
        table.add(f"Large export as a background job: {file_format.upper()} of {job['rows']:,} accounts",
                  f"{job['seconds']:.1f} s ({job['rows'] / job['seconds']:,.0f} rows/s), "
                  f"{job['bytes'] / 1_000_000:.1f} MB in {job['chunks']} chunk rows", ctx.command("directory"),
                  f"on the worker (run here as the task runs it); {job['requests_spent']} API requests"
                  + ("" if job["status"] == "finished" else f"; **ended {job['status']}**"))
    table.add("Large exports: API requests spent", str(exports["api_requests"]), ctx.command("directory"),
              "the sandbox's request log over both exports: the directory is evadmin's own copy")
    if figures["status"] != "complete" or figures["stored"] != accounts:
        result.notes.append(f"**The sync ended {figures['status']} with {figures['stored']:,} of {accounts:,} "
                            f"accounts.**")
    result.tables.append(table)
    result.raw = {"sync": figures, "requests_per_1000": per_1000, "report_s": first_seconds, "exports": exports}
    return result
