"""Recategorising a ticket: a PATCH with a reason, an audit event carrying the ticket, the ticket's
history, the taxonomy's values only, and the roles table."""

from django.urls import reverse

from evadmin.audit import actions
from evadmin.audit.models import AuditEvent
from evadmin.evenergy.collections import SUPPORT_TICKETS
from evadmin.tickets import services
from tests.conftest import sent
from tests.staff.fixtures import make_staff
from tests.tickets.conftest import case_user


def recategorise(ticket_id: str) -> str:
    return reverse("tickets:recategorise", args=[ticket_id])


def test_recategorising_patches_the_ticket_records_it_and_shows_it_in_its_history(
        pages, sandbox_api, direct_api, offline_ticket):
    support = pages("support")
    ticket_id = offline_ticket["ticket"]
    form = support.get(recategorise(ticket_id))
    assert form.status_code == 200 and "Charging session" in form.content.decode()
    sandbox_api.reset()
    done = support.post(recategorise(ticket_id), {"category": "CHARGER", "subcategory": "OFFLINE",
                                                  "reason": "The charger was offline that night"}, follow=True)
    html = done.content.decode()
    assert "Ticket recategorised as Charger › Offline." in html
    [patch] = sent(sandbox_api, "PATCH")
    assert patch["path"] == f"/v2/support_tickets/{ticket_id}" and patch["status"] == 200
    ticket = direct_api.collection(SUPPORT_TICKETS).get(ticket_id)
    assert (ticket.human_verified_category, ticket.human_verified_subcategory) == ("CHARGER", "OFFLINE")
    assert ticket.ai_generated_subcategory == "NO_CHARGE"  # the AI's stays as it was
    [event] = AuditEvent.objects.filter(action=actions.TICKET_RECATEGORISE)
    assert event.ticket_ref == ticket_id and event.target_user_id == case_user(offline_ticket)
    assert event.reason == "The charger was offline that night"
    assert event.before == {"human_verified_category": None, "human_verified_subcategory": None}
    assert event.after == {"human_verified_category": "CHARGER", "human_verified_subcategory": "OFFLINE"}
    # The ticket's page shows the new category at once (the write refreshed its cached read) and the history.
    assert 'id="human-category">Charger › Offline' in html
    assert "The charger was offline that night" in html and "ticket.recategorise" in html


def test_a_category_outside_the_taxonomy_is_refused_with_a_clear_message_and_nothing_sent(
        pages, sandbox_api, offline_ticket):
    support = pages("support")
    sandbox_api.reset()
    response = support.post(recategorise(offline_ticket["ticket"]),
                            {"category": "TELEPORTATION", "subcategory": "OFFLINE", "reason": "Trying"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "“TELEPORTATION” is not in the API&#x27;s taxonomy: choose one from the list." in html
    assert "Trying</textarea>" in html  # what was typed is kept
    assert not sent(sandbox_api, "PATCH")
    assert not AuditEvent.objects.filter(action=actions.TICKET_RECATEGORISE).exists()


def test_the_service_checks_the_taxonomy_itself(pages, offline_ticket):
    staff = make_staff("support")
    try:
        services.ticket_recategorise(ticket_id=offline_ticket["ticket"], category="CHARGER", subcategory="WARP_DRIVE",
                                     actor=staff, reason="x")
    except services.OutsideTaxonomy as refused:
        assert refused.field == "subcategory" and "“WARP_DRIVE” is not a subcategory" in refused.message
    else:
        raise AssertionError("a subcategory outside the taxonomy was accepted")


def test_a_reason_is_required(pages, sandbox_api, offline_ticket):
    response = pages("support").post(recategorise(offline_ticket["ticket"]),
                                     {"category": "CHARGER", "subcategory": "OFFLINE", "reason": ""})
    assert response.status_code == 400 and "This field is required." in response.content.decode()


def test_the_same_category_again_is_nothing_to_change(pages, sandbox_api, offline_ticket):
    support = pages("support")
    data = {"category": "CHARGER", "subcategory": "OFFLINE", "reason": "First"}
    support.post(recategorise(offline_ticket["ticket"]), data)
    sandbox_api.reset()
    again = support.post(recategorise(offline_ticket["ticket"]), {**data, "reason": "Again"})
    assert again.status_code == 400 and "already has this human category" in again.content.decode()
    assert not sent(sandbox_api, "PATCH")


def test_roles_viewer_cannot_recategorise_support_can(pages, offline_ticket):
    url = recategorise(offline_ticket["ticket"])
    viewer = pages("viewer")
    assert viewer.get(url).status_code == 403
    assert viewer.post(url, {"category": "CHARGER", "subcategory": "OFFLINE", "reason": "x"}).status_code == 403
    assert "Recategorise</a>" not in viewer.get(reverse("tickets:detail", args=[offline_ticket["ticket"]])).content.decode()
    for role in ("support", "support_lead", "admin"):
        assert pages(role).get(url).status_code == 200, role
    for role in ("bulk_operator", "auditor"):
        assert pages(role).get(url).status_code == 403, role


def test_signed_out_visitors_are_sent_to_sign_in(client, offline_ticket):
    for url in (reverse("tickets:list"), reverse("tickets:stats"), recategorise(offline_ticket["ticket"])):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/" in response["Location"]
