"""The authorization matrix: every URL pattern of the project, asked by every role, answers as
tests/core/authorization_table.py declares.

A mismatch is a bug in the view (fix the view, not the table) or a deliberate change (change the
table in the same commit, so a reviewer sees who gained or lost what). A new URL pattern fails
until it is added to the table.
"""

import io
from dataclasses import dataclass

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.utils import timezone

from evadmin.audit.services import audit_record
from evadmin.bulk.upload.drafts import bulk_job_create_from_upload
from evadmin.bulk.upload.row_checks import RowChecker
from evadmin.data_quality.models import AuditReport
from evadmin.data_quality.services import audit_report_advance
from evadmin.driver_directory.export_jobs import location_export_request, location_export_run
from evadmin.driver_directory.models import DirectoryAccount, DirectorySync
from evadmin.driver_directory.search import DirectoryFilters
from evadmin.driver_directory.services import directory_store_users
from evadmin.evenergy.client import build_client
from evadmin.evenergy.collections import SUPPORT_TICKETS
from tests.bulk.factories import SITE_ID, TARIFF_ID, address, csv_bytes
from tests.core.authorization_table import ALLOWED, CALLERS, EXPECTED, LOGIN, REQUESTS
from tests.driver_directory.factories import ApiUserFactory
from tests.staff.fixtures import make_staff
from tests.urls import project_routes

pytestmark = pytest.mark.django_db

# The sandbox is the stand-in for the external API, with its own URLconf; nothing else is exempt.
EXEMPT_MODULE_PREFIXES = ("evadmin.sandbox",)
SIGN_IN_PAGES = ("/accounts/login/", "/admin/login/")


def url_patterns():
    """(route, callback) for every pattern, admin/ included."""
    for route in project_routes():
        if not route.module.startswith(EXEMPT_MODULE_PREFIXES):
            yield route.route, route.callback


@dataclass
class World:
    """The objects the routes' path arguments name."""

    user_id: str
    job_id: int
    report_id: int
    staff_id: int
    group_id: int
    audit_event_id: int
    account_id: str
    sync_id: int
    attempt_id: int
    access_log_id: int
    failure_log_id: int
    user_content_type_id: int
    ticket_id: str
    export_id: int

    def args(self) -> dict[str, object]:
        return vars(self)


@pytest.fixture
def world(api_settings) -> World:
    owner = make_staff("bulk_operator", username="job-owner")
    checker = RowChecker(tariff_ids=lambda: {TARIFF_ID}, evse_site_ids=lambda: {SITE_ID})
    job = bulk_job_create_from_upload(
        file=io.BytesIO(csv_bytes([{"email": "matrix@example.com", **address()}])),
        file_name="drivers.csv", actor=owner, checker=checker,
    )
    directory_store_users([ApiUserFactory(number=1)])
    account = DirectoryAccount.objects.get(user_id=ApiUserFactory(number=1).id)
    now = timezone.now()
    attempt_fields = {"user_agent": "test", "ip_address": "10.0.0.9", "username": "someone", "http_accept": "*/*",
                      "path_info": "/accounts/login/", "attempt_time": now}
    return World(
        user_id=next(iter(build_client().users.list(page_size=1))).id,
        job_id=job.pk,
        report_id=audit_report_advance(report_id=AuditReport.objects.create().pk).pk,
        staff_id=owner.pk,
        group_id=Group.objects.get(name="viewer").pk,
        audit_event_id=audit_record(actor=owner, action="audit.export").pk,
        account_id=account.pk,
        sync_id=DirectorySync.objects.create(kind=DirectorySync.Kind.FULL).pk,
        attempt_id=AccessAttempt.objects.create(get_data="", post_data="", failures_since_start=1, **attempt_fields).pk,
        access_log_id=AccessLog.objects.create(**attempt_fields).pk,
        failure_log_id=AccessFailureLog.objects.create(**attempt_fields).pk,
        user_content_type_id=ContentType.objects.get_for_model(owner).pk,
        ticket_id=build_client().collection(SUPPORT_TICKETS).list(page_size=1).items[0].id,
        export_id=location_export_run(export_id=location_export_request(
            actor=owner, file_format="csv", query="", filters=DirectoryFilters(), sort="").pk).pk,
    )


def outcome(response) -> str:
    if 300 <= response.status_code < 400:
        location = response["Location"]
        return LOGIN if location.split("?")[0].endswith(SIGN_IN_PAGES) else "redirect"
    return {200: "ok"}.get(response.status_code, str(response.status_code))


def matches(expected: str, actual: str) -> bool:
    if expected == ALLOWED:  # a write the caller may make: anything but refused, sent to sign in, or broken
        return actual not in (LOGIN, "403") and not actual.startswith("5")
    return expected == actual


def signed_in_callers() -> dict[str, tuple[Client, object]]:
    """Every caller's client (and staff member; None when anonymous)."""
    callers = {"anonymous": (Client(), None)}
    for caller in CALLERS[1:]:
        user = make_staff(None if caller == "no role" else caller, username=f"matrix-{caller.replace(' ', '-')}")
        client = Client()
        client.force_login(user)
        callers[caller] = (client, user)
    return callers


def test_every_url_pattern_is_in_the_table():
    routes = [route for route, _ in url_patterns()]
    missing = [route for route in routes if route not in EXPECTED]
    assert not missing, (
        "URL patterns missing from tests/core/authorization_table.py; add each to EXPECTED (what every "
        "role gets) and, if it takes path arguments or is POST-only, to REQUESTS:\n" + "\n".join(missing)
    )
    stale = sorted(set(EXPECTED) - set(routes))
    assert not stale, "authorization_table.py lists routes that no longer exist:\n" + "\n".join(stale)


def test_the_table_is_well_formed():
    for route, answers in EXPECTED.items():
        assert len(answers) == len(CALLERS), f"{route}: one answer per caller {CALLERS}"
    assert set(REQUESTS) <= set(EXPECTED)


def test_every_route_answers_every_role_as_declared(world):
    callers = signed_in_callers()
    mismatches = []
    for route, _ in url_patterns():
        if route not in EXPECTED:
            continue  # test_every_url_pattern_is_in_the_table names it
        method, path, data = REQUESTS.get(route, ("GET", route, None))
        path = "/" + path.format(**world.args())
        for caller, expected in zip(CALLERS, EXPECTED[route], strict=True):
            client, user = callers[caller]
            response = client.post(path, data or {}) if method == "POST" else client.get(path)
            if response.streaming:  # read a download to the end: it must not fail half-way either
                b"".join(response.streaming_content)
            actual = outcome(response)
            if user is not None and route.endswith("logout/"):
                client.force_login(user)  # signed out by that request; the routes after it need the session
            if not matches(expected, actual):
                mismatches.append(f"{method} {path} as {caller}: expected {expected}, got {actual}  [{route}]")
    assert not mismatches, "answers that differ from tests/core/authorization_table.py:\n" + "\n".join(mismatches)
