"""The ticket desk against the sandbox over HTTP: its seeded ticket cases (their truth:
/_sandbox/seed/cases), and helpers to read what a page asked the API."""

from urllib.parse import parse_qs

import pytest

from tests.conftest import sent
from tests.drivers.conftest import direct_api, pages  # noqa: F401  (fixtures, used by name)


@pytest.fixture
def cases(pages, sandbox_api) -> dict:  # noqa: F811  (pages: the sandbox as seeded)
    return sandbox_api.seed_cases()


@pytest.fixture
def offline_ticket(cases) -> dict:
    """The open ticket about the offline-charger night: a driver, messages, a Freshdesk number."""
    return cases["ticket_offline_charger_night"]


def ticket_gets(sandbox_api, path: str = "/v2/support_tickets") -> list[dict]:
    """The GETs of tickets (lists, a ticket, messages) under `path`; the taxonomy is not one of them."""
    return [entry for entry in sent(sandbox_api, "GET")
            if entry["path"].startswith(path) and entry["path"].rstrip("/") != "/v2/support_tickets/categories"]


def query_of(entry: dict) -> dict[str, list[str]]:
    return parse_qs(entry.get("query") or "", keep_blank_values=True)


def case_user(case: dict) -> str | None:
    return case.get("user_id")
