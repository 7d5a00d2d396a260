"""The API's two pagination styles and its Link header.

Cursor style (users, vehicles, EVSEs): `page_size` 1..100 (default 25), `page_after` / `page_before`
take a resource id; `page_before` is ignored when `page_after` is given. Ids are ULIDs, so
ordering by id is creation order. Page-number style (tariffs, suppliers): `page` >= 1; a page past
the end is 404. Either way the Link header reads
`<url>; rel="previous", <url>; rel="next"`, with `<about:blank>` where there is no such page; the
URLs are absolute and keep the request's other query parameters.

Fault modes (faults.ODD_PAGING, `empty_lists`) bend these answers the ways the spec's own
examples allow, so evadmin's paging loops can be tested against them.
"""

import math
from dataclasses import dataclass
from urllib.parse import urlencode

from evadmin.sandbox import faults, ids
from evadmin.sandbox.responses import invalid_pagination, not_found, request_url

DEFAULT_PAGE_SIZE = 25
MAX_PAGE_SIZE = 100
NO_PAGE = "about:blank"
CURSOR_PARAMS = ("page_after", "page_before")


@dataclass
class Page:
    items: list
    link: str


def link_header(previous_url: str | None, next_url: str | None) -> str:
    return f'<{previous_url or NO_PAGE}>; rel="previous", <{next_url or NO_PAGE}>; rel="next"'


def page_size_of(request) -> int:
    raw = request.GET.get("page_size")
    if raw is None:
        return DEFAULT_PAGE_SIZE
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_PAGE_SIZE:
        raise invalid_pagination("page_size")
    return int(raw)


def page_url(request, page_size: int, **cursor: str | int) -> str:
    """This request's URL with page_size set and the pagination parameters replaced by `cursor`."""
    replaced = {"page_size", "page", *CURSOR_PARAMS}
    params: list[tuple[str, str]] = []
    for key, values in request.GET.lists():
        if key == "page_size":
            params.append(("page_size", str(page_size)))
        elif key not in replaced:
            params.extend((key, value) for value in values)
    if "page_size" not in request.GET:
        params.append(("page_size", str(page_size)))
    params.extend((key, str(value)) for key, value in cursor.items())
    return f"{request_url(request)}?{urlencode(params)}"


def _cursor(request, name: str, model, prefix: str) -> str | None:
    value = request.GET.get(name)
    if value is None:
        return None
    if not ids.is_id(value, prefix) or not model.objects.filter(pk=value).exists():
        raise invalid_pagination(name)
    return value


def cursor_page(request, queryset, *, model, prefix: str, newest_first: bool = False) -> Page:
    """One page of `queryset` (any filters applied), in id order (`newest_first`: descending, as
    the spec lists charging sessions); page_after/page_before follow the listing's order."""
    size = page_size_of(request)
    after = _cursor(request, "page_after", model, prefix)
    before = None if after else _cursor(request, "page_before", model, prefix)
    # "later in the listing" is a greater id, or a smaller one when newest come first.
    later, earlier = ("pk__lt", "pk__gt") if newest_first else ("pk__gt", "pk__lt")
    order, reverse_order = ("-pk", "pk") if newest_first else ("pk", "-pk")
    queryset = queryset.order_by(order)
    paging, empty = faults.odd_paging()
    if empty:
        return Page([], link_header(None, None))
    if paging == "ignore_paging":
        after = before = None
    if after:
        items = list(queryset.filter(**{later: after})[:size])
    elif before:
        items = list(queryset.filter(**{earlier: before}).order_by(reverse_order)[:size])[::-1]
    else:
        items = list(queryset[:size])
    previous_url = next_url = None
    if items and queryset.filter(**{earlier: items[0].pk}).exists():
        previous_url = page_url(request, size, page_before=items[0].pk)
    if items and queryset.filter(**{later: items[-1].pk}).exists():
        next_url = page_url(request, size, page_after=items[-1].pk)
    if paging == "repeat_next" and request.GET.get("page_after"):
        next_url = page_url(request, size, page_after=request.GET["page_after"])
    elif next_url and paging == "foreign_cursor":
        next_url = page_url(request, size, page_after=ids.new_id(ids.VEHICLE))
    elif paging == "ignore_paging" and items:  # the links advance as if the cursor had been honoured
        next_url = page_url(request, size, page_after=request.GET.get("page_after") or items[-1].pk)
    return Page(items, link_header(previous_url, next_url))


def sequence_page(request, items: list, *, prefix: str) -> Page:
    """A cursor page of an in-memory list (the static catalogue), in the list's order."""
    size = page_size_of(request)
    ids_in_order = [item.id for item in items]
    positions = {item_id: index for index, item_id in enumerate(ids_in_order)}

    def position(name: str) -> int | None:
        value = request.GET.get(name)
        if value is None:
            return None
        if not ids.is_id(value, prefix) or value not in positions:
            raise invalid_pagination(name)
        return positions[value]

    after = position("page_after")
    before = None if after is not None else position("page_before")
    start = after + 1 if after is not None else max(0, before - size) if before is not None else 0
    end = before if before is not None else start + size
    page = items[start:end]
    previous_url = page_url(request, size, page_before=page[0].id) if page and start > 0 else None
    next_url = page_url(request, size, page_after=page[-1].id) if page and end < len(items) else None
    return Page(page, link_header(previous_url, next_url))


def number_page(request, queryset) -> Page:
    size = page_size_of(request)
    raw = request.GET.get("page", "1")
    try:
        number = float(raw)  # the spec types `page` as a number: accept "2" and "2.0"
    except ValueError:
        raise invalid_pagination("page") from None
    if not math.isfinite(number) or number != int(number) or number < 1:
        raise invalid_pagination("page")
    number = int(number)
    paging, empty = faults.odd_paging()
    if empty:
        return Page([], link_header(None, None))
    total = queryset.count()
    asked = number
    if paging == "ignore_paging":
        number = 1
    elif paging == "repeat_next":  # the spec's example: next is page 2 on every page, the last included
        number = min(number, max(1, math.ceil(total / size)))
    if number > 1 and (number - 1) * size >= total:
        raise not_found("Invalid page.")
    items = list(queryset[(number - 1) * size:number * size])
    previous_url = page_url(request, size, page=number - 1) if number > 1 else None
    next_url = page_url(request, size, page=number + 1) if number * size < total else None
    if paging == "repeat_next":
        next_url = page_url(request, size, page=2)
    elif paging == "ignore_paging":
        next_url = page_url(request, size, page=asked + 1)
    return Page(items, link_header(previous_url, next_url))

