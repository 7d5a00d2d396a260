"""The fixes that message the driver (password reset, vehicle onboarding link), what the sandbox would have
emailed, and a lost answer: "may have happened", recorded as such, never sent again."""

import time

import requests

from evadmin.audit import actions
from evadmin.evenergy import collections as c
from evadmin.evenergy.client import reset_evenergy_client
from tests.conftest import sent
from tests.fixes.conftest import fix_url, recorded, writes_sent


def outbox(sandbox_api) -> list[dict]:
    response = requests.get(sandbox_api.url("/_sandbox/outbox"), timeout=10)
    response.raise_for_status()
    return response.json()


def test_a_password_reset_email_goes_to_the_drivers_address(pages, sandbox_api, healthy, direct_api):
    email = direct_api.users.get(healthy.user_id).email
    before = len(outbox(sandbox_api))
    support = pages("support")
    form = support.get(fix_url(healthy.user_id, "password_reset")).content.decode()
    assert "answers the same whether or not that address has an account" in form  # said before it is sent
    done = support.post(fix_url(healthy.user_id, "password_reset"), {"reason": "Locked out"}, follow=True)
    assert f"Sent a password reset email to {email}" in done.content.decode()
    assert "answers the same whether or not that address has an account" in done.content.decode()
    assert [(mail["to"], mail["template"]) for mail in outbox(sandbox_api)[before:]] == [(email, "password_reset")]
    [event] = recorded(actions.USER_PASSWORD_RESET)
    assert event.after == {"sent_to": email} and event.reason == "Locked out"


def test_an_onboarding_link_is_sent_as_the_driver_for_the_make_chosen(pages, sandbox_api, healthy, direct_api):
    kia = next(make for make in direct_api.collection(c.VEHICLE_MAKES).list(page_size=100) if make.name == "Kia")
    email = direct_api.users.get(healthy.user_id).email
    support = pages("support")
    url = fix_url(healthy.user_id, "onboarding_link")
    assert ">Kia<" in support.get(url).content.decode()  # makes offered by name
    before = len(outbox(sandbox_api))
    sandbox_api.reset()
    elsewhere = support.post(url, {"reason": "New car", "email": "someone-else@example.com", "make": kia.id})
    assert elsewhere.status_code == 400 and not sent(sandbox_api, "POST")  # only to the account's address
    assert f"Send it to the address on the account ({email})" in elsewhere.content.decode()
    done = support.post(url, {"reason": "New car", "email": email, "make": kia.id}, follow=True)
    assert f"Sent a vehicle onboarding link for Kia to {email}" in done.content.decode()
    [request] = sent(sandbox_api, "POST")
    assert request["user_header"] == healthy.user_id and request["status"] == 204
    [mail] = outbox(sandbox_api)[before:]
    assert (mail["to"], mail["template"], mail["make"]) == (email, "vehicle_onboarding_link", "Kia")
    [event] = recorded(actions.VEHICLE_ONBOARDING_LINK)
    assert event.after == {"sent_to": email, "make": "Kia"}


def test_a_lost_answer_may_have_happened_is_recorded_and_not_sent_again(pages, sandbox_api, healthy, api_settings):
    support = pages("support")
    url = fix_url(healthy.user_id, "password_reset")
    assert support.get(url).status_code == 200  # the driver is read (and cached) before the write
    api_settings.EVADMIN_API_TIMEOUT = 0.5
    reset_evenergy_client()
    sandbox_api.reset()
    sandbox_api.faults(hang_next=1, hang_seconds=1.5)
    response = support.post(url, {"reason": "Ticket 5"})
    page = response.content.decode()
    assert "it may have happened" in page and "has not sent it again" in page
    assert c.PASSWORD_RESET.check in page  # what to check before trying again
    assert 'value="Ticket 5"' in page
    [event] = recorded(actions.USER_PASSWORD_RESET)
    assert event.after["outcome"] == "unknown" and event.reason == "Ticket 5"
    time.sleep(1.5)  # the sandbox finishes the hung request
    assert len(writes_sent(sandbox_api)) == 1
