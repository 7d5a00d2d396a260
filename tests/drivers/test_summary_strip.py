"""The driver's summary strip: what evadmin holds of the driver's situation, at no API request; parts
not known yet say so and what knowing them costs; it reads again once the page's panels have loaded."""

import html as html_lib
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from evadmin.charging.selectors import night_of
from evadmin.core import driver_page
from evadmin.core.driver_page import PANEL_LOADED, SummaryPart
from evadmin.data_quality.models import AuditFinding, AuditReport
from evadmin.drivers.selectors import driver_zone_seen
from evadmin.evenergy.typed import parse_datetime
from tests.conftest import sent

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def cases(pages, sandbox_api) -> dict:
    """{case name: its ground truth} as the sandbox seeded it, after `pages` has re-seeded it."""
    return sandbox_api.seed_cases()


def strip_parts(html: str) -> dict[str, str]:
    """{label: text} of the strip's parts, unescaped once (as a person reads them)."""
    strip = re.search(r'<section id="summary-strip".*?</section>', html, re.S).group(0)
    return {html_lib.unescape(label).strip(): html_lib.unescape(re.sub(r"<[^>]+>", "", text)).strip()
            for label, text in re.findall(r'<span class="summary-label">(.*?)</span>\s*(.*?)\s*</li>', strip, re.S)}


def summary(client, user_id: str):
    return client.get(reverse("users:summary", args=[user_id]), **HTMX)


def test_before_the_panels_the_strip_says_what_is_not_known_yet_and_what_it_costs(pages, sandbox_api, cases):
    user_id = cases["ticket_offline_charger_night"]["user_id"]
    viewer = pages("viewer")
    page = viewer.get(reverse("users:detail", args=[user_id])).content.decode()
    parts = strip_parts(page)
    assert parts["Devices"] == "not known yet: the Vehicles and Chargers panels read them (1 request each)"
    assert parts["Charging"] == "not known yet: the charging panel reads it (1 request)"
    assert parts["Tickets"] == "not known yet: the tickets panel reads them (1 request)"
    # It reads again, at no request, when a panel announces it has loaded.
    assert f'hx-trigger="{PANEL_LOADED} from:body' in page
    sandbox_api.reset()
    assert summary(viewer, user_id).status_code == 200
    assert not sent(sandbox_api)


def test_once_the_panels_have_loaded_the_strip_shows_the_open_ticket_and_the_devices(pages, sandbox_api, cases):
    case = cases["ticket_offline_charger_night"]
    user_id = case["user_id"]
    viewer = pages("viewer")
    viewer.get(reverse("users:detail", args=[user_id]))
    for panel in ("tickets:driver", "devices:list", "charging:panel"):
        response = viewer.get(reverse(panel, args=[user_id]), **HTMX)
        assert response["HX-Trigger"] == PANEL_LOADED
    sandbox_api.reset()
    response = summary(viewer, user_id)
    assert not sent(sandbox_api), "the strip reads only what the panels already fetched"
    parts = strip_parts(response.content.decode())
    assert parts["Tickets"].startswith(f"1 open: #{case['external_ticket_id']}")
    assert f'href="{reverse("tickets:detail", args=[case["ticket"]])}"' in response.content.decode()
    assert parts["Devices"].startswith(("Vehicle", "Charger")) and "not known" not in parts["Devices"]
    assert "not known" not in parts["Charging"]


def test_the_offline_night_shows_as_a_night_without_a_session(pages, cases):
    case = cases["charger_offline_no_charge"]
    user_id = case["user_id"]
    viewer = pages("viewer")
    viewer.get(reverse("users:detail", args=[user_id]))
    viewer.get(reverse("charging:panel", args=[user_id]), **HTMX)
    response = summary(viewer, user_id)
    night = night_of(parse_datetime(case["night"]["plugged_in_at"]), driver_zone_seen(user_id=user_id))
    parts = strip_parts(response.content.decode())
    assert "no session on the night of" in parts["Charging"] and f"{night:%d %b}" in parts["Charging"]
    assert 'class="summary-part tone-warning' in response.content.decode()


def test_the_latest_audit_report_s_findings_for_the_driver_are_in_the_strip(pages, cases):
    user_id = cases["ticket_offline_charger_night"]["user_id"]
    older = AuditReport.objects.create(status=AuditReport.Status.COMPLETE, finished_at=timezone.now())
    AuditFinding.objects.create(report=older, rule="no_tariff", user_id=user_id, detail="Location has no tariff")
    latest = AuditReport.objects.create(status=AuditReport.Status.COMPLETE, finished_at=timezone.now())
    AuditFinding.objects.create(report=latest, rule="coordinates_outside_country", user_id=user_id,
                                detail='Glasgow, GB at 42.36, -71.06 <script>alert("x")</script>')
    response = summary(pages("viewer"), user_id)
    body = response.content.decode()
    parts = strip_parts(body)
    assert "42.36, -71.06" in parts["Data quality"] and f"report #{latest.pk}" in parts["Data quality"]
    assert "no tariff" not in parts["Data quality"].lower(), "only the latest report counts"
    assert "<script>" not in body and "&lt;script&gt;" in body


def test_a_driver_with_no_finding_and_no_report_yet(pages, cases):
    user_id = cases["ticket_offline_charger_night"]["user_id"]
    viewer = pages("viewer")
    assert strip_parts(summary(viewer, user_id).content.decode())["Data quality"] == "no audit report has run yet"
    report = AuditReport.objects.create(status=AuditReport.Status.COMPLETE, finished_at=timezone.now())
    assert strip_parts(summary(viewer, user_id).content.decode())["Data quality"].startswith(
        f"nothing found (report #{report.pk}")


def test_a_part_that_fails_says_so_and_the_page_stands(pages, cases, monkeypatch):
    def broken(user_id: str) -> SummaryPart:
        raise RuntimeError("a bug in one app")

    readers = {reader: label for reader, label in driver_page._summary_readers.items() if label != "Rebates"}
    monkeypatch.setattr(driver_page, "_summary_readers", {**readers, broken: "Rebates"})
    user_id = cases["ticket_offline_charger_night"]["user_id"]
    response = pages("viewer").get(reverse("users:detail", args=[user_id]))
    assert response.status_code == 200
    parts = strip_parts(response.content.decode())
    assert parts["Rebates"] == "could not be read (logged for the developers)"
    assert parts["Tickets"].startswith("not known yet")


def test_the_strip_outside_htmx_sends_the_agent_to_the_driver_page(pages, cases):
    user_id = cases["ticket_offline_charger_night"]["user_id"]
    response = pages("viewer").get(reverse("users:summary", args=[user_id]))
    assert response.status_code == 302 and response["Location"].endswith(f"/users/{user_id}/#summary-strip")


def test_the_data_quality_part_links_to_the_report_only_for_staff_who_may_read_it(pages, cases):
    user_id = cases["ticket_offline_charger_night"]["user_id"]
    AuditReport.objects.create(status=AuditReport.Status.COMPLETE, finished_at=timezone.now())
    report_link = re.compile(r'data-part="data-quality">.*?<a href="/audit/reports/\d+/"', re.S)
    assert not report_link.search(summary(pages("support"), user_id).content.decode())  # its page would be a 403
    assert report_link.search(summary(pages("auditor"), user_id).content.decode())
