"""Section 3, preview: upload and preview a generated file of 100,000 rows; wall time and peak memory.

Each measurement runs in a child process of its own (`python -m bench.preview --child --rows N`),
so its peak resident memory (VmHWM) is the upload's alone: the child starts Django, notes its RSS,
writes the CSV to a temporary file (as Django stores a large upload), runs the real
bulk_job_create_from_upload (scan, parse, row checks with the tariff and EVSE site lists from the
sandbox, insert, store the file), then renders the job's preview page through django.test.Client.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import REPO, Context, SectionResult, Table, goal_note

GOAL_SECONDS = 10.0  # "a few seconds"
GOAL_MB = 200


def _memory_mb(field_name: str) -> float:
    match = re.search(rf"{field_name}:\s*(\d+) kB", Path("/proc/self/status").read_text())
    return int(match.group(1)) / 1024 if match else float("nan")


def child(rows: int) -> dict:
    import django

    django.setup()

    from bench.common import sign_in_client
    from evadmin.bulk.upload.drafts import bulk_job_create_from_upload
    from tests.bulk.factories import csv_bytes, generated_rows

    client, staff = sign_in_client("bulk_operator")
    client.get("/bulk/")  # templates and URLconf loaded: the baseline is Django's own, warm
    baseline = _memory_mb("VmRSS")
    with tempfile.TemporaryFile() as file:
        file.write(csv_bytes(generated_rows(rows, domain=f"preview{time.time_ns()}.example.com")))
        size = file.tell()
        started = time.perf_counter()
        job = bulk_job_create_from_upload(file=file, file_name="bench.csv", actor=staff)
        upload_seconds = time.perf_counter() - started
    started = time.perf_counter()
    response = client.get(f"/bulk/jobs/{job.pk}/")
    page_seconds = time.perf_counter() - started
    if response.status_code != 200 or job.rows_total != rows:
        raise RuntimeError(f"preview page {response.status_code}, {job.rows_total} rows stored of {rows}")
    figures = {"rows": rows, "mb": size / 1024 / 1024, "upload_s": upload_seconds, "page_s": page_seconds,
               "peak_rss_mb": _memory_mb("VmHWM"), "baseline_rss_mb": baseline}
    job.delete()
    return figures


def measure(rows: int) -> dict:
    """Run one child; its figures."""
    done = subprocess.run([sys.executable, "-m", "bench.preview", "--child", "--rows", str(rows)], cwd=REPO,
                          env=os.environ.copy(), capture_output=True, text=True, timeout=1800)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        raise RuntimeError(f"the preview child failed:\n{done.stderr[-3000:]}")
    return json.loads(lines[-1])


def run(ctx: Context) -> SectionResult:
    from bench.common import point_evadmin_at

    rows = 5_000 if ctx.quick else 100_000
    result = SectionResult(
        key="preview", title="3. Preview",
        intro=("Upload and preview of a generated CSV (nine rows in ten with an address, one in ten email only) "
               "in a child process: `bulk_job_create_from_upload` (scan, parse, check every row, store rows and "
               "file) then the job's preview page. Peak memory is the child's peak resident set (VmHWM); "
               "*baseline* is its RSS with Django started and warm, before the upload. "
               f"Goals: a few seconds (≤ {GOAL_SECONDS:.0f} s), under {GOAL_MB} MB."),
    )
    sandbox = ctx.sandbox("preview", seed_users=200)
    point_evadmin_at(sandbox)  # the children inherit these through the environment below
    os.environ.update(EVADMIN_API_BASE_URL=sandbox.base_url, EVADMIN_API_TOKEN_URL=sandbox.token_url)
    figures = measure(rows)
    ctx.shared.setdefault("preview", {})[rows] = figures
    table = Table(["Rows", "File (MB)", "Upload, check and store (s)", "Preview page (s)", "Total (s)",
                   "Peak RSS (MB)", "Baseline RSS (MB)", "Command", "Notes"])
    total = figures["upload_s"] + figures["page_s"]
    notes = [goal_note(total <= GOAL_SECONDS, f"≤ {GOAL_SECONDS:.0f} s"),
             goal_note(figures["peak_rss_mb"] < GOAL_MB, f"< {GOAL_MB} MB")]
    table.add(f"{rows:,}", f"{figures['mb']:.1f}", f"{figures['upload_s']:.2f}", f"{figures['page_s']:.2f}",
              f"{total:.2f}", f"{figures['peak_rss_mb']:.0f}", f"{figures['baseline_rss_mb']:.0f}",
              ctx.command("preview"), "; ".join(notes))
    result.tables.append(table)
    result.raw = figures
    return result


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", action="store_true", required=True)
    parser.add_argument("--rows", type=int, required=True)
    print(json.dumps(child(parser.parse_args().rows)), flush=True)
