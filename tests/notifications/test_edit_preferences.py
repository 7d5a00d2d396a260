"""Changing a driver's notification preferences on their behalf: edit_notification_preferences, a
reason, one PATCH of only the groups that change (never retried), an audit event with the changed
groups, and the held copy (the panel, the summary strip) refreshed by the API's answer."""

import time

from django.urls import reverse

from evadmin.audit import actions
from evadmin.audit.models import AuditEvent
from evadmin.notifications.summary import notifications_part
from tests.conftest import sent


def _url(case) -> str:
    return reverse("notifications:edit_preferences", args=[case["user_id"]])


def _patches(sandbox_api) -> list[dict]:
    return sent(sandbox_api, "PATCH")


def test_changing_needs_the_permission(pages, sandbox_api, case):
    sandbox_api.reset()
    viewer = pages("viewer")
    assert viewer.get(_url(case)).status_code == 403
    assert viewer.post(_url(case), {"group_charging_issues": "on", "reason": "x"}).status_code == 403
    assert not _patches(sandbox_api)
    assert not AuditEvent.objects.filter(action=actions.NOTIFICATION_PREFERENCES_UPDATE).exists()


def test_a_reason_is_required_and_nothing_is_sent_without_one(pages, sandbox_api, case):
    support = pages("support")
    page = support.get(_url(case)).content.decode()
    assert "Charging issues" in page and "never retries" in page
    sandbox_api.reset()
    response = support.post(_url(case), {"group_charging_issues": "on", "reason": ""})
    assert response.status_code == 400 and "This field is required." in response.content.decode()
    unchanged = support.post(_url(case), {"reason": "Driver asked"})  # all off already: nothing to send
    assert unchanged.status_code == 400 and "nothing was sent" in unchanged.content.decode()
    assert not _patches(sandbox_api)
    assert not AuditEvent.objects.filter(action=actions.NOTIFICATION_PREFERENCES_UPDATE).exists()


def test_one_patch_of_the_changed_groups_audited_and_held(pages, sandbox_api, case):
    support = pages("support")
    support.get(_url(case))
    sandbox_api.reset()
    done = support.post(_url(case), {"group_charging_issues": "on", "group_charging_flow": "on",
                                     "reason": "Driver wants to hear about failed charges"})
    assert done.status_code == 302 and done["Location"].endswith("#notifications")
    [patch] = _patches(sandbox_api)
    assert patch["path"] == f"/v2/users/{case['user_id']}/notification_preferences" and patch["status"] == 200
    [event] = AuditEvent.objects.filter(action=actions.NOTIFICATION_PREFERENCES_UPDATE)
    assert event.target_user_id == case["user_id"] and event.reason == "Driver wants to hear about failed charges"
    assert event.before == {"charging_issues": False, "charging_flow": False}
    assert event.after == {"charging_issues": True, "charging_flow": True}
    # The held copy is the API's answer: the strip and the panel say so without another request.
    part = notifications_part(case["user_id"])
    assert part.text.startswith("on (switched off: ") and "charging issues" not in part.text
    html = pages("viewer").get(reverse("notifications:preferences", args=[case["user_id"]]),
                               HTTP_HX_REQUEST="true").content.decode()
    assert "Every notification is switched off" not in html
    assert not [entry for entry in sent(sandbox_api, "GET") if "notification_preferences" in entry["path"]]
    sandbox_api.reset(data=True)  # the case's driver is switched off again


def test_a_lost_answer_is_not_resent_and_is_recorded_as_unknown(pages, sandbox_api, case, settings):
    support = pages("support")
    support.get(_url(case))
    sandbox_api.reset()
    settings.EVADMIN_API_TIMEOUT = 0.5
    from evadmin.evenergy.client import reset_evenergy_client
    reset_evenergy_client()
    sandbox_api.faults(hang_next=1, hang_seconds=1.5)
    response = support.post(_url(case), {"group_charging_issues": "on", "reason": "Driver asked"})
    assert "may have changed" in response.content.decode()
    assert len(_patches(sandbox_api)) <= 1
    [event] = AuditEvent.objects.filter(action=actions.NOTIFICATION_PREFERENCES_UPDATE)
    assert event.after["outcome"] == "unknown"
    time.sleep(1.5)  # the hung PATCH completes in the sandbox before its data is seeded again
    sandbox_api.reset(data=True)
    reset_evenergy_client()
