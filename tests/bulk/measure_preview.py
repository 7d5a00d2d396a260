"""Measure the upload-and-preview path on a generated file: time and peak Python memory.

Not a test (no timing assertions in the suite). Run it against a throwaway database:

    EVADMIN_VAR_DIR=/tmp/bulk-measure .venv/bin/python -m tests.bulk.measure_preview --rows 100000
    DATABASE_URL=postgres://... .venv/bin/python -m tests.bulk.measure_preview --rows 100000

It migrates that database, writes the CSV to a temporary file (as Django does with large
uploads), runs bulk_job_create_from_upload under tracemalloc, renders the preview's queries,
prints the figures, then deletes the job and the seeded accounts. `/usr/bin/time -v` around it
gives the process's peak RSS; --tracemalloc the peak of Python allocations during the upload.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
import tracemalloc


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--directory", type=int, default=1_000, help="accounts to seed in the directory first")
    parser.add_argument("--tracemalloc", action="store_true",
                        help="also measure peak Python memory (tracemalloc makes the run 2-4 times slower)")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "evadmin.settings.development")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.utils import timezone

    from evadmin.accounts.services import staff_member_create
    from evadmin.bulk import selectors
    from evadmin.bulk.upload.drafts import bulk_job_create_from_upload
    from evadmin.directory.models import DirectoryAccount
    from tests.bulk.conftest import offline_checker
    from tests.bulk.factories import csv_bytes, generated_rows

    settings.EVADMIN_BULK_MAX_ROWS = max(settings.EVADMIN_BULK_MAX_ROWS, args.rows)
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    actor = staff_member_create(username=f"measure-{time.time_ns()}", password="x" * 20, roles=["bulk_operator"])
    run = f"{time.time_ns() % 10**9:09d}"
    seeded = DirectoryAccount.objects.bulk_create(
        DirectoryAccount(user_id=f"user{run}{n:017d}", email=f"driver{n * 7:06d}@example.com",
                         email_normalised=f"driver{n * 7:06d}@example.com", synced_at=timezone.now())
        for n in range(args.directory)
    )

    with tempfile.TemporaryFile() as file:
        file.write(csv_bytes(generated_rows(args.rows)))
        size = file.tell()
        if args.tracemalloc:
            tracemalloc.start()
        started = time.perf_counter()
        job = bulk_job_create_from_upload(file=file, file_name="measure.csv", actor=actor, checker=offline_checker())
        upload_seconds = time.perf_counter() - started
        if args.tracemalloc:
            _current, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()

    started = time.perf_counter()
    selectors.bulk_job_cost_estimate(job=job, existing_policy="skip", strict_mode=False)
    selectors.bulk_job_state_counts(job=job)
    selectors.bulk_job_first_problems(job=job)
    list(selectors.bulk_job_rows(job=job)[:50])
    preview_seconds = time.perf_counter() - started

    print(f"database: {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}")
    print(f"rows: {job.rows_total:,} ({size / 1024 / 1024:.1f} MB CSV); valid {job.rows_valid:,}, "
          f"in directory {job.rows_existing:,}")
    print(f"upload (scan, parse, check, insert, store file): {upload_seconds:.2f} s")
    print(f"preview queries (estimate, counts, problems, first page): {preview_seconds:.3f} s")
    if args.tracemalloc:
        print(f"peak Python memory during upload (tracemalloc): {peak / 1024 / 1024:.1f} MB")

    job.delete()
    DirectoryAccount.objects.filter(pk__in=[account.pk for account in seeded]).delete()


if __name__ == "__main__":
    main()
