"""The charging pages against the sandbox's seeded support cases (their truth: /_sandbox/seed/cases)."""

import re
from datetime import datetime
from html import unescape

import pytest

from evadmin.core.timezones import zone_named
from evadmin.evenergy.collections import CHARGING_SUB_SESSIONS
from evadmin.evenergy.typed import parse_datetime
from tests.conftest import sent
from tests.drivers.conftest import direct_api, pages  # noqa: F401  (the driver pages' fixtures)


@pytest.fixture
def cases(pages, sandbox_api) -> dict:  # noqa: F811  (pages: the sandbox as seeded)
    return sandbox_api.seed_cases()


def case_zone(api, case):
    """The driver's zone as their sub-sessions carry it."""
    first = api.collection(CHARGING_SUB_SESSIONS).list(user=case["user_id"], page_size=1, expand=()).items[0]
    return zone_named(first.location["timezone"])


def api_gets(sandbox_api) -> list[dict]:
    return sent(sandbox_api, "GET")


def moment(value: str) -> datetime:
    return parse_datetime(value)


def times_in(html: str) -> list[datetime]:
    return [parse_datetime(value) for value in re.findall(r'<time datetime="([^"]+)"', html)]


def text_of(html: str) -> str:
    """What a reader sees: tags out, whitespace collapsed."""
    text = " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())
    return text.replace(" ,", ",").replace(" :", ":").replace(" .", ".")
