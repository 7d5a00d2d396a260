"""The sandbox API over real HTTP: every answer is checked against openapi.yaml as well."""

import re
import time
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from tests import spec
from tests.sandbox.helpers import Api, all_pages, problem

DEV_SCOPES = {"user:read", "user:write", "tariff:read", "evse:read", "vehicle:read", "charging_session:read",
              "charging_session:write", "debug:read", "tariff:prices:read"}
ID = re.compile(r"^[a-z]{4}[0-9A-Z]{26}$")
FULL_ADDRESS = {
    "address_1": "10 Downing Street", "address_2": None, "city": "London", "state": None,
    "postal_code": "SW1A 2AA", "country_code": "GB", "coordinates": {"latitude": 51.5034, "longitude": -0.1276},
}
CLEARED_ADDRESS = dict.fromkeys(("address_1", "address_2", "city", "state", "postal_code", "country_code",
                                 "coordinates"))


def all_users(api, **params):
    return all_pages(api, "/users?page_size=100", params=params)[0]


def user_where(api, predicate):
    return next(user for user in api.get("/users", params={"page_size": 100}).json() if predicate(user))


# --- OAuth ---------------------------------------------------------------------------------

def test_token_with_basic_auth_or_form_credentials(sandbox_api):
    by_basic = requests.post(sandbox_api.token_url, data={"grant_type": "client_credentials"},
                             auth=(sandbox_api.client_id, sandbox_api.client_secret), timeout=10)
    by_form = requests.post(sandbox_api.token_url, timeout=10, data={
        "grant_type": "client_credentials", "client_id": sandbox_api.client_id,
        "client_secret": sandbox_api.client_secret, "scope": "user:read tariff:read"})
    assert by_basic.status_code == by_form.status_code == 200
    body = by_basic.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 36000 and body["access_token"]
    assert DEV_SCOPES <= set(body["scope"].split())
    assert by_form.json()["scope"] == "tariff:read user:read"


@pytest.mark.parametrize("auth, data, status, error", [
    (("evadmin-dev", "wrong"), {"grant_type": "client_credentials"}, 401, "invalid_client"),
    (("nobody", "secret"), {"grant_type": "client_credentials"}, 401, "invalid_client"),
    (None, {"grant_type": "client_credentials"}, 401, "invalid_client"),
    ("dev", {"grant_type": "password"}, 400, "unsupported_grant_type"),
    ("dev", {"grant_type": "client_credentials", "scope": "user:read admin"}, 400, "invalid_scope"),
])
def test_token_errors_are_oauth_json(sandbox_api, auth, data, status, error):
    auth = (sandbox_api.client_id, sandbox_api.client_secret) if auth == "dev" else auth
    response = requests.post(sandbox_api.token_url, data=data, auth=auth, timeout=10)
    assert response.status_code == status and response.json()["error"] == error


def test_bad_tokens_get_401_problems(api, sandbox_api):
    token = sandbox_api.token()
    requests.post(sandbox_api.url("/o/revoke_token/"), data={"token": token}, timeout=10,
                  auth=(sandbox_api.client_id, sandbox_api.client_secret)).raise_for_status()
    cases = {"Authentication credentials were not provided.": {},
             "Invalid token.": {"Authorization": "Bearer not-a-token"},
             "The access token has been revoked.": {"Authorization": f"Bearer {token}"}}
    for detail, headers in cases.items():
        response = requests.get(sandbox_api.url("/users"), headers=headers, timeout=10)
        spec.validate_response("GET", response.url, 401, dict(response.headers), response.content)
        assert problem(response, 401)["detail"] == detail
    # Unknown paths answer 401 without a token, 404 with one.
    assert requests.get(sandbox_api.url("/nothing"), timeout=10).status_code == 401
    problem(requests.get(sandbox_api.url("/nothing"), headers=api.headers, timeout=10), 404)  # not in the spec


def test_expired_and_mass_revoked_tokens(api, sandbox_api):
    sandbox_api.faults(token_lifetime=1)
    short = Api(sandbox_api, sandbox_api.token())
    assert short.get("/users").status_code == 200
    time.sleep(1.1)
    assert problem(short.get("/users"), 401)["detail"] == "The access token has expired."
    sandbox_api.faults(revoke_all_tokens=True)
    assert problem(api.get("/users"), 401)["detail"] == "The access token has been revoked."


