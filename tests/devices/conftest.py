"""The device panels against the sandbox: the driver pages' clients, and the seeded support cases."""

import pytest

from tests.drivers.conftest import direct_api, pages  # noqa: F401  (fixtures, used by name)


@pytest.fixture
def cases(request, sandbox_api):
    """{case name: its ground truth} as the sandbox seeded it (GET /_sandbox/seed/cases), after `pages`
    has re-seeded it."""
    request.getfixturevalue("pages")
    return sandbox_api.seed_cases()
