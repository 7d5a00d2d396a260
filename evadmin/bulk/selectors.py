"""Reads for bulk jobs: lists, counts, problems, the rejected rows, the cost estimate, who may do what."""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Q, QuerySet

from evadmin.bulk.columns import COLUMNS
from evadmin.bulk.estimates import DurationEstimate, bulk_duration_estimate, bulk_job_pace, requests_per_row
from evadmin.bulk.models import BulkJob, BulkRow
from evadmin.core.exports import neutralise_row
from evadmin.evenergy.ratelimit import rate_budget
from evadmin.staff import roles

RUN_BULK = roles.RUN_BULK
REJECTED_STATES = (BulkRow.State.INVALID, BulkRow.State.SKIPPED)
# Which rows the preview's table shows: ?show=<key>.
ROW_FILTERS: dict[str, tuple[str, Q]] = {
    "all": ("All rows", Q()),
    "rejected": ("Rejected", Q(state__in=REJECTED_STATES)),
    "new": ("New accounts", Q(state=BulkRow.State.PENDING, directory_user_id="")),
    "existing": ("Already in the directory", ~Q(directory_user_id="")),
}


def bulk_job_list(*, created_by=None) -> QuerySet[BulkJob]:
    jobs = BulkJob.objects.select_related("created_by", "approved_by")
    if created_by is not None:
        jobs = jobs.filter(created_by=created_by)
    return jobs.order_by("-created_at", "-id")


def bulk_job_state_counts(*, job: BulkJob) -> dict[str, int]:
    """{state: rows} for every state, zeros included (one GROUP BY on the (job, state) index)."""
    counts = dict.fromkeys(BulkRow.State.values, 0)
    counts.update(job.rows.order_by().values("state").annotate(n=Count("id")).values_list("state", "n"))
    return counts


def bulk_job_rows(*, job: BulkJob, show: str = "all") -> QuerySet[BulkRow]:
    _label, condition = ROW_FILTERS.get(show, ROW_FILTERS["all"])
    return job.rows.filter(condition).order_by("row_number")


def bulk_job_first_problems(*, job: BulkJob, limit: int = 20) -> list[BulkRow]:
    return list(job.rows.filter(state__in=REJECTED_STATES).order_by("row_number")[:limit])


REJECTED_CSV_HEADER = ("row_number", "problem", *COLUMNS)


def bulk_job_rejected_csv_rows(*, job: BulkJob) -> Iterator[list]:
    """The rejected rows as CSV rows, formula-neutralised, streamed from the database.

    The columns are the template's, so the file can be fixed and uploaded again (row_number
    and problem are ignored on upload, and the apostrophes added against formulas come off).
    """
    yield list(REJECTED_CSV_HEADER)
    rows = job.rows.filter(state__in=REJECTED_STATES).order_by("row_number")
    for row_number, error, values in rows.values_list("row_number", "error", "values").iterator(chunk_size=2000):
        yield neutralise_row([row_number, error, *(values.get(column, "") for column in COLUMNS)])


def bulk_job_same_file(*, job: BulkJob) -> list[BulkJob]:
    """Other jobs made from a file with the same content (sha256), newest first."""
    return list(
        BulkJob.objects.filter(file_sha256=job.file_sha256).exclude(pk=job.pk)
        .select_related("created_by").order_by("-created_at", "-id")[:5]
    )


def bulk_job_file_bytes(*, job: BulkJob) -> Iterator[bytes]:
    """The uploaded file as stored, one chunk (1 MiB) per query, never whole in memory."""
    for seq in job.file_chunks.order_by("seq").values_list("seq", flat=True):
        yield bytes(job.file_chunks.values_list("data", flat=True).get(seq=seq))


def directory_user_ids_for(emails: Iterable[str]) -> dict[str, str]:
    """{normalised email: user id} for the emails the directory knows (the oldest account if several)."""
    from evadmin.driver_directory.models import DirectoryAccount

    emails = list(emails)
    if not emails:
        return {}
    matches = (
        DirectoryAccount.objects.filter(email_normalised__in=emails, gone_at__isnull=True)
        .order_by("-user_id").values_list("email_normalised", "user_id")
    )
    return dict(matches)  # ordered newest first, so each email keeps its oldest account


def bulk_job_can_submit(*, job: BulkJob, actor) -> bool:
    return job.status == BulkJob.Status.DRAFT and job.created_by_id == actor.pk and job.purged_at is None