def test_missing_scope_is_403_naming_it(sandbox_api):
    sandbox_api.create_client("desk-readonly", "desk-secret", ["user:read"])
    reader = Api(sandbox_api, sandbox_api.token("desk-readonly", "desk-secret"))
    assert reader.get("/users").status_code == 200
    assert "user:write" in problem(reader.call("POST", "/users", json={"email": "a@example.com"}), 403)["detail"]
    assert "tariff:read" in problem(reader.get("/tariffs"), 403)["detail"]


def test_unsupported_version_is_400(api):
    response = api.get("/users", headers={"EvEnergy-Version": "3"}, check_request=False)
    assert problem(response, 400, "Unsupported version")["detail"] == "Unsupported version requested: 3"
    assert api.get("/", headers={"EvEnergy-Version": "2.0"}).status_code == 200


def test_root_lists_collections_without_a_token(sandbox_api):
    response = requests.get(sandbox_api.url("/v2/"), timeout=10)
    spec.validate_response("GET", sandbox_api.url("/v2"), 200, dict(response.headers), response.content)
    assert response.json()["users"] == sandbox_api.url("/users")


# --- Users: pagination, filters, expand ------------------------------------------------------

def test_users_pages_follow_link_headers_one_request_per_page(api, sandbox_api):
    sandbox_api.reset(data=True)
    first = api.get("/users")
    assert len(first.json()) == 25
    previous, following = [part.strip() for part in first.headers["Link"].split(",")]
    assert previous == '<about:blank>; rel="previous"'
    assert following == (f'<{sandbox_api.url("/users")}?page_size=25&page_after={first.json()[-1]["id"]}>; '
                         'rel="next"')
    sandbox_api.reset()
    users = all_users(api)
    assert len(users) == 250 and len(sandbox_api.requests()) == 3
    assert [u["id"] for u in users] == sorted(u["id"] for u in users)
    assert [u["joined_at"] for u in users] == sorted(u["joined_at"] for u in users)
    assert all(ID.match(u["id"]) and u["id"].startswith("user") for u in users)


def test_users_page_before_and_cursor_rules(api, sandbox_api):
    sandbox_api.reset(data=True)
    users = all_users(api)
    second = api.get("/users", params={"page_size": 10, "page_after": users[9]["id"]})
    assert second.json() == users[10:20]
    back = api.get(second.links["previous"]["url"]).json()
    assert back == users[:10] == api.get("/users", params={"page_size": 10}).json()
    # page_before is ignored when page_after is given.
    both = api.get("/users", params={"page_size": 10, "page_after": users[9]["id"], "page_before": users[0]["id"]})
    assert both.json() == second.json()
    last = api.get("/users", params={"page_size": 100, "page_after": users[199]["id"]})
    assert last.json() == users[200:] and last.links["next"]["url"] == "about:blank"
    assert parse_qs(urlsplit(last.links["previous"]["url"]).query)["page_before"] == [users[200]["id"]]


@pytest.mark.parametrize("params", [
    {"page_size": 0}, {"page_size": 101}, {"page_size": "ten"},
    {"page_after": "user01ZZZZZZZZZZZZZZZZZZZZZZZZ"}, {"page_after": "vhcl01HN2NJ9NMRZBXT1H6FT9N7735"},
    {"page_before": "nonsense"},
])
def test_invalid_pagination_is_400(api, params):
    response = api.get("/users", params=params, check_request=False)
    problem(response, 400, "Invalid pagination parameter")


def test_link_urls_keep_other_parameters(api):
    expand = ["default_location.tariff", "default_location.evse_site"]
    response = api.get("/users", params={"page_size": 5, "expand": expand})
    query = parse_qs(urlsplit(response.links["next"]["url"]).query)
    assert query["expand"] == expand and query["page_size"] == ["5"] and "page_after" in query


def test_email_filter_is_case_insensitive_exact(api):
    users = all_users(api)
    by_email = {}
    for user in users:
        by_email.setdefault(user["email"].lower(), []).append(user["id"])
    twins = next(ids for ids in by_email.values() if len(ids) > 1)  # a seeded defect
    email = next(u["email"] for u in users if u["id"] == twins[0])
    found = api.get("/users", params={"email": email.swapcase()}).json()
    assert sorted(u["id"] for u in found) == sorted(twins)
    assert api.get("/users", params={"email": email[1:]}).json() == []


