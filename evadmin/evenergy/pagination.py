"""The API's two pagination styles, read from the `Link` header.

Cursor style (users, vehicles…): `page_after` / `page_before` take a resource id.
Page-number style (tariffs, suppliers…): `page` >= 1.
The Link URLs are absolute and may name another host (the docs' examples point at
api.ev.energy whatever the collection): only their cursor parameters are used, never the URL,
so the token only ever goes to the configured base URL.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar
from urllib.parse import parse_qs, urlsplit

import requests

from evadmin.evenergy import errors

logger = logging.getLogger(__name__)

T = TypeVar("T")

MAX_PAGE_SIZE = 100
# No list evadmin walks has more pages than this: 1,000,000 accounts at 100 a page. A walk that
# goes on past it is a loop, and stopping it keeps the hour's budget for people. Lists that are
# much shorter (tariffs, suppliers) pass a bound of their own.
MAX_PAGES = 10_000


def link_params(response: requests.Response, rel: str) -> dict[str, str]:
    """The query parameters of the Link header's `rel` URL, or {} when there is none."""
    url = (response.links.get(rel) or {}).get("url", "")
    if not url or url == "about:blank":
        return {}
    return {key: values[-1] for key, values in parse_qs(urlsplit(url).query).items() if values}


@dataclass
class CursorPage(Generic[T]):
    items: list[T]
    next_cursor: str | None = None  # pass as page_after for the next page
    previous_cursor: str | None = None  # pass as page_before for the previous page
    raw: list[dict] = field(default_factory=list, repr=False)

    @classmethod
    def from_response(cls, response: requests.Response, parse: Callable[[dict], T]) -> CursorPage[T]:
        body = response.json()
        return cls(
            items=[parse(item) for item in body],
            next_cursor=link_params(response, "next").get("page_after"),
            previous_cursor=link_params(response, "previous").get("page_before"),
            raw=body,
        )

    @property
    def has_next(self) -> bool:
        return self.next_cursor is not None

    @property
    def has_previous(self) -> bool:
        return self.previous_cursor is not None

    def __iter__(self) -> Iterator[T]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


@dataclass
class NumberPage(Generic[T]):
    items: list[T]
    number: int
    next_number: int | None = None
    previous_number: int | None = None

    @classmethod
    def from_response(cls, response: requests.Response, parse: Callable[[dict], T], number: int) -> NumberPage[T]:
        def page_of(rel: str) -> int | None:
            value = link_params(response, rel).get("page")
            return int(value) if value and value.isdigit() else None

        return cls(
            items=[parse(item) for item in response.json()],
            number=number,
            next_number=page_of("next"),
            previous_number=page_of("previous"),
        )

    def __iter__(self) -> Iterator[T]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


def _item_ids(items: Iterable) -> set[str]:
    return {item_id for item in items if (item_id := getattr(item, "id", None))}


def _stalled(collection: str, reason: str) -> errors.PaginationStalled:
    logger.error("paging the API's %s stopped: %s", collection, reason)
    return errors.PaginationStalled(reason, collection=collection)


def next_cursor_from_link(page: CursorPage) -> str | None:
    return page.next_cursor


def next_cursor_after_last_item(page: CursorPage) -> str | None:
    """For walks in id order (users by creation): no Link header can turn such a walk around."""
    return page.items[-1].id if page.items else None


def _walk_forward(fetch: Callable, first, following: Callable, *, collection: str, max_pages: int,
                  name: Callable[[object], str]) -> Iterator:
    """Pages from `first` on, where `following(page)` is the next page's key (None: the end).

    The walk must move forward: a key offered again, a page whose items were all read already, or
    more than `max_pages` pages raise PaginationStalled (logged) instead of asking again.
    """
    key, keys, seen = first, {first}, set()
    for count in range(1, max_pages + 1):
        page = fetch(key)
        ids = _item_ids(page.items)
        if ids and ids <= seen:
            raise _stalled(collection, f"{name(key)} repeats {len(ids)} items already read")
        seen |= ids
        yield page
        next_key = following(page) if page.items else None
        if next_key is None:
            return
        if next_key in keys:
            raise _stalled(collection, f"{name(next_key)} was offered again after {name(key)}")
        if count == max_pages:
            break
        key = next_key
        keys.add(key)
    raise _stalled(collection, f"it still had a next page after {max_pages} pages")


def iter_cursor_pages(
    fetch: Callable[[str | None], CursorPage[T]], *, start_after: str | None = None, collection: str = "records",
    max_pages: int = MAX_PAGES, next_cursor: Callable[[CursorPage], str | None] = next_cursor_from_link,
) -> Iterator[CursorPage[T]]:
    """Lazily walk every page from `start_after` (or the beginning), one request per page; the walk
    must move forward (see _walk_forward)."""
    return _walk_forward(
        fetch, start_after, lambda page: next_cursor(page) if page.has_next else None, collection=collection,
        max_pages=max_pages, name=lambda cursor: f"the page after {cursor}" if cursor else "the first page",
    )


def iter_number_pages(
    fetch: Callable[[int], NumberPage[T]], *, collection: str = "records", max_pages: int = MAX_PAGES
) -> Iterator[NumberPage[T]]:
    """Every page from page 1, one request each; the walk must move forward (see _walk_forward)."""
    return _walk_forward(fetch, 1, lambda page: page.next_number, collection=collection, max_pages=max_pages,
                         name=lambda number: f"page {number}")


def collect_items(pages: Iterator) -> list:
    """Every item of every page; a stalled walk raises with what it read before (`exc.items`)."""
    items: list = []
    try:
        for page in pages:
            items.extend(page)
    except errors.PaginationStalled as exc:
        exc.items = items
        raise
    return items


# A cursor is the API's to define (an id today, but opaque): passed on as given, unless it could not
# be a cursor at all. Requests URL-encodes it; the Link's host is never used (link_params above).
MAX_CURSOR_LENGTH = 200


def check_cursor(cursor: str) -> str:
    if len(cursor) > MAX_CURSOR_LENGTH or not cursor.isprintable():
        raise errors.InvalidCursor(f"{cursor[:40]!r}… is not a page cursor.", status=400)
    return cursor


def list_request(client, path: str, *, params: dict[str, Any], paged_by_cursor: bool,
                 headers: dict[str, str] | None = None) -> requests.Response:
    """GET a list; a page link the API refuses is InvalidCursor (the list's fault, not a record's)."""
    try:
        return client.request("GET", path, params=params, headers=headers)
    except errors.ValidationFailed as exc:
        if paged_by_cursor and "pagination" in exc.title.lower():
            raise errors.InvalidCursor(
                exc.describe(), status=exc.status, problem=exc.problem, method=exc.method, path=exc.path,
                request_id=exc.request_id,
            ) from exc
        raise
