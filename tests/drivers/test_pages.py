"""Reading users: the list (one API request a page), lookups, the detail page and devices."""

from urllib.parse import parse_qs

from evadmin.evenergy.ratelimit import rate_budget
from tests.conftest import sent


def api_reads(sandbox_api):
    return sent(sandbox_api, "GET")


def test_list_shows_a_page_of_users_for_one_request(pages, sandbox_api, direct_api):
    first = direct_api.users.list(page_size=25).items
    sandbox_api.reset()
    response = pages("viewer").get("/users/?source=api")  # /users/ itself is the directory's search

    assert response.status_code == 200
    html = response.content.decode()
    for user in first:
        assert user.email in html
    [request] = api_reads(sandbox_api)
    assert request["path"] == "/v2/users"
    assert len(parse_qs(request["query"])["expand"]) == 3


def test_next_page_by_cursor_as_an_htmx_partial(pages, sandbox_api, direct_api):
    client = pages("viewer")
    first = direct_api.users.list(page_size=50)
    second = direct_api.users.list(page_size=50, page_after=first.next_cursor)
    response = client.get(f"/users/?after={first.next_cursor}&page_size=50", HTTP_HX_REQUEST="true")

    html = response.content.decode()
    assert "<html" not in html
    assert second.items[0].email in html and first.items[0].email not in html
    assert f"before={second.previous_cursor}" in html  # a way back
    assert html.count("<tr") == 51  # header row + 50


def test_page_size_choice(pages):
    html = pages("viewer").get("/users/?page_size=100").content.decode()
    assert html.count('href="/users/user') == 100


def test_exact_email_lookup_ignores_case(pages, direct_api, sandbox_api):
    target = direct_api.users.list(page_size=30).items[17]
    sandbox_api.reset()
    html = pages("viewer").get("/users/", {"email": target.email.upper()}).content.decode()
    assert target.email in html
    assert parse_qs(api_reads(sandbox_api)[0]["query"])["email"] == [target.email.upper()]


def test_malformed_email_lookup_says_so_without_calling_the_api(pages, sandbox_api):
    response = pages("viewer").get("/users/", {"email": "not an email"})
    assert "Enter a valid email address" in response.content.decode()
    assert api_reads(sandbox_api) == []


def test_detail_shows_account_location_tariff_and_site(pages, user_with_address):
    html = pages("viewer").get(f"/users/{user_with_address.id}/").content.decode()
    location = user_with_address.default_location
    assert user_with_address.email in html
    assert location.address_1 in html and location.postal_code in html
    assert "gCO₂/kWh" in html
    assert "openstreetmap.org" in html or location.coordinates is None
    tariff = next(t for t in [location.tariff] if t) if location.tariff else None
    if tariff:
        assert tariff.name in html


def test_devices_are_listed_with_two_requests_as_the_user(pages, direct_api, sandbox_api):
    user = next(u for u in direct_api.users.list(page_size=100) if u.vehicle_urls and u.evse_urls)
    sandbox_api.reset()
    response = pages("viewer").get(f"/users/{user.id}/devices/", HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<html" not in html
    assert f"Vehicles ({len(user.vehicle_urls)})" in html
    assert f"Chargers ({len(user.evse_urls)})" in html
    requests = api_reads(sandbox_api)
    assert [r["path"] for r in requests] == ["/v2/vehicles", "/v2/evses"]
    assert all(r["user_header"] == user.id for r in requests)


def test_api_data_is_escaped(pages, direct_api, user_with_address):
    hostile = "<script>alert(1)</script>"
    direct_api.users.update(user_with_address.id, changes={"default_location": {"address_1": hostile}})
    html = pages("viewer").get(f"/users/{user_with_address.id}/").content.decode()
    assert hostile not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_header_shows_the_budget_the_api_reported(pages, sandbox_api):
    sandbox_api.reset()
    html = pages("viewer").get("/users/?source=api").content.decode()
    # One request spent this hour (the list page); the token request does not count.
    assert "API: <strong>999</strong> of 1,000 requests left this hour" in html
    assert rate_budget().snapshot().source == "api"  # the API's X-RateLimit-Remaining, not evadmin's count


def test_each_api_request_of_a_page_carries_the_pages_request_id(pages, sandbox_api, user_with_address):
    """The id on an error page (X-Request-ID) finds the API's own log lines for that page."""
    sandbox_api.reset()
    response = pages("viewer").get(f"/users/{user_with_address.id}/", HTTP_X_REQUEST_ID="support-ticket-4711")
    assert response["X-Request-ID"] == "support-ticket-4711"
    reads = api_reads(sandbox_api)
    assert reads and {entry["request_id"] for entry in reads} == {"support-ticket-4711"}
