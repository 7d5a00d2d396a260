"""Fixtures for the API package: a client wired to the sandbox, with every exchange spec-checked."""

import pytest

from evadmin.evenergy.client import build_client
from tests import spec


@pytest.fixture
def api(api_settings, request):
    """A fresh client; each request it sends and each answer it gets must match the published spec.

    Tests that send invalid data on purpose (to see the API refuse it) mark themselves
    `sends_invalid_data`: their requests are not checked, the answers still are.
    """
    check_requests = request.node.get_closest_marker("sends_invalid_data") is None
    client = build_client()
    exchanges = []
    client.session.hooks["response"].append(lambda response, *args, **kwargs: exchanges.append(response))
    yield client
    problems = []
    for response in exchanges:
        sent = response.request
        if check_requests:
            problems += spec.request_problems(sent.method, sent.url, dict(sent.headers), sent.body)
        problems += spec.response_problems(
            sent.method, sent.url, response.status_code, dict(response.headers), response.content
        )
    if problems:
        pytest.fail("exchanges that do not match openapi.yaml:\n" + "\n".join(problems))

