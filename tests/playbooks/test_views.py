"""The playbook editor: a lead edits a checklist with a reason; every version is kept and shown, as text."""

import re

import pytest
from django.urls import reverse

from evadmin.audit import actions
from evadmin.audit.models import AuditEvent
from evadmin.playbooks.models import PlaybookRevision

SCRIPT = '<script>alert("step")</script>'
IMG = "<img src=x onerror=alert(1)>"
RAW_MARKUP = ("<script>alert(", "<img src=x")


def edit_url(subcategory: str = "OFFLINE") -> str:
    return reverse("playbooks:edit", args=[subcategory])


def steps_post(steps: list[tuple[str, str]], reason: str, *, extra: int = 1) -> dict[str, str]:
    rows = [*steps, *([("", "")] * extra)]
    data = {"steps-TOTAL_FORMS": str(len(rows)), "steps-INITIAL_FORMS": "0", "steps-MIN_NUM_FORMS": "0",
            "steps-MAX_NUM_FORMS": "20", "reason": reason}
    for index, (text, link) in enumerate(rows):
        data[f"steps-{index}-text"], data[f"steps-{index}-link"] = text, link
    return data


@pytest.fixture
def lead(client_as):
    return client_as("support_lead")


def test_editing_keeps_every_revision_and_shows_them_newest_first(lead):
    first = steps_post([("Check the charger's connectivity", "devices")], "Shorter for the night shift")
    assert lead.post(edit_url(), first).status_code == 302
    second = steps_post([("Check the charger's connectivity", "devices"), ("Send a reconnection link", "devices")],
                        "Add the reconnection step")
    response = lead.post(edit_url(), second, follow=True)
    html = response.content.decode()
    assert "Playbook for OFFLINE saved as revision 3." in html
    assert [revision.number for revision in PlaybookRevision.objects.filter(playbook__subcategory="OFFLINE")] == [
        3, 2, 1]
    history = html[html.index('id="history"'):]
    order = [history.index(text) for text in ("Add the reconnection step", "Shorter for the night shift",
                                              "Shipped with evadmin")]
    assert order == sorted(order)
    assert "support_lead-member" in history
    current = re.search(r'id="current-steps">(.*?)</ol>', html, re.S).group(1)
    assert "Send a reconnection link" in current and "The driver&#x27;s charger and vehicle" in current


def test_a_change_is_in_the_audit_trail_with_before_after_and_reason(lead):
    lead.post(edit_url("SPAM"), steps_post([("Close the ticket as spam", "")], "Spam needs no investigation"))
    [event] = AuditEvent.objects.filter(action=actions.PLAYBOOK_UPDATE)
    assert event.reason == "Spam needs no investigation" and event.actor.username == "support_lead-member"
    assert event.before == {"subcategory": "SPAM", "revision": None, "steps": []}
    assert event.after == {"subcategory": "SPAM", "revision": 1,
                           "steps": [{"text": "Close the ticket as spam", "link": ""}]}


def test_step_text_and_reason_are_shown_as_text_everywhere(lead, client_as):
    lead.post(edit_url(), steps_post([(f"{SCRIPT} check the charger", "devices"), (IMG, "")], f"{IMG} reason"))
    viewer = client_as("viewer")
    for url in (reverse("playbooks:detail", args=["OFFLINE"]), reverse("playbooks:list"), edit_url()):
        html = (viewer if "edit" not in url else lead).get(url).content.decode()
        assert not any(markup in html for markup in RAW_MARKUP), url
    detail = viewer.get(reverse("playbooks:detail", args=["OFFLINE"])).content.decode()
    assert "&lt;script&gt;alert(&quot;step&quot;)&lt;/script&gt; check the charger" in detail
    assert "&lt;img src=x onerror=alert(1)&gt; reason" in detail


def test_the_checklist_on_a_ticket_page_is_escaped(lead, rf):
    from django.template.loader import render_to_string

    from evadmin.playbooks.selectors import playbook_checklist
    lead.post(edit_url(), steps_post([(SCRIPT, "devices")], "Hostile"))
    checklist = playbook_checklist(subcategory="OFFLINE", user_id="user01HSH04KDEWF6Z4DB2J77J74K5", ticket_id=None,
                                   night="")
    html = render_to_string("playbooks/checklist.html", {"checklist": checklist, "subcategory": "OFFLINE"})
    assert "<script>alert(" not in html and "&lt;script&gt;" in html


@pytest.mark.parametrize(("post", "message"), [
    (steps_post([("A step", "")], ""), "This field is required."),
    (steps_post([], "Nothing left"), "A playbook needs at least one step."),
    (steps_post([("", "devices")], "A link alone"), "Say what to do at this step, or set its link to “No link”."),
])
def test_an_empty_reason_or_checklist_is_refused_saying_why_and_nothing_is_saved(lead, post, message):
    response = lead.post(edit_url(), post)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert PlaybookRevision.objects.filter(playbook__subcategory="OFFLINE").count() == 1


def test_saving_the_same_checklist_again_is_nothing_to_change(lead):
    current = PlaybookRevision.objects.get(playbook__subcategory="OFFLINE")
    response = lead.post(edit_url(), steps_post([(step["text"], step["link"]) for step in current.steps], "Again"))
    assert response.status_code == 400
    assert "The checklist is the same as the current one" in response.content.decode()


def test_the_editor_starts_from_the_current_steps(lead):
    html = lead.get(edit_url("NO_CHARGE")).content.decode()
    assert "Open the night before the ticket in the charging investigator" in html
    assert 'value="last_night" selected' in html


@pytest.mark.parametrize(("role", "status"), [("viewer", 403), ("support", 403), ("support_lead", 200),
                                              ("admin", 200)])
def test_only_leads_and_admins_edit_playbooks(client_as, role, status):
    client = client_as(role)
    assert client.get(edit_url()).status_code == status
    assert client.get(reverse("playbooks:detail", args=["OFFLINE"])).status_code == 200


def test_a_new_playbook_for_another_subcategory(lead):
    response = lead.get(reverse("playbooks:list"), {"subcategory": "PASSWORD"})
    assert response.status_code == 302 and response["Location"] == edit_url("PASSWORD")
    refused = lead.get(reverse("playbooks:list"), {"subcategory": "no charge"})
    assert refused.status_code == 400
    assert "capitals and underscores" in refused.content.decode()
    assert lead.get(reverse("playbooks:detail", args=["PASSWORD"])).status_code == 404
