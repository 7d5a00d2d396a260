"""Fixtures of the sandbox's HTTP tests (the sandbox process itself comes from fixtures.py)."""

import pytest

from tests import spec
from tests.sandbox.helpers import Api


@pytest.fixture
def api(sandbox_api):
    spec.require_spec()
    return Api(sandbox_api, sandbox_api.token())


@pytest.fixture
def writes(sandbox_api):
    """For tests that change data: the seeded data is restored afterwards, so counts stay true."""
    yield
    sandbox_api.reset(data=True)
