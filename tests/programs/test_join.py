"""Joining a program on the driver's behalf: enrol_in_programs, a reason, a confirmation that it cannot
be undone, one POST, an audit event, and the summary strip saying "enrolled in" afterwards."""

from django.urls import reverse

from evadmin.audit import actions
from evadmin.audit.models import AuditEvent
from evadmin.programs.summary import programs_part
from tests.conftest import sent

CASE = "program_eligible_not_enrolled"


def _join_url(case) -> str:
    return reverse("programs:join", args=[case["user_id"], case["program"]])


def test_joining_confirms_first_then_posts_once_and_records_it(pages, sandbox_api):
    case = sandbox_api.seed_cases()[CASE]
    support = pages("support")
    page = support.get(_join_url(case)).content.decode()
    assert "cannot be undone" in page
    sandbox_api.reset()
    unconfirmed = support.post(_join_url(case), {"reason": "Driver asked on the phone"})
    assert unconfirmed.status_code == 400 and not sent(sandbox_api, "POST")
    no_reason = support.post(_join_url(case), {"reason": "", "confirm": "on"})
    assert no_reason.status_code == 400 and not sent(sandbox_api, "POST")
    assert not AuditEvent.objects.filter(action=actions.PROGRAM_JOIN).exists()
    done = support.post(_join_url(case), {"reason": "Driver asked on the phone", "confirm": "on"})
    assert done.status_code == 302
    [post] = sent(sandbox_api, "POST")
    assert post["path"] == f"/v2/programs/{case['program']}/join" and post["status"] == 201
    [event] = AuditEvent.objects.filter(action=actions.PROGRAM_JOIN)
    assert event.target_user_id == case["user_id"] and event.reason == "Driver asked on the phone"
    assert event.after["enrolled_in"] == case["program"]
    part = programs_part(case["user_id"])
    assert part.known and part.text == f"enrolled in {case['program_name']}"
    sandbox_api.reset()


def test_joining_needs_enrol_in_programs(pages, sandbox_api):
    case = sandbox_api.seed_cases()[CASE]
    sandbox_api.reset()
    viewer = pages("viewer")
    assert viewer.get(_join_url(case)).status_code == 403
    assert viewer.post(_join_url(case), {"reason": "x", "confirm": "on"}).status_code == 403
    assert not sent(sandbox_api, "POST")


def test_verifying_sends_the_account_once_and_audits_the_fields_not_the_values(pages, sandbox_api):
    case = sandbox_api.seed_cases()[CASE]
    url = reverse("programs:verify", args=[case["user_id"], case["program"]])
    support = pages("support")
    assert "cannot be undone" in support.get(url).content.decode()
    sandbox_api.reset()
    assert support.post(url, {"account_number": "12345678-A", "reason": "x"}).status_code == 400
    assert not sent(sandbox_api, "POST")
    done = support.post(url, {"account_number": "12345678-A", "reason": "Driver read it out", "confirm": "on"})
    assert done.status_code == 302
    [post] = sent(sandbox_api, "POST")
    assert post["path"] == f"/v2/programs/{case['program']}/user_verification" and post["status"] == 201
    [event] = AuditEvent.objects.filter(action=actions.PROGRAM_VERIFY)
    assert event.reason == "Driver read it out" and "12345678-A" not in str(event.before) + str(event.after)
    assert pages("viewer").post(url, {"account_number": "1", "reason": "x", "confirm": "on"}).status_code == 403
