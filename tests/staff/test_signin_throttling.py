"""Sign-in lockout (django-axes, evadmin/staff/signin_throttle.py): who is locked, for how long,
what they see, and that every attempt is in the audit trail. The clock is moved, never slept."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client

from evadmin.audit.models import AuditEvent
from tests.staff.fixtures import make_staff

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
PASSWORD = "evadmin-support-demo"  # make_staff("support")'s
WRONG_PASSWORD_ERROR = "Please enter a correct username and password"
LOCKED_OUT = "You are locked out"


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def attempt(client: Client, username: str, password: str, ip: str = "10.0.0.1"):
    return client.post(LOGIN, {"username": username, "password": password, "next": "/"}, REMOTE_ADDR=ip)


def fail(client: Client, username: str, times: int, ip: str = "10.0.0.1") -> None:
    for number in range(1, times + 1):
        response = attempt(client, username, f"wrong-{number}", ip)
        assert response.status_code == 200, f"attempt {number} was not an ordinary failure"
        assert WRONG_PASSWORD_ERROR in response.content.decode()


def is_signed_in(client: Client) -> bool:
    return client.get("/").status_code == 200


def test_five_wrong_passwords_lock_out_for_fifteen_minutes_and_every_attempt_is_audited(client, clock):
    make_staff("support")
    fail(client, "support-member", 4)

    fifth = attempt(client, "support-member", "wrong-5")
    assert fifth.status_code == 429
    assert LOCKED_OUT in fifth.content.decode()

    clock.shift(timedelta(minutes=5))
    refused = attempt(client, "support-member", PASSWORD)  # the right password, too early
    assert refused.status_code == 429
    html = refused.content.decode()
    assert LOCKED_OUT in html and "Try again in 10 minutes" in html and "after 09:15 UTC" in html
    assert not is_signed_in(client)

    clock.shift(timedelta(minutes=10))
    assert attempt(client, "support-member", PASSWORD).status_code == 429  # 09:15:00 is not yet "after 09:15"

    clock.shift(timedelta(seconds=1))
    signed_in = attempt(client, "support-member", PASSWORD)
    assert signed_in.status_code == 302 and signed_in.url == "/"
    assert is_signed_in(client)

    events = list(AuditEvent.objects.order_by("id"))
    assert [(event.action, (event.after or {}).get("refused")) for event in events] == [
        *[("auth.sign_in_failed", None)] * 5,
        ("auth.locked_out", None),
        *[("auth.sign_in_failed", "locked out")] * 2,
        ("auth.sign_in", None),
    ]
    lockout = events[5]
    assert lockout.after == {
        "attempted_username": "support-member",
        "locked_until": (START + timedelta(minutes=15)).isoformat(),
    }
    assert {event.client_ip for event in events} == {"10.0.0.1"}
    assert all(event.after["attempted_username"] == "support-member" for event in events[:8])


def test_locked_out_page_is_the_sign_in_page_with_the_message(client, clock):
    make_staff("support")
    fail(client, "support-member", 4)
    response = attempt(client, "support-member", "wrong-5")
    assert response.status_code == 429
    html = response.content.decode()
    assert "<h1>Sign in</h1>" in html  # the whole page, not axes' bare text
    assert 'role="alert" id="sign-in-locked-out"' in html
    assert "Try again in 15 minutes" in html
    assert 'name="password"' in html and 'value="support-member"' in html
    assert WRONG_PASSWORD_ERROR not in html


def test_lockout_is_per_username_and_address(client, clock):
    make_staff("support")
    make_staff("viewer")
    fail(client, "support-member", 4)
    assert attempt(client, "support-member", "wrong-5").status_code == 429

    # Another agent on the same address (an office NAT) is not locked out...
    assert attempt(Client(), "viewer-member", "evadmin-viewer-demo").status_code == 302
    # ...and an attacker elsewhere cannot lock the agent out of their own desk.
    assert attempt(Client(), "support-member", PASSWORD, ip="10.9.9.9").status_code == 302


def test_rotating_usernames_from_one_address_hits_the_per_address_limit(client, clock, settings):
    assert settings.EVADMIN_SIGNIN_MAX_FAILURES_PER_IP == 20
    make_staff("support")
    for number in range(19):
        assert attempt(client, f"guess-{number}@example.com", "Password1").status_code == 200

    agent = Client()
    assert attempt(agent, "support-member", PASSWORD).status_code == 302  # 19 failures: still open
    # That sign-in forgot only the agent's own failures, not the address's 19.
    assert attempt(client, "guess-19@example.com", "Password1").status_code == 429
    refused = attempt(Client(), "support-member", PASSWORD)
    assert refused.status_code == 429 and LOCKED_OUT in refused.content.decode()
    assert attempt(Client(), "support-member", PASSWORD, ip="10.0.0.2").status_code == 302

    clock.shift(timedelta(minutes=15, seconds=1))
    assert attempt(Client(), "support-member", PASSWORD).status_code == 302


def test_a_successful_sign_in_forgets_earlier_typos(client, clock):
    make_staff("support")
    fail(client, "support-member", 4)
    assert attempt(client, "support-member", PASSWORD).status_code == 302
    client.post("/accounts/logout/")
    fail(client, "support-member", 4)  # would have been the 8th failure in the window


def test_failures_older_than_the_cool_off_do_not_count(client, clock):
    make_staff("support")
    fail(client, "support-member", 4)
    clock.shift(timedelta(minutes=15, seconds=1))
    fail(client, "support-member", 4)
    assert attempt(client, "support-member", "wrong-9").status_code == 429


def test_an_admin_can_lift_a_lockout_with_axes_reset(client, clock):
    make_staff("support")
    fail(client, "support-member", 4)
    assert attempt(client, "support-member", "wrong-5").status_code == 429
    call_command("axes_reset_username", "support-member")
    assert attempt(client, "support-member", PASSWORD).status_code == 302


def test_django_admin_sign_in_is_throttled_too(client, clock):
    make_staff("admin")
    for number in range(4):
        response = client.post("/admin/login/", {"username": "admin-member", "password": f"no-{number}"},
                               REMOTE_ADDR="10.0.0.1")
        assert response.status_code == 200
    response = client.post("/admin/login/", {"username": "admin-member", "password": "evadmin-admin-demo"},
                           REMOTE_ADDR="10.0.0.1")
    assert response.status_code == 302  # the right password still works before the limit
    client.post("/admin/logout/")
    for number in range(5):
        response = client.post("/admin/login/", {"username": "admin-member", "password": f"no-{number}"},
                               REMOTE_ADDR="10.0.0.1")
    assert response.status_code == 429
    assert LOCKED_OUT in response.content.decode()


def test_a_failed_attempt_keeps_neither_password_nor_csrf_token(clock):
    from axes.models import AccessAttempt

    make_staff("support")
    client = Client(enforce_csrf_checks=True)
    client.get(LOGIN)
    token = client.cookies["csrftoken"].value
    response = client.post(LOGIN, {"username": "support-member", "password": "wrong-secret",
                                   "csrfmiddlewaretoken": token, "next": "/"}, REMOTE_ADDR="10.0.0.9")
    assert response.status_code == 200 and WRONG_PASSWORD_ERROR in response.content.decode()
    [stored] = AccessAttempt.objects.values_list("post_data", flat=True)
    assert "csrfmiddlewaretoken=" in stored  # the field is listed, its value is not
    assert token not in stored and "wrong-secret" not in stored