def test_expand_inlines_tariff_supplier_and_site(api):
    user = user_where(api, lambda u: u["default_location"]["tariff"])
    expanded = api.get(f"/users/{user['id']}", params={"expand": ["default_location.tariff.supplier"]}).json()
    tariff = expanded["default_location"]["tariff"]
    assert tariff["url"] == user["default_location"]["tariff"] and tariff["supplier"]["id"].startswith("supl")
    site_user = next(u for u in all_users(api, expand="default_location.evse_site")
                     if u["default_location"]["evse_site"])
    assert site_user["default_location"]["evse_site"]["id"].startswith("site")
    assert "current_carbon_intensity_grams_per_kilowatt_hour" in expanded["default_location"]
    assert "current_carbon_intensity_grams_per_kilowatt_hour" not in user["default_location"]
    problem(api.get("/users", params={"expand": "vehicles"}, check_request=False), 400)


def test_unknown_user_is_404(api):
    problem(api.get("/users/user01HN2NJ9NMRZBXT1H6FT9N7735"), 404)
    problem(api.call("PATCH", "/users/user01HN2NJ9NMRZBXT1H6FT9N7735", json={"email": "x@example.com"}), 404)


# --- Users: create and update ----------------------------------------------------------------

def test_create_user_201_and_email_not_unique(api, writes):
    existing = api.get("/users").json()[0]["email"]
    body = {"email": existing.upper(), "default_location": FULL_ADDRESS}
    created = api.call("POST", "/users", json=body, params={"expand": "default_location.tariff"})
    assert created.status_code == 201
    user = created.json()
    assert user["email"] == existing.upper() and user["terms_consent_datetime"] is None
    assert user["default_location"]["postal_code"] == "SW1A 2AA"
    assert api.get(f"/users/{user['id']}").json() == user


@pytest.mark.parametrize("body, errors", [
    ({}, {"email": ["This field is required."]}),
    ({"email": "not-an-email"}, {"email": ["Enter a valid email address."]}),
    ({"email": "a@example.com", "default_location": {"city": "London", "postal_code": "N1 1AA"}},
     {"default_location.address_1": ["This field is required when any address field is given."],
      "default_location.country_code": ["This field is required when any address field is given."]}),
    ({"email": "a@example.com", "default_location": {**FULL_ADDRESS, "country_code": "UK"}},
     {"default_location.country_code": ['"UK" is not a valid choice.']}),
    ({"email": "a@example.com", "default_location": {**FULL_ADDRESS, "coordinates": {"latitude": 91,
                                                                                      "longitude": -181}}},
     {"default_location.coordinates.latitude": ["Ensure this value is less than or equal to 90."],
      "default_location.coordinates.longitude": ["Ensure this value is greater than or equal to -180."]}),
    ({"email": "a@example.com", "default_location": {"tariff": "tari01HN2NJ9NMRZBXT1H6FT9N7735"}},
     {"default_location.tariff": ["Invalid hyperlink - Object does not exist."]}),
])
def test_create_user_validation(api, body, errors):
    response = api.call("POST", "/users", json=body, check_request=False)
    found = problem(response, 400, "Request failed validation.")
    assert found["field_errors"] == errors


def test_patch_changes_only_given_keys_and_merges_location(api, writes):
    user = user_where(api, lambda u: u["default_location"]["address_1"] and u["default_location"]["tariff"])
    location = user["default_location"]
    patched = api.call("PATCH", f"/users/{user['id']}", json={"default_location": {"city": "Cardiff"}},
                       check_request=False)  # the spec's dependentSchemas read the body alone
    assert patched.status_code == 200
    after = patched.json()
    assert after["email"] == user["email"]
    assert after["default_location"]["city"] == "Cardiff"
    assert {k: v for k, v in after["default_location"].items() if k not in ("city", "current_carbon_intensity_"
            "grams_per_kilowatt_hour")} == {k: v for k, v in location.items() if k != "city"}
    first, second = api.get("/tariffs").json()[:2]
    for given, tariff in ((first["id"], first), (second["url"], second)):
        response = api.call("PATCH", f"/users/{user['id']}", json={"default_location": {"tariff": given}},
                            params={"expand": "default_location.tariff"}, check_request=False)
        assert response.json()["default_location"]["tariff"]["id"] == tariff["id"]
    cleared = api.call("PATCH", f"/users/{user['id']}", json={"default_location": {"tariff": None}})
    assert cleared.json()["default_location"]["tariff"] is None


