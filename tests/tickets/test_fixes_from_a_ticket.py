"""A fix taken while working a ticket carries the ticket into its audit event by itself, and shows in
the ticket's history; the agent can untick it."""

from django.urls import reverse

from evadmin.audit import actions
from evadmin.audit.models import AuditEvent
from tests.fixes.conftest import fix_url
from tests.tickets.conftest import case_user


def test_a_fix_after_opening_the_ticket_is_recorded_against_it(pages, offline_ticket):
    support = pages("support")
    user_id = case_user(offline_ticket)
    ticket_id = offline_ticket["ticket"]
    support.get(reverse("tickets:detail", args=[ticket_id]))
    form = support.get(fix_url(user_id, "password_reset")).content.decode()
    assert f"Record this fix against ticket #{offline_ticket['external_ticket_id']}" in form
    support.post(fix_url(user_id, "password_reset"), {"reason": "Locked out", "ticket": ticket_id, "for_ticket": "on"})
    [event] = AuditEvent.objects.filter(action=actions.USER_PASSWORD_RESET)
    assert event.ticket_ref == ticket_id and event.reason == "Locked out"
    history = support.get(reverse("tickets:detail", args=[ticket_id])).content.decode()
    assert "user.password_reset" in history and "Locked out" in history
    trail = pages("auditor").get(reverse("audit:trail"), {"ticket_ref": ticket_id}).content.decode()
    assert f'id="audit-event-{event.pk}"' in trail


def test_unticked_the_fix_is_not_recorded_against_the_ticket(pages, offline_ticket):
    support = pages("support")
    user_id = case_user(offline_ticket)
    support.get(reverse("tickets:detail", args=[offline_ticket["ticket"]]))
    support.post(fix_url(user_id, "password_reset"), {"reason": "Not about the ticket",
                                                      "ticket": offline_ticket["ticket"]})
    [event] = AuditEvent.objects.filter(action=actions.USER_PASSWORD_RESET)
    assert event.ticket_ref is None


def test_a_fix_for_another_driver_is_not_recorded_against_the_ticket(pages, offline_ticket, cases):
    support = pages("support")
    support.get(reverse("tickets:detail", args=[offline_ticket["ticket"]]))
    other = cases["healthy_control"]["user_id"]
    assert "Record this fix against ticket" not in support.get(fix_url(other, "password_reset")).content.decode()
    support.post(fix_url(other, "password_reset"), {"reason": "Other driver"})
    [event] = AuditEvent.objects.filter(action=actions.USER_PASSWORD_RESET)
    assert event.ticket_ref is None


def test_a_playbook_link_naming_the_ticket_carries_it(pages, offline_ticket):
    pages("viewer").get(reverse("tickets:detail", args=[offline_ticket["ticket"]]))  # someone read the ticket
    support = pages("support")  # another agent, who has not opened it: the link alone names it
    user_id = case_user(offline_ticket)
    url = fix_url(user_id, "password_reset") + f"?ticket={offline_ticket['ticket']}"
    assert "Record this fix against ticket" in support.get(url).content.decode()
    support.post(url, {"reason": "From the playbook", "ticket": offline_ticket["ticket"], "for_ticket": "on"})
    [event] = AuditEvent.objects.filter(action=actions.USER_PASSWORD_RESET)
    assert event.ticket_ref == offline_ticket["ticket"]


def test_a_link_naming_another_drivers_or_an_unknown_ticket_puts_neither_on_record(pages, offline_ticket, cases):
    other = cases["ticket_high_priority_uncategorised"]
    support = pages("support")
    support.get(reverse("tickets:detail", args=[other["ticket"]]))  # read, but another driver's ticket
    user_id = case_user(offline_ticket)
    for named in (other["ticket"], "tick01HSH04KDEWF6Z4DB2J77J74K5"):
        url = fix_url(user_id, "password_reset") + f"?ticket={named}"
        assert "Record this fix against ticket" not in support.get(url).content.decode()
    support.post(fix_url(user_id, "password_reset"), {"reason": "Stale link", "ticket": other["ticket"],
                                                      "for_ticket": "on"})
    [event] = AuditEvent.objects.filter(action=actions.USER_PASSWORD_RESET)
    assert event.ticket_ref is None
