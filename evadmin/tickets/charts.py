"""The statistics page's chart data, as the page's JSON for static/js/ticket-stats-charts.js.

Plain lists of labels and numbers, in the words staff read (category labels from the taxonomy, not
enum values); Chart.js draws them, the page's tables carry the same figures for screen readers.
"""

from __future__ import annotations

from typing import Any

from evadmin.evenergy.read_cache import Read
from evadmin.evenergy.tickets import TicketTaxonomy


def _breakdown(read: Read | None) -> dict[str, Any] | None:
    if read is None:
        return None
    rows = read.value.breakdown
    return {"labels": [row.value or "(none)" for row in rows], "counts": [row.count for row in rows]}


def chart_data(reads: dict[str, Read], *, taxonomy: TicketTaxonomy) -> dict[str, Any]:
    data: dict[str, Any] = {}
    if "volume" in reads:
        points = reads["volume"].value.time_series
        data["volume"] = {"labels": [point.period for point in points], "counts": [point.count for point in points]}
    for name in ("status", "priority", "source"):
        data[name] = _breakdown(reads.get(name))
    if "resolution" in reads:
        resolution = reads["resolution"].value
        data["resolution"] = {"labels": ["Resolved", "Not resolved"],
                              "counts": [resolution.total_resolved, resolution.total_unresolved]}
    if "top_categories" in reads:
        top = reads["top_categories"].value
        data["top_categories"] = {
            "labels": [taxonomy.subcategory_label(row.subcategory) for row in top.subcategories],
            "counts": [row.count for row in top.subcategories]}
    if "category_flow" in reads:
        flow = reads["category_flow"].value
        labels = {node.id: node.label for node in flow.nodes}
        data["category_flow"] = {"labels": labels,
                                 "links": [{"from": link.source, "to": link.target, "flow": link.value}
                                           for link in flow.links]}
    return {name: value for name, value in data.items() if value is not None}
