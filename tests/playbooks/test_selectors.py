"""A playbook's checklist on a ticket's page: each step's link built for that ticket's driver and night."""

from django.urls import reverse

from evadmin.fixes.registry import FIXES, USER
from evadmin.playbooks.links import DRIVER_FIXES, STEP_LINKS
from evadmin.playbooks.selectors import playbook_checklist

DRIVER = "user01HSH04KDEWF6Z4DB2J77J74K5"
TICKET = "tick01HSH04KDEWF6Z4DB2J77J74K5"


def test_no_charge_leads_first_to_the_night_before_the_ticket(db):
    checklist = playbook_checklist(subcategory="NO_CHARGE", user_id=DRIVER, ticket_id=TICKET, night="2026-11-29")
    first = checklist.steps[0]
    assert first.number == 1 and first.url == reverse("charging:night", args=[DRIVER, "2026-11-29"])
    assert "devices" in {step.link for step in checklist.steps}
    boost = next(step for step in checklist.steps if step.link == "fix:boost_start")
    assert boost.url == f"{reverse('fixes:fix', args=[DRIVER, 'boost_start'])}?ticket={TICKET}"  # carries the ticket
    assert not checklist.missing_driver


def test_without_a_night_the_step_opens_the_charging_sessions(db):
    checklist = playbook_checklist(subcategory="NO_CHARGE", user_id=DRIVER, ticket_id=TICKET, night="")
    assert checklist.steps[0].url == reverse("charging:panel", args=[DRIVER])


def test_a_ticket_without_a_driver_gets_no_driver_links_and_a_note(db):
    checklist = playbook_checklist(subcategory="CHARGE_PAST_READY_BY_TIME", user_id=None, ticket_id=TICKET, night="")
    assert checklist.missing_driver
    for step in checklist.steps:
        if step.link == "verdict_rules":
            assert step.url == reverse("verdicts:rules")  # needs no driver
        else:
            assert step.url is None


def test_a_subcategory_without_a_playbook_has_no_checklist(db):
    assert playbook_checklist(subcategory="SPAM", user_id=DRIVER, ticket_id=TICKET, night="") is None


def test_fix_links_are_the_fixes_that_act_on_the_driver():
    driver_fixes = {name: fix.label for name, fix in FIXES.items() if fix.target == USER}
    assert DRIVER_FIXES == driver_fixes
    assert {key for key in STEP_LINKS if key.startswith("fix:")} == {f"fix:{name}" for name in driver_fixes}
