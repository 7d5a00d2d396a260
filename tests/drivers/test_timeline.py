"""The driver's timeline: one stream, newest first, of charging, tickets and their messages, vehicle
errors and evadmin's own record; what evadmin holds costs nothing, each source not loaded yet says its
cost and loads at it; filters by kind and day; every entry links to its detail; hostile text as text."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from evadmin.audit.actions import USER_UPDATE
from evadmin.audit.services import audit_record
from tests.conftest import sent
from tests.drivers.test_hostile_data import IMG, RTL, SCRIPT
from tests.tickets.test_hostile_tickets import hostile_ticket

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def cases(pages, sandbox_api) -> dict:
    return sandbox_api.seed_cases()


@pytest.fixture
def ticket_case(cases) -> dict:
    return cases["ticket_offline_charger_night"]


def timeline(client, user_id: str, **query) -> str:
    response = client.get(reverse("users:timeline", args=[user_id]), query, **HTMX)
    assert response.status_code == 200
    return response.content.decode()


def rows(html: str) -> list[tuple[str, str, str]]:
    """(time, kind, link) of each entry, in the order shown."""
    return re.findall(r'<tr class="timeline-entry[^"]*" data-kind="([^"]+)">\s*<td><time datetime="([^"]+)"'
                      r'.*?<a href="([^"]+)"', html, re.S)


def not_loaded(html: str) -> dict[str, str]:
    return dict(re.findall(r'data-load="([^"]+)">Load \(([^)]+)\)', html))


def test_before_anything_is_loaded_the_timeline_costs_nothing_and_says_what_each_source_costs(
        pages, sandbox_api, ticket_case):
    viewer = pages("viewer")
    page = viewer.get(reverse("users:detail", args=[ticket_case["user_id"]])).content.decode()
    assert f'hx-get="{reverse("users:timeline", args=[ticket_case["user_id"]])}"' in page
    sandbox_api.reset()
    html = timeline(viewer, ticket_case["user_id"])
    assert not sent(sandbox_api)
    assert not_loaded(html) == {"charging": "1 request", "tickets": "1 request",
                                "device_errors": "1 request a vehicle", "rebates": "1 request",
                                "notifications": "1 request"}


def test_loading_tickets_costs_one_request_and_lists_each_ticket_and_message_linked_to_it(
        pages, sandbox_api, ticket_case):
    viewer, user_id = pages("viewer"), ticket_case["user_id"]
    sandbox_api.reset()
    html = timeline(viewer, user_id, load="tickets")
    [read] = sent(sandbox_api, "GET")
    assert read["path"] == "/v2/support_tickets" and "expand=messages" in read["query"]
    ticket_url = reverse("tickets:detail", args=[ticket_case["ticket"]])
    links = [link for kind, _, link in rows(html) if kind == "tickets"]
    assert ticket_url in links
    assert len([link for link in links if link.startswith(ticket_url + "#message-")]) >= 3
    assert f"Ticket #{ticket_case['external_ticket_id']} opened" in html
    assert "tickets" not in not_loaded(html)
    sandbox_api.reset()
    assert rows(timeline(viewer, user_id)) == rows(html)  # held now: no request
    assert not sent(sandbox_api)


def test_the_stream_merges_every_source_newest_first_and_filters_by_kind_and_day(
        pages, sandbox_api, ticket_case, staff_factory):
    viewer, user_id = pages("viewer"), ticket_case["user_id"]
    audit_record(actor=staff_factory("support"), action=USER_UPDATE, target_user_id=user_id,
                 before={"email": "a@example.com"}, after={"email": "b@example.com"}, reason="Ticket 4411: new email")
    viewer.get(reverse("charging:panel", args=[user_id]), **HTMX)  # the panel's page is held from now on
    timeline(viewer, user_id, load="tickets")
    html = timeline(viewer, user_id)
    entries = rows(html)
    assert {"charging", "tickets", "evadmin"} <= {kind for kind, _, _ in entries}
    assert [moment for _, moment, _ in entries] == sorted((moment for _, moment, _ in entries), reverse=True)
    assert "Ticket 4411: new email" in html
    assert entries[0][0] == "evadmin" and entries[0][2].endswith("#history")
    charging_links = [link for kind, _, link in entries if kind == "charging"]
    # Each sub-session leads to its page; a night without one (the ticket's offline night) to the night's.
    assert charging_links and all(re.fullmatch(rf"/users/{user_id}/charging/(csub[0-9A-Z]+|nights/[0-9-]+)/", link)
                                  for link in charging_links)
    assert any("/charging/csub" in link for link in charging_links)

    only_charging = rows(timeline(viewer, user_id, kind="charging"))
    assert only_charging and {kind for kind, _, _ in only_charging} == {"charging"}
    two_days_ago = (timezone.now() - timedelta(days=2)).date()
    dated = rows(timeline(viewer, user_id, since=two_days_ago.isoformat(), until=two_days_ago.isoformat()))
    assert all(moment.startswith(two_days_ago.isoformat()) for _, moment, _ in dated)
    assert len(dated) < len(entries)


def test_vehicle_errors_load_at_one_request_a_vehicle_and_link_to_the_log(pages, sandbox_api, cases):
    case = cases["vehicle_integration_inactive"]
    viewer, user_id = pages("viewer"), case["user_id"]
    viewer.get(reverse("devices:list", args=[user_id]), **HTMX)
    sandbox_api.reset()
    html = timeline(viewer, user_id, load="device_errors")
    reads = sent(sandbox_api, "GET")
    assert reads and all(re.fullmatch(r"/v2/vehicles/vhcl[0-9A-Z]+/error_logs", read["path"]) for read in reads)
    links = {link for kind, _, link in rows(html) if kind == "device_errors"}
    assert links == {reverse("devices:vehicle_errors", args=[user_id, case["vehicle_id"]])}


def test_ticket_text_in_the_timeline_renders_as_text(pages, sandbox_api, ticket_case):
    viewer, user_id = pages("viewer"), ticket_case["user_id"]
    with hostile_ticket(sandbox_api, ticket_case["ticket"]):
        html = timeline(viewer, user_id, load="tickets")
    for markup in (SCRIPT, IMG):
        assert markup not in html
    assert "&lt;script&gt;" in html and RTL in html  # the override shown as a character, inside the cell


def test_days_the_wrong_way_round_are_a_clear_message(pages, ticket_case):
    html = timeline(pages("viewer"), ticket_case["user_id"], since="2026-11-30", until="2026-11-01")
    assert "The last day comes before the first." in html


def test_a_source_whose_scope_is_missing_says_so_by_name_and_the_rest_of_the_stream_stands(
        pages, sandbox_api, api_settings, ticket_case, staff_factory):
    sandbox_api.create_client("no-charging-desk", "no-charging-secret", ["user:read", "tariff:read", "evse:read",
                                                                          "vehicle:read", "support:read"])
    api_settings.EVADMIN_API_CLIENT_ID = "no-charging-desk"
    api_settings.EVADMIN_API_CLIENT_SECRET = "no-charging-secret"
    user_id = ticket_case["user_id"]
    audit_record(actor=staff_factory("support"), action=USER_UPDATE, target_user_id=user_id, reason="Moved house")
    html = timeline(pages("viewer"), user_id, load="charging")
    assert "charging_session:read" in html and "could not be read" in html
    assert "Moved house" in html  # evadmin's own record stands
    assert "charging" in not_loaded(html)  # and can be tried again
