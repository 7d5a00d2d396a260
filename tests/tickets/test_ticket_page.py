"""A ticket's page: at most two requests before its panels, its messages in order, its driver beside
it with the panels its category calls for, and a ticket without a driver."""

import re

from django.urls import reverse

from evadmin.evenergy.collections import SUPPORT_TICKETS
from evadmin.tickets.working import ticket_working_on
from tests.conftest import sent
from tests.tickets.conftest import case_user, ticket_gets


def detail(ticket_id: str) -> str:
    return reverse("tickets:detail", args=[ticket_id])


def test_a_ticket_page_costs_at_most_two_requests_and_none_again(pages, sandbox_api, offline_ticket):
    viewer = pages("viewer")
    sandbox_api.reset()
    assert viewer.get(detail(offline_ticket["ticket"])).status_code == 200
    gets = sent(sandbox_api, "GET")
    assert len(gets) <= 2
    [ticket_read] = ticket_gets(sandbox_api, f"/v2/support_tickets/{offline_ticket['ticket']}")
    assert "expand=user" in ticket_read["query"] and "expand=messages" in ticket_read["query"]
    sandbox_api.reset()
    viewer.get(detail(offline_ticket["ticket"]))
    assert not sent(sandbox_api, "GET")


def test_the_messages_are_shown_in_order_by_type(pages, direct_api, offline_ticket):
    ticket = direct_api.collection(SUPPORT_TICKETS).get(offline_ticket["ticket"], expand=("messages",))
    html = pages("viewer").get(detail(ticket.id)).content.decode()
    positions = [int(found) for found in re.findall(r'id="message-(\d+)"', html)]
    assert positions == sorted(message.position for message in ticket.messages) and len(positions) >= 3
    assert "Driver&#x27;s request" in html or "Driver's request" in html
    assert "#" + ticket.external_ticket_id in html
    assert ticket.conversation_summary and ticket.conversation_summary[:40] in html.replace("&#x27;", "'")


def test_a_charging_ticket_loads_the_charging_panel_for_its_driver(pages, offline_ticket):
    html = pages("viewer").get(detail(offline_ticket["ticket"])).content.decode()
    user_id = case_user(offline_ticket)
    assert f'hx-get="{reverse("charging:panel", args=[user_id])}"' in html
    assert f'hx-get="{reverse("tickets:driver", args=[user_id])}"' in html
    assert f'href="{reverse("users:detail", args=[user_id])}"' in html


def test_a_vehicle_ticket_loads_the_device_panels(pages, cases):
    case = cases["ticket_high_priority_uncategorised"]
    html = pages("viewer").get(detail(case["ticket"])).content.decode()
    assert f'hx-get="{reverse("devices:list", args=[case_user(case)])}"' in html
    assert 'hx-get="' + reverse("charging:panel", args=[case_user(case)]) not in html


def test_a_ticket_without_a_driver_says_so_and_offers_no_driver_panels(pages, cases):
    case = cases["ticket_without_driver"]
    response = pages("viewer").get(detail(case["ticket"]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "This ticket has no driver" in html
    assert "/users/user" not in html and "hx-get=\"/users/" not in html


def test_opening_a_ticket_notes_it_against_its_driver_for_the_fixes(pages, offline_ticket):
    support = pages("support")
    support.get(detail(offline_ticket["ticket"]))
    request = type("Request", (), {"session": support.session})()
    working = ticket_working_on(request, user_id=case_user(offline_ticket))
    assert working is not None and working.id == offline_ticket["ticket"]
    assert working.external_id == offline_ticket["external_ticket_id"]


def test_an_unknown_or_malformed_ticket_is_a_404(pages):
    viewer = pages("viewer")
    assert viewer.get(detail("tick" + "0" * 26)).status_code == 404
    assert viewer.get(detail("not-a-ticket")).status_code == 404


def test_the_driver_page_lists_their_tickets_open_first_in_one_request(pages, sandbox_api, offline_ticket):
    user_id = case_user(offline_ticket)
    viewer = pages("viewer")
    assert f'hx-get="{reverse("tickets:driver", args=[user_id])}' in viewer.get(
        reverse("users:detail", args=[user_id])).content.decode()
    sandbox_api.reset()
    html = viewer.get(reverse("tickets:driver", args=[user_id])).content.decode()
    [request] = ticket_gets(sandbox_api)
    assert request["user_header"] == user_id  # one request, the driver named by EvEnergy-User
    assert f'href="{detail(offline_ticket["ticket"])}"' in html
    openness = [bool(found) for found in re.findall(r'class="badge ticket-status( open)?', html)]
    assert openness and openness == sorted(openness, reverse=True)  # every open one before any other


def test_a_driver_without_tickets_is_told_so(pages, direct_api, cases):
    with_tickets = {case_user(case) for case in cases.values() if case.get("ticket")}
    candidates = [user for user in direct_api.users.list(page_size=100) if user.id not in with_tickets]
    for user in candidates:
        if not direct_api.collection(SUPPORT_TICKETS).list(user=user.id, page_size=1, expand=()).items:
            html = pages("viewer").get(reverse("tickets:driver", args=[user.id])).content.decode()
            assert "No tickets from this driver." in html
            return
    raise AssertionError("every seeded driver has a ticket: the sandbox should leave some without")
