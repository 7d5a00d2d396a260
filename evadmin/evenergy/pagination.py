"""The API's two pagination styles, read from the `Link` header.

Cursor style (users, vehicles…): `page_after` / `page_before` take a resource id.
Page-number style (tariffs, suppliers…): `page` >= 1.
The Link URLs are absolute and may name another host (the docs' examples point at
api.ev.energy whatever the collection): only their cursor parameters are used, never the URL,
so the token only ever goes to the configured base URL.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Generic, TypeVar
from urllib.parse import parse_qs, urlsplit

import requests

T = TypeVar("T")

MAX_PAGE_SIZE = 100


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


def iter_cursor_pages(fetch: Callable[[str | None], CursorPage[T]], *, start_after: str | None = None) -> Iterator[CursorPage[T]]:
    """Lazily walk every page from `start_after` (or the beginning), one request per page."""
    cursor = start_after
    while True:
        page = fetch(cursor)
        yield page
        if not page.has_next or not page.items:
            return
        cursor = page.next_cursor


def iter_number_pages(fetch: Callable[[int], NumberPage[T]]) -> Iterator[NumberPage[T]]:
    number = 1
    while True:
        page = fetch(number)
        yield page
        if page.next_number is None or not page.items:
            return
        number = page.next_number
