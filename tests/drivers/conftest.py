"""The user pages against the sandbox: signed-in clients per role, and a way to pick seeded users."""

import pytest

from evadmin.evenergy.client import build_client


@pytest.fixture
def pages(api_settings, client_as, sandbox_api):
    """client_as with evadmin pointed at the sandbox, its data as first seeded."""
    sandbox_api.reset(data=True)
    return client_as


@pytest.fixture
def direct_api(pages):
    """A client of our own, to set things up (or change them behind evadmin's back)."""
    return build_client()


@pytest.fixture
def user_with_address(direct_api):
    return next(u for u in direct_api.users.list(page_size=100) if u.default_location and u.default_location.has_address
                and u.default_location.tariff_url)
