"""What templates/components/pager.html draws: previous and next links for numbered pages (a Django
`Page`) or cursor pages (evenergy's `CursorPage`), and where their htmx swap goes.

Templates use the `{% pager %}` tag (evadmin/core/templatetags/components.py), which calls `pager_for`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page
from django.http import HttpRequest, QueryDict
from django.template.defaultfilters import floatformat


@dataclass(frozen=True)
class Pager:
    label: str  # the <nav>'s aria-label, e.g. "Pages of jobs"
    target: str  # the element the links swap (outerHTML), e.g. "#bulk-jobs"; the URL is pushed
    previous_url: str = ""
    next_url: str = ""
    previous_text: str = "← Previous"
    next_text: str = "Next →"
    status: str = ""  # between the links, e.g. "Page 2 of 7"


def pager_for(
    request: HttpRequest, page: Any, *, target: str, label: str, previous: str = "← Previous", next: str = "Next →",
    param: str = "page", items: str = "", status: bool = True, query: Mapping[str, Any] | None = None,
) -> Pager | None:
    """The pager of `page`, or None when there is nowhere to go.

    Numbered pages link to this URL with `param` replaced (other parameters, the filters, stay);
    the status says "Page 2 of 7" ("…of 7+" when the paginator's count is capped), or with `items`
    "Rows 51–100 of 1,234". Cursor pages link to `?after=`/`?before=` the page's cursors followed by
    `query` (the list's own state, e.g. page size: it is not in the request's query string on the
    first page), and have no status. `status=False` leaves the status out.
    """
    texts = {"target": target, "label": label, "previous_text": previous, "next_text": next}
    if isinstance(page, Page):
        if not page.has_other_pages():
            return None
        return Pager(
            **texts,
            previous_url=_with_page(request, param, page.previous_page_number()) if page.has_previous() else "",
            next_url=_with_page(request, param, page.next_page_number()) if page.has_next() else "",
            status=_page_status(page, items) if status else "",
        )
    if not (page.has_previous or page.has_next):
        return None
    return Pager(
        **texts,
        previous_url=_with_cursor(request, "before", page.previous_cursor, query) if page.has_previous else "",
        next_url=_with_cursor(request, "after", page.next_cursor, query) if page.has_next else "",
    )


def _with_page(request: HttpRequest, param: str, number: int) -> str:
    """This page's query string with `param` set to `number` (as Django's {% querystring %} does)."""
    params = request.GET.copy()
    params[param] = number
    return f"?{params.urlencode()}"


def _with_cursor(request: HttpRequest, direction: str, cursor: str, query: Mapping[str, Any] | None) -> str:
    params = QueryDict(mutable=True)
    params[direction] = cursor
    for key, value in (query or {}).items():
        if value not in (None, ""):
            params[key] = value
    return f"{request.path}?{params.urlencode()}"


def _page_status(page: Page, items: str) -> str:
    if items:
        count, start, end = (floatformat(n, "0g") for n in (page.paginator.count, page.start_index(), page.end_index()))
        return f"{items} {start}–{end} of {count}"
    more = "+" if getattr(page.paginator, "capped", False) else ""
    return f"Page {page.number} of {page.paginator.num_pages}{more}"
