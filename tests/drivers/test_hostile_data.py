"""API data is rendered as text: markup, very long strings, right-to-left and zero-width characters.

Sandbox users get hostile values the way a real API could return them (created through
POST /v2/users, then names and addresses set in the sandbox's own database, since the API
treats full_name as read-only and validates addresses), one is synced into the directory, and
every page that shows them must escape the markup, keep the full long value and stay readable.

The synced user's city is 255 characters, the most the directory's columns hold: a 10,000-character
value fails the directory sync on PostgreSQL (varchar(255), reported to the directory's owner), so
the 10,000-character user is created after the sync and shown by the pages that read the API live.
"""

from __future__ import annotations

import re
import sqlite3
import uuid
from pathlib import Path

import pytest

from evadmin.audit import actions
from evadmin.audit.services import audit_record
from tests.staff.fixtures import make_staff

SCRIPT = '<script>alert("name")</script>'
IMG = '"><img src=x onerror=alert(1)>'
SVG = "<svg onload=alert(2)>"
LONG = "Llanfair" + "x" * 9_992  # 10,000 characters, no spaces to break at
LONG_SYNCED = LONG[:255]
RTL = "\u202egnp.exe"  # right-to-left override: "exe.png" to the eye
ZERO_WIDTH = "Zo\u200be\u200d"
# Markup that must never reach a page unescaped.
RAW_MARKUP = ("<script>alert(", "<img src=x", "<svg onload")
STYLESHEET = Path(__file__).resolve().parents[2] / "static" / "css" / "evadmin.css"


def hostile_values(tag: str, *, city: str = LONG_SYNCED) -> dict[str, str]:
    """Column -> hostile value for one sandbox user; `tag` keeps emails unique."""
    return {
        "email": f"{tag}{SVG}@example.com",
        "full_name": f"{SCRIPT} {ZERO_WIDTH} {RTL}",
        "address_1": IMG,
        "address_2": RTL,
        "city": city,
        "state": ZERO_WIDTH,
        "postal_code": "<b>SW1A</b>",  # not a UK postcode: the report rule finds it and quotes it
    }


def hostile_user(sandbox, direct_api, values: dict[str, str]) -> str:
    """A user created through the API, then given `values` in the sandbox's database; returns its id."""
    user = direct_api.users.create(email=f"plain-{uuid.uuid4().hex[:10]}@example.com", default_location={
        "address_1": "1 High Street", "city": "London", "postal_code": "SW1A 1AA", "country_code": "GB",
        "coordinates": {"latitude": 51.5, "longitude": -0.12}})
    columns = ", ".join(f"{column} = ?" for column in values)
    with sqlite3.connect(sandbox.db_path) as database:
        database.execute(f"UPDATE sandbox_user SET {columns}, email_lower = ? WHERE id = ?",
                         [*values.values(), values.get("email", user.email).lower(), user.id])
    return user.id


def escaped(text: str) -> str:
    from django.utils.html import escape

    return escape(text)


def assert_rendered_as_text(html: str, *, shows: tuple[str, ...]) -> None:
    for markup in RAW_MARKUP:
        assert markup not in html, f"unescaped {markup!r}"
    for value in shows:
        assert escaped(value) in html, f"{value[:40]!r} not shown (escaped)"


def hostile_users_synced_and_long(sandbox, api) -> tuple[tuple[str, dict], tuple[str, dict]]:
    """(id, values) of a user synced into the directory, and of one with a 10,000-character city."""
    from tests.driver_directory.factories import directory_full_sync

    synced_values = hostile_values(f"h{uuid.uuid4().hex[:6]}")
    synced_id = hostile_user(sandbox, api, synced_values)
    directory_full_sync()
    long_values = hostile_values(f"l{uuid.uuid4().hex[:6]}", city=LONG)
    return (synced_id, synced_values), (hostile_user(sandbox, api, long_values), long_values)


@pytest.fixture
def hostile_users(pages, sandbox_api, direct_api):
    return hostile_users_synced_and_long(sandbox_api, direct_api)


@pytest.fixture
def synced_hostile_user(hostile_users):
    return hostile_users[0]


def test_user_detail_and_edit_form(pages, hostile_users):
    _synced, (user_id, values) = hostile_users
    client = pages("support")
    detail = client.get(f"/users/{user_id}/")
    assert detail.status_code == 200
    assert_rendered_as_text(detail.content.decode(), shows=(values["full_name"], values["email"], IMG, LONG, RTL))
    form = client.get(f"/users/{user_id}/edit/")
    assert form.status_code == 200
    html = form.content.decode()
    assert_rendered_as_text(html, shows=(IMG, LONG))
    # Values in inputs are attribute-escaped, whole: a re-save does not truncate or mangle them.
    assert f'value="{escaped(IMG)}"' in html and f'value="{LONG}"' in html


@pytest.mark.parametrize("url", ["/users/?q={q}", "/locations/?q={q}"], ids=["directory search", "locations"])
def test_lists_and_search(pages, synced_hostile_user, url):
    user_id, values = synced_hostile_user
    response = pages("viewer").get(url.format(q=user_id))
    assert response.status_code == 200
    html = response.content.decode()
    assert user_id in html
    assert_rendered_as_text(html, shows=(values["email"],))


def test_search_by_the_markup_itself(pages, synced_hostile_user):
    _user_id, values = synced_hostile_user
    response = pages("viewer").get("/users/", {"q": "onerror=alert"})
    assert response.status_code == 200
    assert_rendered_as_text(response.content.decode(), shows=())


def test_audit_trail(pages, synced_hostile_user):
    user_id, values = synced_hostile_user
    actor = make_staff("support")
    audit_record(actor=actor, action=actions.USER_UPDATE, target_user_id=user_id,
                 before={"address_1": "1 High Street", "city": "London"},
                 after={"address_1": IMG, "city": LONG}, reason=f"{SCRIPT} {RTL}")
    response = pages("auditor").get("/audit/")
    assert response.status_code == 200
    assert_rendered_as_text(response.content.decode(), shows=(IMG, SCRIPT))


def test_report_pages(pages, synced_hostile_user):
    from evadmin.data_quality.models import AuditReport
    from evadmin.data_quality.services import audit_report_advance

    user_id, values = synced_hostile_user
    report = audit_report_advance(report_id=AuditReport.objects.create().pk)
    assert report.findings.filter(user_id=user_id).exists()
    client = pages("auditor")
    for url in ("/audit/reports/", f"/audit/reports/{report.pk}/", f"/audit/reports/{report.pk}/?rule=postcode_format"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_rendered_as_text(response.content.decode(), shows=())
    html = client.get(f"/audit/reports/{report.pk}/", {"q": user_id}).content.decode()
    assert "&lt;b&gt;SW1A&lt;/b&gt;" in html or escaped(values["email"]) in html


def test_long_unbroken_values_wrap_instead_of_widening_the_page():
    """Table cells, field values and headings break a 10,000-character word anywhere."""
    css = STYLESHEET.read_text()
    rule = re.search(r"(?ms)^([^{}]*\btd\b[^{}]*)\{[^}]*overflow-wrap:\s*anywhere", css)
    assert rule and "main" in rule.group(1), "no overflow-wrap: anywhere for table cells in main"
    assert re.search(r"(?ms)dl\.fields dd\s*\{[^}]*overflow-wrap:\s*anywhere", css)
    assert re.search(r"(?ms)\.page-heading h1\s*\{[^}]*overflow-wrap:\s*anywhere", css)