def bulk_job_can_approve(*, job: BulkJob, actor) -> bool:
    """A second pair of eyes: anyone else who may run bulk jobs (bulk_operator, admin)."""
    return (
        job.status == BulkJob.Status.AWAITING_APPROVAL and actor.has_perm(RUN_BULK) and actor.pk != job.created_by_id
    )


@dataclass(frozen=True)
class CostEstimate:
    """What a job will spend from the API's hourly budget, and how long that takes."""

    new_accounts: int
    existing_accounts: int
    creates: int  # one POST per new account
    lookups: int  # strict mode: one GET per new account before its POST
    updates: int  # policy "update": one PATCH per existing account
    hourly_limit: int
    remaining_now: int
    share: float
    duration: DurationEstimate

    @property
    def requests(self) -> int:
        return self.creates + self.lookups + self.updates

    @property
    def rows_to_send(self) -> int:
        return self.creates + self.updates

    @property
    def requests_per_hour(self) -> int:
        return math.floor(self.hourly_limit * self.share)

    @property
    def needs_approval(self) -> bool:
        return self.rows_to_send > settings.EVADMIN_BULK_APPROVAL_THRESHOLD


def bulk_job_cost_estimate(*, job: BulkJob, existing_policy: str, strict_mode: bool) -> CostEstimate:
    """Requests the job will send: 1 per new account (2 in strict mode), 1 PATCH per existing
    account under the "update" policy (an update job also GETs each account first: 2 a row), none for
    skipped or reported ones; and how long they take (estimates.py, as the progress line says it).
    The directory refresh before the job starts comes on top (one request per 100 accounts added
    since the last sync)."""
    counts = job.rows.filter(state=BulkRow.State.PENDING).aggregate(
        new=Count("id", filter=Q(directory_user_id="")), existing=Count("id", filter=~Q(directory_user_id=""))
    )
    snapshot = rate_budget().snapshot()
    new, existing = counts["new"], counts["existing"]
    lookups = existing if job.kind == BulkJob.Kind.UPDATE else (new if strict_mode else 0)
    updates = existing if existing_policy == BulkJob.ExistingPolicy.UPDATE else 0
    duration = bulk_duration_estimate(requests=new + lookups + updates, job=job, pace=bulk_job_pace(job=job),
                                      per_row=requests_per_row(job, strict_mode=strict_mode))
    return CostEstimate(
        new_accounts=new, existing_accounts=existing, creates=new, lookups=lookups, updates=updates,
        hourly_limit=snapshot.limit, remaining_now=snapshot.remaining, share=settings.EVADMIN_BULK_BUDGET_SHARE,
        duration=duration,
    )


# The directory's column for each field an update file can set (coordinates are two columns).
_DIRECTORY_FIELDS = {"address_1": "address_1", "address_2": "address_2", "city": "city", "state": "state",
                     "postal_code": "postal_code", "country_code": "country_code", "tariff": "tariff_id",
                     "evse_site": "evse_site_id"}


def bulk_rows_with_changes(rows) -> list:
    """An update job's rows (one page), each given `changes`: [(field, current, new)] for what the
    file sets, the current value from the directory (no API request; the engine reads the account
    again just before its PATCH). Fields already equal are left out."""
    from evadmin.driver_directory.models import DirectoryAccount

    rows = list(rows)
    accounts = DirectoryAccount.objects.in_bulk([row.directory_user_id for row in rows if row.directory_user_id],
                                                field_name="user_id")
    for row in rows:
        account, row.changes = accounts.get(row.directory_user_id), []
        if account is None or not row.location:
            continue
        for name, new in row.location.items():
            if name == "coordinates":
                current = None if account.latitude is None else {"latitude": account.latitude,
                                                                 "longitude": account.longitude}
            else:
                current = getattr(account, _DIRECTORY_FIELDS[name]) or None
            if current != new:
                row.changes.append((name, current, new))
    return rows


def bulk_rows_reference_names(rows) -> dict[str, str]:
    """{tariff or EVSE site id: its name} for a page of rows (what the file sets, what the directory
    holds), so the preview reads names, not ids: never a request."""
    from evadmin.driver_directory.selectors import reference_names_of

    return reference_names_of([*((field, value) for row in rows for field, value in (row.values or {}).items()),
                               *((field, value) for row in rows for field, *values in getattr(row, "changes", ())
                                 for value in values)])
