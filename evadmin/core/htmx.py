"""Small helpers for views that serve both a full page and an htmx fragment of it."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers


def wants_partial(request: HttpRequest) -> bool:
    """True when the response should be a fragment rather than the whole page.

    Boosted links and history restores (after a cache miss htmx refetches the page and
    swaps the whole body) need the full page even though they come from htmx.
    """
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def vary_on_htmx(response: HttpResponse) -> HttpResponse:
    """One URL answers with a page or a fragment, so caches must key on HX-Request."""
    patch_vary_headers(response, ("HX-Request",))
    return response


def render_page(
    request: HttpRequest, template: str, context: dict | None = None, *, partial: str | None = None,
    status: int | None = None,
) -> HttpResponse:
    """The page, or only its `{% partialdef partial %}` when htmx asks for a fragment.

    `partial=None` always renders the whole page (it still varies on HX-Request, as the URL may
    answer htmx with a fragment on other parameters).
    """
    if partial and wants_partial(request):
        template = f"{template}#{partial}"
    return vary_on_htmx(render(request, template, context, status=status))