def test_patch_nulls_clear_the_address_and_partial_addresses_fail(api, writes):
    user = user_where(api, lambda u: u["default_location"]["address_1"])
    cleared = api.call("PATCH", f"/users/{user['id']}", json={"default_location": CLEARED_ADDRESS})
    location = cleared.json()["default_location"]
    assert location["address_1"] is None and location["coordinates"] is None and "country_code" not in location
    partial = api.call("PATCH", f"/users/{user['id']}", json={"default_location": {"postal_code": "N1 1AA"}},
                       check_request=False)
    assert set(problem(partial, 400)["field_errors"]) == {
        "default_location.address_1", "default_location.city", "default_location.country_code"}
    restored = api.call("PATCH", f"/users/{user['id']}", json={"default_location": FULL_ADDRESS})
    assert restored.json()["default_location"]["country_code"] == "GB"


# --- Tariffs, suppliers, EVSE sites, vehicles, EVSEs -----------------------------------------

def test_tariffs_page_numbers_filters_and_detail(api):
    first = api.get("/tariffs", params={"page_size": 10, "expand": "supplier"})
    assert first.links["previous"]["url"] == "about:blank"
    assert parse_qs(urlsplit(first.links["next"]["url"]).query)["page"] == ["2"]
    tariff = first.json()[0]
    assert tariff["supplier"]["id"].startswith("supl") and tariff["currency"] in {"GBP", "USD", "EUR", "CAD"}
    supplier_id = tariff["supplier"]["id"]
    of_supplier = api.get("/tariffs", params={"supplier": supplier_id}, check_request=False).json()
    assert of_supplier and all(t["supplier"].endswith(supplier_id) for t in of_supplier)
    assert api.get("/tariffs", params={"supplier_id": supplier_id}).json() == of_supplier
    detail = api.get(f"/tariffs/{tariff['id']}").json()
    assert "current_price" in detail
    problem(api.get("/tariffs", params={"page": 999}), 404)
    problem(api.get("/tariffs", params={"page": 0}), 400, "Invalid pagination parameter")
    problem(api.get("/tariffs/tari01HN2NJ9NMRZBXT1H6FT9N7735"), 404)


def test_suppliers_and_evse_sites(api):
    suppliers = api.get("/suppliers", params={"page_size": 100}).json()
    assert len({s["name"] for s in suppliers}) == len(suppliers) >= 8 * 3
    assert api.get(f"/suppliers/{suppliers[0]['id']}").json() == suppliers[0]
    sites = api.get("/evse_sites").json()
    assert sites and all(s["user_connected"] is None for s in sites)
    assert api.get(f"/evse_sites/{sites[0]['id']}").json() == sites[0]
    problem(api.get("/evse_sites/site01HN2NJ9NMRZBXT1H6FT9N7735"), 404)


def test_one_users_vehicles_and_evses_with_the_user_header(api, sandbox_api):
    user = user_where(api, lambda u: u["vehicles"] and u["evses"])
    header = {"EvEnergy-User": user["id"]}
    vehicles = api.get("/vehicles", headers=header, params={"page_size": 100, "expand": "trim.model.make"}).json()
    assert [v["url"] for v in vehicles] == user["vehicles"]
    make = vehicles[0]["trim"]["model"]["make"]["name"]
    assert vehicles[0]["description"].startswith(make)
    evses = api.get("/evses", headers=header, params={"page_size": 100, "expand": "model.make"}).json()
    assert [e["url"] for e in evses] == user["evses"] and evses[0]["model"]["make"]["name"]
    assert api.get(vehicles[0]["url"], params={"expand": "user"}).json()["user"]["id"] == user["id"]
    assert api.get(evses[0]["url"]).json()["cpid"] == evses[0]["cpid"]
    assert [r["user_header"] for r in sandbox_api.requests() if r["path"] in ("/v2/vehicles", "/v2/evses")] == [
        user["id"], user["id"]]
    everyone = api.get("/vehicles", params={"page_size": 100})
    assert len(everyone.json()) == 100 and everyone.links["next"]["url"] != "about:blank"
    problem(api.get("/vehicles", headers={"EvEnergy-User": "user01HN2NJ9NMRZBXT1H6FT9N7735"}), 400)
    problem(api.get("/vehicles/vhcl01HN2NJ9NMRZBXT1H6FT9N7735"), 404)


