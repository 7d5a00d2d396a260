"""What the sandbox's HTTP tests share: `Api` (requests that check every exchange against the
spec), `problem` (checks a problem+json answer), `all_pages` (follows Link headers), `links_in`.

Fixtures built on these (`api`, `writes`) are in conftest.py.
"""

from __future__ import annotations

import requests

from tests import spec


class Api:
    """requests with a bearer token, checking each exchange against the spec."""

    def __init__(self, sandbox, token: str | None):
        self.sandbox = sandbox
        self.headers = {"EvEnergy-Version": "2", **({"Authorization": f"Bearer {token}"} if token else {})}

    def call(self, method, path, *, headers=None, check_request=True, **kwargs) -> requests.Response:
        response = requests.request(method, self.sandbox.url(path), headers={**self.headers, **(headers or {})},
                                    timeout=10, **kwargs)
        request = response.request
        if check_request:  # off for requests that are wrong on purpose
            spec.validate_request(request.method, request.url, dict(request.headers), request.body)
        spec.validate_response(request.method, request.url, response.status_code, dict(response.headers),
                               response.content)
        assert response.headers["EvEnergy-Version"] == "2"
        assert {"X-RateLimit-Limit", "X-RateLimit-Remaining"} <= set(response.headers)
        return response

    def get(self, path, **kwargs):
        return self.call("GET", path, **kwargs)


def problem(response, status, title=None):
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status and body["type"].endswith("/")
    assert "/v2/problems/" in body["type"] and body["instance"].startswith("http")
    if title:
        assert body["title"] == title
    return body


def all_pages(api, path, **kwargs) -> tuple[list, int]:
    """Every item of a list, following the next links; and how many pages that took."""
    items, url, pages = [], path, 0
    while url != "about:blank":
        response = api.get(url, **kwargs)
        assert response.status_code == 200, response.text
        items += response.json()
        pages += 1
        url = response.links["next"]["url"]
        kwargs.pop("params", None)  # the next link carries them
    return items, pages


def links_in(value, base: str) -> set[str]:
    """Every URL under `base` anywhere in a JSON value."""
    if isinstance(value, dict):
        return set().union(*(links_in(item, base) for item in value.values()))
    if isinstance(value, list):
        return set().union(*(links_in(item, base) for item in value))
    return {value} if isinstance(value, str) and value.startswith(base) else set()
