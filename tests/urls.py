"""Every URL pattern of the project, for the suites that must cover each one (permissions,
authorization matrix, CSRF, CSP, API faults): a new view is then caught by all of them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver


@dataclass(frozen=True)
class Route:
    route: str  # the pattern as written, prefixes joined: "users/<str:user_id>/"
    name: str  # namespaced url name, "users:detail", or "" for an unnamed pattern
    pattern: URLPattern

    @property
    def callback(self) -> Callable:
        return self.pattern.callback

    @property
    def module(self) -> str:
        return getattr(self.callback, "__module__", "") or ""


def _walk(resolver: URLResolver, prefix: str, namespace: str):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            yield Route(prefix + str(entry.pattern), f"{namespace}{entry.name}" if entry.name else "", entry)


def project_routes() -> list[Route]:
    """Every pattern of the root URLconf, Django admin's included, in declaration order."""
    return list(_walk(get_resolver(), "", ""))