# --- Rate limit, faults, request log ---------------------------------------------------------

def test_rate_limit_429_with_both_retry_after_headers(api, sandbox_api):
    sandbox_api.faults(rate_limit_per_hour=3)
    remaining = [api.get("/users", params={"page_size": 1}).headers["X-RateLimit-Remaining"] for _ in range(3)]
    assert remaining == ["2", "1", "0"]
    sandbox_api.token()  # token requests don't count
    limited = api.get("/users")
    body = problem(limited, 429, "Too Many Requests")
    assert body["type"].endswith("/v2/problems/rate-limit-exceeded/")
    assert limited.headers["Retry-After"] == limited.headers["RetryAfter"]
    assert 3590 <= int(limited.headers["Retry-After"]) <= 3600
    assert limited.headers["X-RateLimit-Limit"] == "3" and limited.headers["X-RateLimit-Remaining"] == "0"
    sandbox_api.reset()
    assert api.get("/users").headers["X-RateLimit-Remaining"] == "999"


def test_fault_injection(api, sandbox_api):
    sandbox_api.faults(fail_next=[503, 502])
    assert [api.get("/users").status_code for _ in range(3)] == [503, 502, 200]
    sandbox_api.faults(force_429=1, retry_after=7)
    forced = api.get("/users")
    assert forced.status_code == 429 and forced.headers["Retry-After"] == forced.headers["RetryAfter"] == "7"
    sandbox_api.faults(error_rate=1.0, error_status=500)
    problem(api.get("/users"), 500)
    sandbox_api.faults(error_rate=0, latency_ms=300)
    started = time.monotonic()
    assert api.get("/users").status_code == 200 and time.monotonic() - started >= 0.3
    sandbox_api.faults(latency_ms=0, hang_next=1, hang_seconds=2)
    with pytest.raises(requests.Timeout):
        requests.get(sandbox_api.url("/users"), headers=api.headers, timeout=0.5)
    assert api.get("/users").status_code == 200
    bad = requests.post(sandbox_api.url("/_sandbox/faults"), json={"error_rate": 2}, timeout=10)
    assert bad.status_code == 400


def test_request_log_records_what_was_sent(api, sandbox_api, writes):
    user = api.get("/users", params={"page_size": 1, "expand": "default_location.tariff"}).json()[0]
    api.call("PATCH", f"/users/{user['id']}", json={"email": "changed@example.com"},
             headers={"EvEnergy-User": user["id"]})
    log = [entry for entry in sandbox_api.requests() if entry["path"].startswith("/v2")]
    assert [(r["method"], r["path"], r["status"]) for r in log] == [
        ("GET", "/v2/users", 200), ("PATCH", f"/v2/users/{user['id']}", 200)]
    assert log[0]["query"] == "page_size=1&expand=default_location.tariff" and log[0]["authorization_present"]
    assert log[1]["body"] == '{"email": "changed@example.com"}' and log[1]["user_header"] == user["id"]
    requests.post(sandbox_api.token_url, timeout=10, data={
        "grant_type": "client_credentials", "client_id": sandbox_api.client_id,
        "client_secret": sandbox_api.client_secret})
    token_request = sandbox_api.requests()[-1]
    assert token_request["path"] == "/o/token/" and token_request["status"] == 200
    assert sandbox_api.client_secret not in token_request["body"] and "client_secret=%2A%2A%2A" in token_request["body"]
    sandbox_api.reset()
    assert sandbox_api.requests() == []


def test_a_reset_re_seeds_only_data_that_may_have_changed(api, sandbox_api):
    """Re-seeding takes a second or two: a reset asking for the seeded data skips it after reads only."""
    sandbox_api.reset(data=True)
    user = api.get("/users?page_size=1").json()[0]
    assert sandbox_api.reset(data=True)["reseeded"] is None  # only read since: the data is as seeded
    api.call("PATCH", f"/users/{user['id']}", json={"email": "changed-by-the-test@example.com"})
    assert sandbox_api.reset(data=True)["reseeded"]  # a write: seeded again
    assert api.get(f"/users/{user['id']}").json()["email"] == user["email"]
