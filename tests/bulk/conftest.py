"""Fixtures for the bulk tests: an operator, uploads through the service, directory accounts."""

from __future__ import annotations

import io

import pytest

from evadmin.bulk.upload.drafts import bulk_job_create_from_upload
from evadmin.bulk.upload.row_checks import RowChecker
from evadmin.driver_directory.models import DirectoryAccount
from tests.bulk.factories import SITE_ID, TARIFF_ID, TARIFF_ID_2, TARIFF_ID_3
from tests.bulk.workers import bulk_worker  # noqa: F401 - a fixture for test_worker.py
from tests.driver_directory.factories import DirectoryAccountFactory
from tests.evenergy.api_state import reset_api_state
from tests.staff.fixtures import make_staff


def offline_checker() -> RowChecker:
    """Row checks that know one tariff and one EVSE site without asking the API."""
    return RowChecker(tariff_ids=lambda: {TARIFF_ID}, evse_site_ids=lambda: {SITE_ID}, tariff_names=lambda: {
        "agile octopus": [(TARIFF_ID, "Agile Octopus · Octopus Energy")],
        "fixed 12m": [(TARIFF_ID_2, "Fixed 12M · British Gas"), (TARIFF_ID_3, "Fixed 12M · EDF")]})


@pytest.fixture
def operator(db):
    return make_staff("bulk_operator", username="operator-one")


@pytest.fixture
def upload(operator):
    """upload(content, name=...) -> a draft BulkJob made through the real import service."""

    def make(content: bytes, *, name: str = "drivers.csv", actor=None):
        return bulk_job_create_from_upload(file=io.BytesIO(content), file_name=name, actor=actor or operator,
                                           checker=offline_checker())

    return make


@pytest.fixture
def directory_account(db):
    """directory_account(email, user_id) -> a DirectoryAccount as a sync would have stored it."""

    def make(email: str, user_id: str | None = None) -> DirectoryAccount:
        return DirectoryAccountFactory(email=email, **({"user_id": user_id} if user_id else {}))

    return make


@pytest.fixture
def fresh_budget(db, settings):
    """A rate budget with nothing spent and nothing observed from the API (the cache may be Redis)."""
    reset_api_state()
    yield settings
    reset_api_state(clear_spending=False)


@pytest.fixture(scope="package")
def sandbox_reseeded_after_bulk(sandbox):
    """Bulk tests create accounts in the session's sandbox; re-seed it once they are done, so
    later packages (tests/evenergy counts the 250 seeded users) find the data they expect."""
    yield
    sandbox.reset(data=True)


@pytest.fixture
def bulk_api(api_settings, sandbox_api, sandbox_reseeded_after_bulk):
    """evadmin against the sandbox with nothing spent this hour (api_settings clears the budget)."""
    return sandbox_api


def unique_domain() -> str:
    import uuid

    return f"bulk-{uuid.uuid4().hex[:10]}.example.com"


def posts_by_email(sandbox_api) -> dict[str, int]:
    """{email: POST /users requests the sandbox received} since its last reset."""
    import json

    counts: dict[str, int] = {}
    for entry in sandbox_api.requests():
        if entry["method"] == "POST" and entry["path"].rstrip("/").endswith("/v2/users"):
            body = entry["body"] if isinstance(entry["body"], dict) else json.loads(entry["body"] or "{}")
            counts[body.get("email", "")] = counts.get(body.get("email", ""), 0) + 1
    return counts


def sandbox_users_by_email(sandbox_api, domain: str) -> dict[str, int]:
    """{email: accounts} in the sandbox for emails at `domain`, read through the API's own list."""
    import requests as http

    token = sandbox_api.token()
    counts: dict[str, int] = {}
    url = sandbox_api.url("/users") + "?page_size=100"
    while url:
        response = http.get(url, headers={"Authorization": f"Bearer {token}", "EvEnergy-Version": "2"}, timeout=30)
        response.raise_for_status()
        for user in response.json():
            if user["email"].endswith("@" + domain):
                counts[user["email"].lower()] = counts.get(user["email"].lower(), 0) + 1
        url = response.links.get("next", {}).get("url")
        url = url if url and url != "about:blank" else None
    return counts
