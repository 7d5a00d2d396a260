"""Reading the API budget: the rolling hour as the shared RateBudget counts it, and the ledger
(evenergy's ApiRequestRecord) grouped in the database: per hour and source, top spenders, 429s."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, F, QuerySet
from django.db.models.functions import TruncHour
from django.utils import timezone

from evadmin.evenergy.attribution import BACKGROUND_KINDS, JOB, STAFF, SYNC, SYSTEM
from evadmin.evenergy.models import ApiRequestRecord
from evadmin.evenergy.ratelimit import BudgetSnapshot, rate_budget

logger = logging.getLogger(__name__)

# The chart's datasets, in this order, with the words the page uses for each source kind.
SOURCE_KIND_LABELS = {STAFF: "Staff", JOB: "Bulk jobs", SYNC: "Directory syncs", SYSTEM: "System"}
TOP_SPENDERS = 10
LATEST_429S = 5
HOURS_CHARTED = 24


@dataclass(frozen=True)
class BudgetWindow:
    """The rolling hour now, as evadmin's shared RateBudget counts it, and what the API last said."""

    limit: int  # the effective limit: configured, or the API's higher one
    used: int
    used_by_staff: int
    snapshot: BudgetSnapshot  # source "api": the API's own X-RateLimit-* report
    oldest_leaves_at: datetime | None  # one more request frees up then
    staff_reserve: int
    blocked_for: float  # > 0 after a 429, until its Retry-After
    staff_floor: float
    staff_lookback_minutes: float

    @property
    def left(self) -> int:
        return max(0, self.limit - self.used)

    @property
    def used_by_background(self) -> int:
        return self.used - self.used_by_staff


def api_budget_window() -> BudgetWindow | None:
    """The hour's numbers, or None when the budget cannot be read (its Redis or cache is down)."""
    try:
        budget = rate_budget()
        limit = budget.effective_limit()
        return BudgetWindow(
            limit=limit, used=budget.used(), used_by_staff=budget.used(staff=True), snapshot=budget.snapshot(),
            oldest_leaves_at=budget.oldest_leaves_at(),
            staff_reserve=budget.staff_reserve(limit), blocked_for=budget.blocked_for(),
            staff_floor=budget.staff_floor, staff_lookback_minutes=budget.staff_lookback_seconds / 60,
        )
    except Exception:  # as the header's badge: the page still shows the ledger when the budget is unreadable
        logger.warning("API budget unavailable", exc_info=True)
        return None


def api_ledger_since(*, hours: int = HOURS_CHARTED, now: datetime | None = None) -> datetime:
    """The start of the hour `hours - 1` hours before now's: `hours` whole hourly buckets, this one included."""
    now = now or timezone.now()
    return now.replace(minute=0, second=0, microsecond=0) - timedelta(hours=hours - 1)


def _ledger(since: datetime) -> QuerySet:
    return ApiRequestRecord.objects.filter(sent_at__gte=since).order_by()


def api_spend_chart(*, since: datetime, hours: int = HOURS_CHARTED) -> dict:
    """Requests per hour and source kind from `since`, for the chart script: one GROUP BY query."""
    counts = {
        (row["hour"], row["source_kind"]): row["requests"]
        for row in _ledger(since).annotate(hour=TruncHour("sent_at"))
        .values("hour", "source_kind").annotate(requests=Count("id"))
    }
    hours_charted = [since + timedelta(hours=n) for n in range(hours)]
    return {
        "labels": [f"{hour:%H:00}" for hour in hours_charted],
        "series": [
            {"kind": kind, "label": label, "counts": [counts.get((hour, kind), 0) for hour in hours_charted]}
            for kind, label in SOURCE_KIND_LABELS.items()
        ],
    }


def api_spend_by_kind(*, since: datetime) -> list[dict]:
    """[{kind, label, requests}] for every source kind (0 for none), the chart's totals as a table."""
    counts = dict(_ledger(since).values_list("source_kind").annotate(requests=Count("id")))
    known = [{"kind": kind, "label": label, "requests": counts.pop(kind, 0)}
             for kind, label in SOURCE_KIND_LABELS.items()]
    return known + [{"kind": kind, "label": kind, "requests": n} for kind, n in sorted(counts.items())]


def _top(rows: QuerySet, field: str) -> list[dict]:
    """[{name, kind, requests}]: the TOP_SPENDERS values of `field` that sent most, in one GROUP BY."""
    grouped = rows.values(name=F(field), kind=F("source_kind")).annotate(requests=Count("id"))
    return list(grouped.order_by("-requests", "name")[:TOP_SPENDERS])


def api_top_pages(*, since: datetime) -> list[dict]:
    """The pages (their URL names) whose staff requests spent most since `since`."""
    return _top(_ledger(since).filter(source_kind=STAFF), "page")


def api_top_staff(*, since: datetime) -> list[dict]:
    """The staff members (usernames) who spent most since `since`."""
    return _top(_ledger(since).filter(source_kind=STAFF), "source_label")


def api_top_background(*, since: datetime) -> list[dict]:
    """The bulk jobs, directory syncs and commands that spent most since `since`."""
    return _top(_ledger(since).filter(source_kind__in=BACKGROUND_KINDS), "source_label")


@dataclass(frozen=True)
class RateLimitedAnswers:
    count: int  # since `since`
    latest: list[ApiRequestRecord]  # the newest few the ledger keeps, whenever they came


def api_rate_limited(*, since: datetime) -> RateLimitedAnswers:
    """The API's 429 answers (a partial index on sent_at where status = 429 keeps both reads small)."""
    answers = ApiRequestRecord.objects.filter(status=429)
    return RateLimitedAnswers(count=answers.filter(sent_at__gte=since).count(),
                              latest=list(answers.order_by("-sent_at")[:LATEST_429S]))
