"""Carbon feeds and their intensities (carbon:read), grid feeds and their levels (grid:read), as the
spec has them (seeding/carbon.py says how they are stored and computed).

The feed lists take only paging (cursor, sorted by name); the spec gives them no filter by postcode,
coordinates or region. Intensities answer an object (`url`, `carbon_feed`, `carbon_intensities`),
newest first, cursor-paged: an intensity has no id, so its cursor is its start as a ULID ("cain…").
`expand=carbon_feed` is accepted and answered with the URL (the schema has no object there). Levels answer an array, newest first, number-paged (`link-pages`).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from evadmin.sandbox import ids
from evadmin.sandbox.collections.records import record_json, record_url
from evadmin.sandbox.models import Record
from evadmin.sandbox.pagination import link_header, number_page, page_size_of, page_url
from evadmin.sandbox.resources import USER_IGNORED, Collection, Endpoint, parse_datetime
from evadmin.sandbox.responses import invalid_pagination, json_response, not_found
from evadmin.sandbox.seeding.carbon import (
    CARBON_FEED,
    CARBON_FEED_PREFIX,
    FORECAST,
    GRID_FEED,
    GRID_FEED_PREFIX,
    HISTORY,
    INTENSITY_CURSOR_PREFIX,
    INTENSITY_INTERVAL,
    floor_to,
    intensity_bounds,
    intensity_cursor,
    intensity_json,
    level_series,
)
from evadmin.sandbox.views.base import ApiContext, Operation

CARBON_SCOPE, GRID_SCOPE = "carbon:read", "grid:read"


def _reference(kind: str):
    return lambda: Record.objects.filter(kind=kind, user_id="")


def carbon_feed_json(record, context, expand) -> dict:
    return record_json(record, context, expand, collection="carbon_feeds")


def grid_feed_json(record, context, expand) -> dict:
    return record_json(record, context, expand, collection="grid_feeds")


CARBON_FEEDS = Collection(name="carbon_feeds", prefix=CARBON_FEED_PREFIX, scope=CARBON_SCOPE,
                          queryset=_reference(CARBON_FEED), serialize=carbon_feed_json, acting_user=USER_IGNORED)
GRID_FEEDS = Collection(name="grid_feeds", prefix=GRID_FEED_PREFIX, scope=GRID_SCOPE,
                        queryset=_reference(GRID_FEED), serialize=grid_feed_json, acting_user=USER_IGNORED)


def _feed(kind: str, prefix: str, feed_id: str):
    found = Record.objects.filter(kind=kind, user_id="", pk=feed_id).first() if ids.is_id(feed_id, prefix) else None
    if found is None:
        raise not_found(f"No {kind.replace('_', ' ')} found with id {feed_id}.")
    return found


def _bounds(params) -> dict[str, datetime]:
    return {name: parse_datetime(name, params[name]) for name in ("started_at__gte", "started_at__lte")
            if name in params}


def _within(moment: datetime, first: datetime, last: datetime) -> datetime:
    """`moment` kept near the series (a date-time of year 9999, or a cursor's, must not overflow)."""
    return min(max(moment, first - timedelta(days=1)), last + timedelta(days=1))


def _cursor_time(params, name: str) -> datetime | None:
    value = params.get(name)
    if value is None:
        return None
    if not ids.is_id(value, INTENSITY_CURSOR_PREFIX):
        raise invalid_pagination(name)
    try:
        return ids.id_time(value)
    except (ValueError, OverflowError, OSError):  # a ULID past the year 9999
        raise invalid_pagination(name) from None


def list_intensities(context: ApiContext, carbon_feed_id: str):
    # The spec declares expand=carbon_feed but types `carbon_feed` a URI only: the sandbox accepts the
    # parameter and answers the URL, as the schema allows.
    context.expand(("carbon_feed",))
    feed = _feed(CARBON_FEED, CARBON_FEED_PREFIX, carbon_feed_id)
    params = context.request.GET
    size = page_size_of(context.request)
    now = datetime.now(UTC)
    first, last = intensity_bounds(now)
    bounds = {name: _within(value, first, last) for name, value in _bounds(params).items()}
    if "started_at__gte" in bounds:
        bound = floor_to(bounds["started_at__gte"], INTENSITY_INTERVAL)
        first = max(first, bound if bound == bounds["started_at__gte"] else bound + INTENSITY_INTERVAL)
    if "started_at__lte" in bounds:
        last = min(last, floor_to(bounds["started_at__lte"], INTENSITY_INTERVAL))
    after, before = (_cursor_time(params, name) for name in ("page_after", "page_before"))
    after = _within(after, first, last) if after else None
    before = _within(before, first, last) if before else None
    top = last
    if after is not None:  # the next page: older than the cursor (newest first)
        top = min(last, after - INTENSITY_INTERVAL)
    elif before is not None:  # the page before: the `size` intervals newer than the cursor
        top = min(last, before + size * INTENSITY_INTERVAL)
    starts = []
    moment = top
    while moment >= first and len(starts) < size:
        starts.append(moment)
        moment -= INTENSITY_INTERVAL
    country = feed.data.get("_country", "")
    next_url = page_url(context.request, size, page_after=intensity_cursor(starts[-1])) \
        if starts and starts[-1] - INTENSITY_INTERVAL >= first else None
    previous_url = page_url(context.request, size, page_before=intensity_cursor(starts[0])) \
        if starts and starts[0] < last else None
    feed_url = record_url(context, "carbon_feeds", feed.id)
    response = json_response({
        "url": f"{feed_url}/carbon_intensities",
        "carbon_feed": feed_url,
        "carbon_intensities": [intensity_json(country, start, now) for start in starts],
    })
    response["Link"] = link_header(previous_url, next_url)
    return response


def list_levels(context: ApiContext, grid_feed_id: str):
    feed = _feed(GRID_FEED, GRID_FEED_PREFIX, grid_feed_id)
    now = datetime.now(UTC)
    bounds = {name: _within(value, now - HISTORY, now + FORECAST) for name, value in _bounds(context.request.GET).items()}
    series = level_series(feed.data.get("_country", ""), feed.data.get("reference_code", ""), now=now, **bounds)
    page = number_page(context.request, series)
    response = json_response(page.items)
    response["Link"] = page.link
    return response


DECLARATIONS = (
    # Before the collections' detail routes.
    Endpoint(r"carbon_feeds/(?P<carbon_feed_id>[^/]+)/carbon_intensities",
             {"GET": Operation(list_intensities, CARBON_SCOPE)}),
    Endpoint(r"grid_feeds/(?P<grid_feed_id>[^/]+)/levels", {"GET": Operation(list_levels, GRID_SCOPE)}),
    CARBON_FEEDS, GRID_FEEDS,
)
