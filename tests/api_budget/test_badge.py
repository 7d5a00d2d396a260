"""The header's API budget badge: what it counts in words, a link for those who may open /api-budget/,
and a badge that says so when the budget cannot be read."""

import re

from evadmin.api_budget import context_processors


def badge(html: str) -> str:
    return re.search(r'<(a|span) id="api-budget".*?</\1>', html, re.S).group(0)


def test_the_badge_says_what_it_counts_and_links_auditors_and_admins_to_the_page(api_settings, sandbox_api, client_as):
    for role in ("auditor", "admin"):
        shown = badge(client_as(role).get("/users/?source=api").content.decode())
        assert shown.startswith('<a id="api-budget" class="api-budget" href="/api-budget/"'), role
        assert re.search(r"API: <strong>\d{3}</strong> of 1,000 requests left this hour", shown), role


def test_the_badge_is_plain_text_for_staff_who_may_not_open_the_page(api_settings, sandbox_api, client_as):
    for role in ("viewer", "support", "bulk_operator"):
        html = client_as(role).get("/users/?source=api").content.decode()
        shown = badge(html)
        assert shown.startswith('<span id="api-budget"') and "href" not in shown, role
        assert "requests left this hour" in shown and "/api-budget/" not in html, role


def test_the_badge_says_when_the_budget_cannot_be_read(api_settings, client_as, monkeypatch):
    def broken():
        raise ConnectionError("redis is down")

    monkeypatch.setattr(context_processors, "rate_budget", broken)
    shown = badge(client_as("viewer").get("/locations/").content.decode())
    assert "API: requests left this hour unknown" in shown and "cannot be read just now" in shown
