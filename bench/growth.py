"""Section 6, cost growth: preview, sync and the audit report at 10k, 50k and 100k rows or accounts.

Linear growth shows as a constant time per 1,000 items; the ratio column divides each size's time
per 1,000 by the smallest size's. Preview: one child process per size (bench/preview.py). Sync:
the time the 100,000-account full sync of section 4 took to reach each size (the walk's later
pages would be slower if a page's cost grew with the directory's size). Report: the real report
over the first N accounts of the synced directory (the rest marked gone, which reports leave
out), each a first report (no comparison) so the sizes compare alike.
"""

from __future__ import annotations

from bench.common import Context, SectionResult, Table
from bench.directory import accounts_for, report_seconds, synced_directory

LINEAR_RATIO = 1.5  # per-1,000 time at the largest size within 1.5x of the smallest's


def sizes_for(ctx: Context) -> tuple[int, ...]:
    return (1_000, 2_000, 3_000) if ctx.quick else (10_000, 50_000, 100_000)


def _report_at(size: int) -> float:
    from django.utils import timezone

    from evadmin.data_quality.models import AuditReport
    from evadmin.driver_directory.models import DirectoryAccount

    AuditReport.objects.all().delete()
    ordered = DirectoryAccount.objects.order_by("user_id").values_list("user_id", flat=True)
    last_in = ordered[size - 1]
    DirectoryAccount.objects.filter(user_id__gt=last_in).update(gone_at=timezone.now())
    try:
        seconds, report = report_seconds()
        if report.accounts_checked != size:
            raise RuntimeError(f"the report checked {report.accounts_checked} accounts, not {size}")
        return seconds
    finally:
        DirectoryAccount.objects.update(gone_at=None)


def run(ctx: Context) -> SectionResult:
    from bench.preview import measure

    sizes = sizes_for(ctx)
    result = SectionResult(
        key="growth", title="6. Cost growth",
        intro=("Time per 1,000 rows or accounts at each size; *ratio* is that time over the smallest size's. "
               f"Linear growth keeps the ratio near 1 (goal: ≤ {LINEAR_RATIO} at the largest size)."),
    )
    timings: dict[str, dict[int, float]] = {"Preview (upload, check, store, page)": {},
                                            "Full directory sync": {}, "Audit report": {}}
    measured = ctx.shared.setdefault("preview", {})
    for size in sizes:
        figures = measured.get(size) or measure(size)
        measured[size] = figures
        timings["Preview (upload, check, store, page)"][size] = figures["upload_s"] + figures["page_s"]

    sync = synced_directory(ctx)
    if sync["stored"] < max(sizes) or accounts_for(ctx) < max(sizes):
        raise RuntimeError(f"the directory holds {sync['stored']} accounts, fewer than {max(sizes)}")
    for size in sizes:
        timings["Full directory sync"][size] = next(seconds for stored, seconds in sync["progress"] if stored >= size)
        timings["Audit report"][size] = _report_at(size)

    headers = ["Work", *(f"{size:,}: s (s per 1k, ratio)" for size in sizes), "Command", "Notes"]
    table = Table(headers)
    for work, by_size in timings.items():
        base = by_size[sizes[0]] / sizes[0] * 1000
        cells, ratio = [], 1.0
        for size in sizes:
            per_1000 = by_size[size] / size * 1000
            ratio = per_1000 / base if base else float("nan")
            cells.append(f"{by_size[size]:.2f} ({per_1000:.3f}, {ratio:.2f})")
        note = "linear" if ratio <= LINEAR_RATIO else f"**grows faster than linear (ratio {ratio:.2f})**"
        table.add(work, *cells, ctx.command("growth"), note)
    result.tables.append(table)
    result.notes.append("Small sizes carry fixed costs (process start, first queries), so their time per 1,000 "
                        "is the highest; what matters is that the ratio does not climb with size.")
    result.raw = timings
    return result
