"""Submitting a driver's rebate application on their behalf: submit_rebates only, a reason and a
confirmation required, one POST (never retried), an audit event; refused before sending when
evidence is missing or it was already submitted."""

from django.urls import reverse

from evadmin.audit import actions
from evadmin.audit.models import AuditEvent
from tests.conftest import sent

GOOD = {"reason": "The driver asked us to submit it for them on the phone", "confirm": "on"}


def submit_url(user_id: str, rebate_id: str) -> str:
    return reverse("rebates:submit", args=[user_id, rebate_id])


def _submits(sandbox_api) -> list[dict]:
    return [entry for entry in sent(sandbox_api, "POST") if entry["path"].endswith(":submit")]


def test_support_without_the_permission_is_refused(pages, case):
    url, support = submit_url(case["user_id"], case["ready_rebate"]), pages("support")
    assert support.get(url).status_code == 403
    assert support.post(url, GOOD).status_code == 403
    # The panel offers the button only to those holding submit_rebates.
    panel = reverse("rebates:panel", args=[case["user_id"]])
    assert "Submit for review on the driver" not in support.get(panel).content.decode()
    assert "Submit for review on the driver" in pages("support_lead").get(panel).content.decode()


def test_a_reason_and_a_confirmation_are_required_and_nothing_is_sent_without(pages, sandbox_api, case):
    lead, url = pages("support_lead"), submit_url(case["user_id"], case["ready_rebate"])
    form = lead.get(url).content.decode()
    assert "cannot be undone" in form and "Smart charging reward" in form
    assert lead.post(url, {"confirm": "on"}).status_code == 400
    unconfirmed = lead.post(url, {"reason": GOOD["reason"]})
    assert unconfirmed.status_code == 400 and "Tick the box to confirm" in unconfirmed.content.decode()
    assert not _submits(sandbox_api) and not AuditEvent.objects.filter(action=actions.REBATE_SUBMIT).exists()


def test_submitting_sends_one_post_and_records_it(pages, sandbox_api, direct_api, case, writes):
    lead = pages("support_lead")
    sandbox_api.reset()
    done = lead.post(submit_url(case["user_id"], case["ready_rebate"]), GOOD, follow=True)
    assert "The rebate application was submitted for review." in done.content.decode()
    [post] = _submits(sandbox_api)
    assert post["path"] == f"/v2/user_rebates/{case['ready_rebate']}:submit" and post["status"] == 200
    [event] = AuditEvent.objects.filter(action=actions.REBATE_SUBMIT)
    assert event.target_user_id == case["user_id"] and event.reason == GOOD["reason"]
    assert event.before["status"] == "PENDING_IN_PROGRESS" and event.after["status"] == "COMPLETE"
    panel = lead.get(reverse("rebates:panel", args=[case["user_id"]])).content.decode()
    assert panel.count("submitted: in evidence review") == 2  # read again after the write


def test_missing_evidence_or_a_second_submission_is_refused_before_sending(pages, sandbox_api, case):
    lead = pages("support_lead")
    sandbox_api.reset()
    missing = lead.post(submit_url(case["user_id"], case["waiting_rebate"]), GOOD)
    assert missing.status_code == 400 and "upload: Charger photo" in missing.content.decode()
    again = lead.post(submit_url(case["user_id"], case["user_rebate"]), GOOD)
    assert again.status_code == 400 and "already been submitted" in again.content.decode()
    assert not _submits(sandbox_api)
