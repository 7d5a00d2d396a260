"""The team statistics: one request per chart, kept ten minutes, every chart's data from the API's."""

import json
import re
from html import unescape

from evadmin.tickets.selectors import STATS_CHARTS
from tests.conftest import sent

STATS = "/tickets/stats/"


def chart_json(html: str) -> dict:
    found = re.search(r'<script id="ticket-stats-data" type="application/json">(.*?)</script>', html, re.S)
    return json.loads(unescape(found.group(1)))


def test_each_chart_is_one_request_and_none_again(pages, sandbox_api):
    viewer = pages("viewer")
    sandbox_api.reset()
    assert viewer.get(STATS).status_code == 200
    stats_gets = [entry for entry in sent(sandbox_api, "GET") if entry["path"].startswith("/v2/support-ticket-stats/")]
    assert sorted(entry["path"].rsplit("/", 1)[-1] for entry in stats_gets) == sorted(
        operation.path.rsplit("/", 1)[-1] for operation, _ in STATS_CHARTS.values())
    sandbox_api.reset()
    viewer.get(STATS)
    assert not [entry for entry in sent(sandbox_api, "GET") if entry["path"].startswith("/v2/support-ticket-stats/")]


def test_the_charts_carry_the_apis_figures(pages, direct_api):
    from evadmin.evenergy.collections import (
        TICKET_CATEGORIES,
        TICKET_STATS_STATUS,
        TICKET_STATS_TOP_CATEGORIES,
        TICKET_STATS_VOLUME,
        call,
    )
    html = pages("viewer").get(STATS).content.decode()
    data = chart_json(html)
    assert set(data) == {"volume", "resolution", "status", "priority", "source", "top_categories", "category_flow"}
    status = call(direct_api, TICKET_STATS_STATUS)
    assert data["status"]["counts"] == [row.count for row in status.breakdown]
    volume = call(direct_api, TICKET_STATS_VOLUME, group_by="week")
    assert data["volume"]["counts"] == [point.count for point in volume.time_series]
    assert len(data["volume"]["counts"]) >= 12  # three months of weeks: a shape, not a dot
    assert data["category_flow"]["links"] and all(link["flow"] > 0 for link in data["category_flow"]["links"])
    top = call(direct_api, TICKET_STATS_TOP_CATEGORIES, limit=10)
    taxonomy = call(direct_api, TICKET_CATEGORIES)
    assert data["top_categories"]["labels"] == [taxonomy.subcategory_label(row.subcategory) for row in top.subcategories]
    assert data["top_categories"]["counts"] == [row.count for row in top.subcategories]
    assert "No charge" in data["top_categories"]["labels"]  # the most common kind, by its label


def test_volume_groups_by_day_week_or_month(pages, sandbox_api):
    viewer = pages("viewer")
    sandbox_api.reset()
    viewer.get(STATS, {"group_by": "month"})
    [volume] = [entry for entry in sent(sandbox_api, "GET") if entry["path"].endswith("/volume")]
    assert volume["query"] == "group_by=month"
    assert 3 <= len(chart_json(viewer.get(STATS, {"group_by": "month"}).content.decode())["volume"]["counts"]) <= 4
    sandbox_api.reset()
    viewer.get(STATS, {"group_by": "fortnight"})  # not a grouping the API has: weeks
    [volume] = [entry for entry in sent(sandbox_api, "GET") if entry["path"].endswith("/volume")]
    assert volume["query"] == "group_by=week"
