"""The queue: the API's own filters, by the spec's names, one request a page; saved views; opening a
ticket by its Freshdesk number."""

from datetime import date

import pytest
from django.urls import reverse

from evadmin.evenergy.collections import SUPPORT_TICKETS
from evadmin.tickets.forms import saved_views
from tests.tickets.conftest import case_user, query_of, ticket_gets

QUEUE = "/tickets/"


# Each filter of the queue's form -> what must reach the API, by the spec's name.
FORM_TO_API = [
    ({"status": "Open"}, {"status": ["Open"]}),
    ({"priority": "High"}, {"priority": ["High"]}),
    ({"source": "Email"}, {"source": ["Email"]}),
    ({"tag": "escalated"}, {"tags": ["escalated"]}),
    ({"category_by": "human", "category": "CHARGER"}, {"human_verified_category": ["CHARGER"]}),
    ({"category_by": "ai", "category": "VEHICLE"}, {"ai_generated_category": ["VEHICLE"]}),
    ({"category_by": "human", "subcategory": "OFFLINE"}, {"human_verified_subcategory": ["OFFLINE"]}),
    ({"category_by": "ai", "subcategory": "NO_CHARGE"}, {"ai_generated_subcategory": ["NO_CHARGE"]}),
    ({"human_category": "missing"}, {"human_verified_category__isnull": ["true"]}),
    ({"human_category": "set"}, {"human_verified_category__isnull": ["false"]}),
    ({"driver": "without"}, {"user__isnull": ["true"]}),
    ({"driver": "with"}, {"user__isnull": ["false"]}),
    ({"resolved": "no"}, {"resolved_at__isnull": ["true"]}),
    ({"resolved": "yes"}, {"resolved_at__isnull": ["false"]}),
    ({"created_from": "2026-09-01", "created_to": "2026-09-30"},
     {"created_at__gte": ["2026-09-01T00:00:00Z"], "created_at__lte": ["2026-09-30T23:59:59.999999Z"]}),
    ({"resolved_from": "2026-10-01", "resolved_to": "2026-10-02"},
     {"resolved_at__gte": ["2026-10-01T00:00:00Z"], "resolved_at__lte": ["2026-10-02T23:59:59.999999Z"]}),
    ({"updated_from": "2026-11-01", "updated_to": "2026-11-01"},
     {"ticket_updated_at__gte": ["2026-11-01T00:00:00Z"], "ticket_updated_at__lte": ["2026-11-01T23:59:59.999999Z"]}),
]


@pytest.mark.parametrize(("form", "api"), FORM_TO_API, ids=[",".join(form) for form, _ in FORM_TO_API])
def test_each_filter_reaches_the_api_by_the_specs_name(pages, sandbox_api, form, api):
    sandbox_api.reset()
    response = pages("viewer").get(QUEUE, form)
    assert response.status_code == 200
    [request] = ticket_gets(sandbox_api)  # one request for the page (the taxonomy is another path)
    query = query_of(request)
    # Exactly the filters the form set, by the spec's names: nothing more is narrowed.
    assert {name: values for name, values in query.items() if name not in ("page_size", "expand")} == api
    assert request["status"] == 200


def test_one_drivers_tickets_are_asked_for_with_the_evenergy_user_header(pages, sandbox_api, offline_ticket):
    """API-NOTES: a driver's support tickets are listed with EvEnergy-User (one request)."""
    viewer = pages("viewer")
    sandbox_api.reset()
    driver_id = case_user(offline_ticket)
    html = viewer.get(QUEUE, {"driver_id": driver_id, "status": "Open"}).content.decode()
    [request] = ticket_gets(sandbox_api)
    assert request["user_header"] == driver_id and query_of(request)["status"] == ["Open"]
    assert f'id="ticket-{offline_ticket["ticket"]}"' in html


def test_a_filtered_page_shows_only_what_the_api_answered(pages, direct_api):
    html = pages("viewer").get(QUEUE, {"priority": "Urgent"}).content.decode()
    urgent = direct_api.collection(SUPPORT_TICKETS).list(priority="Urgent", page_size=25).items
    assert urgent, "the sandbox seeds urgent tickets"
    for ticket in urgent:
        assert f'id="ticket-{ticket.id}"' in html
    assert html.count('<tr id="ticket-') == len(urgent)


