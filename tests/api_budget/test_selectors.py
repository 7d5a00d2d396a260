"""The ledger's reads: grouped in the database (a fixed number of queries, whatever the rows), hourly
buckets per source kind, top spenders and 429s."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from evadmin.api_budget import selectors
from evadmin.evenergy.models import ApiRequestRecord

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 4, 15, 40, tzinfo=UTC)
SINCE = selectors.api_ledger_since(now=NOW)  # 16:00 the day before: 24 whole hours with this one


def record(*, minutes_ago: float, kind: str = "staff", label: str = "agent-1", page: str = "users:detail",
           status: int = 200) -> ApiRequestRecord:
    return ApiRequestRecord(sent_at=NOW - timedelta(minutes=minutes_ago), method="GET", operation="GET /users/{id}",
                            status=status, source_kind=kind, source_label=label, page=page if kind == "staff" else "")


def test_since_is_the_start_of_the_hour_23_hours_back():
    assert SINCE == datetime(2026, 3, 3, 16, 0, tzinfo=UTC)


def test_the_chart_counts_each_hour_and_source_kind():
    ApiRequestRecord.objects.bulk_create(
        [record(minutes_ago=5)] * 3 + [record(minutes_ago=45, kind="job", label="bulk job 7")] * 2
        + [record(minutes_ago=60 * 23 + 30, kind="sync", label="directory sync 3")]  # 16:10 yesterday
        + [record(minutes_ago=60 * 24 + 5)]  # before the first bucket: left out
    )
    chart = selectors.api_spend_chart(since=SINCE)
    assert chart["labels"][0] == "16:00" and chart["labels"][-1] == "15:00" and len(chart["labels"]) == 24
    series = {entry["kind"]: entry["counts"] for entry in chart["series"]}
    assert series["staff"] == [0] * 23 + [3]
    assert series["job"] == [0] * 22 + [2, 0]  # 14:55: the hour before
    assert series["sync"] == [1] + [0] * 23
    assert series["system"] == [0] * 24
    assert [entry["label"] for entry in chart["series"]] == ["Staff", "Bulk jobs", "Directory syncs", "System"]


def test_top_spenders_are_counted_and_ordered():
    rows = ([record(minutes_ago=1, label="agent-1", page="users:detail")] * 4
            + [record(minutes_ago=2, label="agent-2", page="users:list")] * 6
            + [record(minutes_ago=3, label="agent-1", page="devices:list")] * 3
            + [record(minutes_ago=4, kind="sync", label="directory sync 3")] * 5
            + [record(minutes_ago=5, kind="system", label="manage.py apicheck")])
    ApiRequestRecord.objects.bulk_create(rows)
    assert selectors.api_top_staff(since=SINCE) == [
        {"name": "agent-1", "kind": "staff", "requests": 7}, {"name": "agent-2", "kind": "staff", "requests": 6}]
    assert [(row["name"], row["requests"]) for row in selectors.api_top_pages(since=SINCE)] == [
        ("users:list", 6), ("users:detail", 4), ("devices:list", 3)]
    assert selectors.api_top_background(since=SINCE) == [
        {"name": "directory sync 3", "kind": "sync", "requests": 5},
        {"name": "manage.py apicheck", "kind": "system", "requests": 1}]
    by_kind = {row["kind"]: row["requests"] for row in selectors.api_spend_by_kind(since=SINCE)}
    assert by_kind == {"staff": 13, "job": 0, "sync": 5, "system": 1}


def test_only_the_top_ten_are_kept():
    ApiRequestRecord.objects.bulk_create([record(minutes_ago=1, label=f"agent-{n:02}") for n in range(15)
                                          for _ in range(n + 1)])
    top = selectors.api_top_staff(since=SINCE)
    assert [row["name"] for row in top] == [f"agent-{n:02}" for n in range(14, 4, -1)]


def test_429s_counted_in_the_last_day_and_the_latest_listed_newest_first():
    ApiRequestRecord.objects.bulk_create(
        [record(minutes_ago=n, status=429, label=f"agent-{n}") for n in (1, 2, 3, 4, 5, 6)]
        + [record(minutes_ago=60 * 30, status=429, label="two days ago")] + [record(minutes_ago=1)] * 3
    )
    answers = selectors.api_rate_limited(since=SINCE)
    assert answers.count == 6
    assert [answer.source_label for answer in answers.latest] == ["agent-1", "agent-2", "agent-3", "agent-4",
                                                                  "agent-5"]


def test_the_reads_are_grouped_in_the_database():
    """Thousands of rows, one query per read, each a GROUP BY or a count, and no row loaded but the latest 429s."""
    ApiRequestRecord.objects.bulk_create(
        [record(minutes_ago=n % 1400, kind=("staff", "job", "sync")[n % 3], label=f"who-{n % 40}",
                status=429 if n % 500 == 0 else 200) for n in range(5000)])
    with CaptureQueriesContext(connection) as grouped:
        chart = selectors.api_spend_chart(since=SINCE)
        selectors.api_spend_by_kind(since=SINCE)
        selectors.api_top_pages(since=SINCE)
        selectors.api_top_staff(since=SINCE)
        selectors.api_top_background(since=SINCE)
    assert len(grouped) == 5 and all("GROUP BY" in query["sql"] for query in grouped)
    with CaptureQueriesContext(connection) as rate_limited:
        answers = selectors.api_rate_limited(since=SINCE)
    assert len(rate_limited) == 2 and "COUNT(" in rate_limited[0]["sql"] and "LIMIT 5" in rate_limited[1]["sql"]
    assert answers.count == 10 and len(answers.latest) == 5
    assert sum(sum(entry["counts"]) for entry in chart["series"]) == 5000
