"""/api-budget/: who may open it, and its numbers drawn from real requests to the sandbox."""

import json

import pytest
from django.urls import reverse

from evadmin.evenergy.models import ApiRequestRecord
from tests.conftest import sent

URL = "/api-budget/"


def chart_data(html: str) -> dict:
    start = html.index('<script id="api-spend-chart-data" type="application/json">')
    return json.loads(html[html.index(">", start) + 1:html.index("</script>", start)])


def table(html: str, table_id: str) -> str:
    start = html.index(f'id="{table_id}"')
    return html[start:html.index("</table>", start)]


def test_the_route_is_the_pages_name():
    assert reverse("api_budget:page") == URL


@pytest.mark.parametrize("role", ["admin", "auditor"])
def test_admins_and_auditors_may_open_it(api_settings, client_as, role):
    response = client_as(role).get(URL)
    assert response.status_code == 200
    assert "<h1>API budget</h1>" in response.content.decode()


@pytest.mark.parametrize("role", ["viewer", "support", "bulk_operator", None])
def test_other_roles_are_refused(api_settings, client_as, role):
    response = client_as(role).get(URL)
    assert response.status_code == 403
    assert "accounts.view_audit" in response.content.decode()


def test_anonymous_visitors_are_sent_to_sign_in(client, db):
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/?next=/api-budget/")


def test_a_drivers_page_shows_up_as_its_staff_members_and_pages_spending(pages, sandbox_api, direct_api):
    user = next(iter(direct_api.users.list(page_size=1)))
    sandbox_api.reset()
    ApiRequestRecord.objects.all().delete()  # the fixtures' own requests: keep only the page's

    viewer = pages("viewer")
    assert viewer.get(f"/users/{user.id}/").status_code == 200
    spent = len(sent(sandbox_api))
    assert spent >= 1

    html = pages("auditor").get(URL).content.decode()
    staff, by_page = table(html, "top-staff"), table(html, "top-pages")
    assert "<code>viewer-member</code></th><td>" + str(spent) + "</td>" in staff
    assert "<code>users:detail</code></th><td>" + str(spent) + "</td>" in by_page
    assert "No background requests." in table(html, "top-background")

    data = chart_data(html)
    assert len(data["labels"]) == 24
    series = {entry["kind"]: entry["counts"] for entry in data["series"]}
    assert list(series) == ["staff", "job", "sync", "system"]
    assert series["staff"][-1] == spent and sum(series["staff"]) == spent  # all in this hour's bucket
    assert sum(sum(counts) for kind, counts in series.items() if kind != "staff") == 0
    assert "<th scope=\"row\">Staff</th><td>" + str(spent) + "</td>" in table(html, "spend-by-kind")


def test_the_window_shows_the_hour_and_what_the_api_reported(pages, sandbox_api):
    sandbox_api.reset()
    pages("viewer").get("/users/?source=api")  # one request: the API says 999 of 1,000 remain

    html = pages("auditor").get(URL).content.decode()
    window = html[html.index('id="budget-window"'):html.index("</section>", html.index('id="budget-window"'))]
    assert "<strong>1</strong> of 1,000 requests in the last 60 minutes" in window
    assert "(1 for staff, 0 for background work)" in window
    assert "999 of 1,000 left" in window and "X-RateLimit-Remaining" in window
    assert "The oldest request of the hour leaves the window at" in window
    assert "<strong>150</strong> requests." in window  # the floor: 15% of 1,000, staff spent little
    assert "the larger of 15% of the limit" in window and "last 10 minutes" in window


def test_the_ledgers_retention_is_said(api_settings, client_as, settings):
    settings.EVADMIN_API_LEDGER_DAYS = 45
    html = client_as("admin").get(URL).content.decode()
    assert "keeps every request for 45 days" in html and "EVADMIN_API_LEDGER_DAYS" in html


def test_429_answers_are_counted_and_the_latest_listed(pages, sandbox_api, direct_api):
    from evadmin.evenergy import errors

    ApiRequestRecord.objects.all().delete()
    sandbox_api.faults(force_429=1, retry_after=30)  # longer than evadmin waits to retry
    with pytest.raises(errors.RateLimited):
        direct_api.users.list(page_size=1)

    html = pages("auditor").get(URL).content.decode()
    assert ApiRequestRecord.objects.filter(status=429).count() == 1
    assert '<strong id="rate-limited-count">1</strong> in the last 24 hours' in html
    latest = table(html, "latest-429s")
    assert "<code>unattributed</code> <small>system</small>" in latest and "<code>GET /users</code>" in latest


def test_ledger_text_is_escaped(api_settings, client_as):
    from django.utils import timezone

    hostile = '<img src=x onerror="alert(1)">'
    ApiRequestRecord.objects.create(sent_at=timezone.now(), method="GET", operation=f"GET /users/{hostile}",
                                    status=429, source_kind="staff", source_label=hostile, page=hostile)
    ApiRequestRecord.objects.create(sent_at=timezone.now(), method="GET", operation="GET /users", status=200,
                                    source_kind="job", source_label=f"bulk job {hostile}")
    html = client_as("admin").get(URL).content.decode()
    assert hostile not in html
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html
    for table_id in ("top-pages", "top-staff", "top-background", "latest-429s"):
        assert "&lt;img" in table(html, table_id), table_id


def test_the_chart_comes_as_json_with_no_inline_script(api_settings, client_as):
    html = client_as("auditor").get(URL).content.decode()
    assert "vendor/chartjs/chart.umd.min.js" in html and "js/api-budget-chart.js" in html
    scripts = [chunk.split(">", 1)[0] for chunk in html.split("<script")[1:]]
    assert all("src=" in tag or 'type="application/json"' in tag for tag in scripts), scripts


def test_refresh_is_an_htmx_fragment_of_the_window_alone(api_settings, client_as):
    fragment = client_as("auditor").get(URL, headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in fragment and 'id="budget-window"' in fragment
    assert "api-spend-chart" not in fragment


def test_the_page_says_so_when_the_budget_cannot_be_read(api_settings, client_as, monkeypatch):
    from evadmin.api_budget import selectors

    def broken():
        raise ConnectionError("redis is down")

    monkeypatch.setattr(selectors, "rate_budget", broken)
    html = client_as("auditor").get(URL).content.decode()
    assert "The budget cannot be read just now" in html
    assert 'id="top-staff"' in html  # the ledger still shows