def test_the_queue_is_one_request_a_page_and_none_again_within_the_cache_time(pages, sandbox_api):
    viewer = pages("viewer")
    sandbox_api.reset()
    first = viewer.get(QUEUE)
    assert len(ticket_gets(sandbox_api)) == 1
    assert "expand=user" in ticket_gets(sandbox_api)[0]["query"]  # drivers' names, not one request each
    next_url = first.context["page"].next_cursor
    assert next_url
    viewer.get(QUEUE, {"after": next_url})
    assert len(ticket_gets(sandbox_api)) == 2
    viewer.get(QUEUE)
    assert len(ticket_gets(sandbox_api)) == 2  # the first page again: from the cache


def test_bad_filters_say_what_and_where_and_ask_nothing(pages, sandbox_api):
    sandbox_api.reset()
    response = pages("viewer").get(QUEUE, {"created_from": "2026-10-05", "created_to": "2026-10-01",
                                           "driver_id": "not-a-driver"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "Created up to: Pick a day on or after the first one." in html
    assert "Driver id: A driver id is “user” and 26 capitals or digits." in html
    assert not ticket_gets(sandbox_api)
    # From the filter form (htmx), the same errors in the results it swaps in: htmx swaps only a 2xx.
    fragment = pages("support").get(QUEUE, {"created_from": "2026-10-05", "created_to": "2026-10-01"},
                                    HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200 and "<html" not in fragment.content.decode()
    assert "Created up to: Pick a day on or after the first one." in fragment.content.decode()


def test_the_saved_view_open_charging_uncategorised_finds_the_offline_night_ticket(pages, offline_ticket):
    [(slug, label, query)] = [view for view in saved_views() if view[0] == "open-charging-uncategorised"]
    viewer = pages("viewer")
    html = viewer.get(QUEUE, query).content.decode()
    assert f'id="ticket-{offline_ticket["ticket"]}"' in html
    assert label in viewer.get(QUEUE).content.decode()


def test_high_priority_this_week_starts_six_days_back():
    [(_, _, query)] = [view for view in saved_views(date(2026, 12, 2)) if view[0] == "high-priority-this-week"]
    assert query == {"priority": "High", "created_from": "2026-11-26"}


def test_the_queue_names_drivers_and_says_when_a_ticket_has_none(pages, cases, direct_api):
    without = cases["ticket_without_driver"]
    viewer = pages("viewer")
    html = viewer.get(QUEUE, {"driver": "without"}).content.decode()
    assert f'id="ticket-{without["ticket"]}"' in html and "No driver" in html
    with_driver = cases["ticket_offline_charger_night"]
    user = direct_api.users.get(case_user(with_driver))
    html = viewer.get(QUEUE, {"driver_id": user.id}).content.decode()
    assert (user.full_name or user.email) in html


def test_a_ticket_opens_by_its_freshdesk_number(pages, offline_ticket):
    response = pages("viewer").get(QUEUE, {"external_id": f" {offline_ticket['external_ticket_id']} "})
    assert response.status_code == 302
    assert response["Location"] == reverse("tickets:detail", args=[offline_ticket["ticket"]])


def test_an_unknown_freshdesk_number_says_so(pages):
    response = pages("viewer").get(QUEUE, {"external_id": "99999999"})
    assert response.status_code == 404
    assert "No ticket has Freshdesk number 99999999." in response.content.decode()


def test_a_freshdesk_number_is_digits(pages, sandbox_api):
    sandbox_api.reset()
    response = pages("viewer").get(QUEUE, {"external_id": "12a"})
    assert response.status_code == 400
    assert "A Freshdesk ticket number is digits only" in response.content.decode()
    assert not ticket_gets(sandbox_api)


def test_refreshing_a_filtered_page_keeps_its_filters(pages):
    html = pages("viewer").get(QUEUE, {"status": "Open", "priority": "High"}).content.decode()
    assert "/tickets/?status=Open&amp;priority=High&amp;refresh=1" in html
