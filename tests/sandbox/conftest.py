"""Fixtures of the sandbox's HTTP tests (the sandbox process and `writes` come from fixtures.py)."""

import pytest

from tests import spec
from tests.sandbox.helpers import Api


@pytest.fixture
def api(sandbox_api):
    spec.require_spec()
    return Api(sandbox_api, sandbox_api.token())

