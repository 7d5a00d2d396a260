"""The rules page: every rule's title, the evidence it needs and its explanation, for any staff role."""

from django.urls import reverse
from django.utils.html import escape

from evadmin.charging.verdicts import verdict_rules


def test_staff_read_every_rule_with_what_it_needs(client_as):
    page = client_as("viewer").get(reverse("verdicts:rules"))

    assert page.status_code == 200
    html = page.content.decode()
    assert reverse("verdicts:rules") == "/charging/verdicts/"
    for rule in verdict_rules():
        assert f'id="rule-{rule.name}"' in html
        assert escape(rule.title) in html
        assert escape("; ".join(rule.needs_in_words)) in html
        for paragraph in rule.paragraphs:
            assert escape(paragraph) in html
    assert "the charger&#x27;s OCPP logs" in html
    assert "Also uses, when the page has loaded it" in html


def test_a_signed_in_member_without_a_role_may_not_read_them(client_as):
    assert client_as(None).get(reverse("verdicts:rules")).status_code == 403
