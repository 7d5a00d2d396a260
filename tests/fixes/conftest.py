"""Fixes against the sandbox over HTTP: the seeded support cases' drivers, a driver plugged in now (what a
boost acts on), and helpers to open a fix and read what it recorded."""

from dataclasses import dataclass

import pytest
from django.urls import reverse

from evadmin.audit.models import AuditEvent
from evadmin.evenergy import collections as c
from tests.conftest import sent
from tests.drivers.conftest import direct_api, pages  # noqa: F401, F811  (fixtures, used by name)

# Requests that write: what a fix sends, and what a refused or invalid fix must not.
WRITES = ("POST", "PATCH")


@dataclass(frozen=True)
class Driver:
    user_id: str
    vehicle_id: str
    evse_id: str
    sub_session_id: str = ""
    session_id: str = ""


def fix_url(user_id: str, name: str, target: str = "") -> str:
    url = reverse("fixes:fix", args=[user_id, name])
    return f"{url}?target={target}" if target else url


def writes_sent(sandbox_api) -> list[dict]:
    return [entry for method in WRITES for entry in sent(sandbox_api, method)]


def recorded(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


@pytest.fixture
def cases(pages, sandbox_api) -> dict:  # noqa: F811
    """The support cases as seeded this time (ids change with every seeding)."""
    return sandbox_api.seed_cases()


@pytest.fixture
def healthy(cases) -> Driver:
    case = cases["healthy_control"]
    return Driver(case["user_id"], case["vehicle_id"], case["evse_id"], case["sub_session_id"], case["session_id"])


@pytest.fixture
def over_delivery(cases) -> Driver:
    case = cases["energy_over_delivery"]
    return Driver(case["user_id"], case["vehicle_id"], case["evse_id"], case["sub_session_id"], case["session_id"])


@pytest.fixture
def plugged_in(direct_api) -> Driver:  # noqa: F811
    """A driver whose vehicle is plugged in now, smart charging (the sandbox seeds a few)."""
    running = direct_api.collection(c.CHARGING_SUB_SESSIONS).list(page_size=100, expand=(), is_finished=False,
                                                                   mode="SMART")
    for sub_session in running.items:
        vehicle = direct_api.collection(c.VEHICLES).get(sub_session.related_id("vehicle"), expand=())
        user_id = vehicle.related_id("user")
        sessions = direct_api.collection(c.CHARGING_SESSIONS).list(user=user_id, page_size=5)
        open_session = next((s for s in sessions.items if s.end is None), None)
        if open_session is not None and sub_session.url in open_session.sub_session_urls:
            return Driver(user_id, vehicle.id, sub_session.related_id("evse") or "", sub_session.id, open_session.id)
    pytest.fail("the sandbox seeded nobody plugged in now")
