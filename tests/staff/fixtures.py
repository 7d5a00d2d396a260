"""Staff fixtures for every test package (tests/conftest.py loads this as a plugin)."""

import pytest
from django.test import Client

from evadmin.staff.services import demo_password, staff_member_create


def make_staff(role: str | None, *, username: str | None = None):
    """A staff member holding `role` (None: no role at all), password demo_password(role)."""
    username = username or f"{role or 'norole'}-member"
    return staff_member_create(username=username, password=demo_password(role or "none"), roles=[role] if role else [])


@pytest.fixture
def staff_factory(db):
    return make_staff


@pytest.fixture
def client_as(db):
    """client_as("auditor") -> a test Client signed in as a fresh member of that role."""

    def sign_in(role: str | None) -> Client:
        client = Client()
        client.force_login(make_staff(role))
        return client

    return sign_in
