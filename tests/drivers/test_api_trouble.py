"""API trouble is never a 500: each failure has its own page, or a banner for htmx requests.

(Pages with a copy of their own to fall back on, the driver's page and the user list, show it
instead: tests/drivers/test_reads_cost_once.py. These read a driver evadmin has no copy of.)
"""

NO_COPY = "/users/user" + "0" * 26 + "/"  # a driver neither the directory nor the read cache knows


def test_unreachable_api_gives_a_banner_with_retry(pages, sandbox_api, api_settings):
    api_settings.EVADMIN_API_MAX_RETRIES = 0
    sandbox_api.faults(error_rate=1.0)
    response = pages("viewer").get(NO_COPY)
    assert response.status_code == 503
    html = response.content.decode()
    assert "not answering properly" in html and "Try again" in html


def test_htmx_request_gets_the_banner_in_flash(pages, sandbox_api, api_settings):
    api_settings.EVADMIN_API_MAX_RETRIES = 0
    sandbox_api.faults(error_rate=1.0)
    # The form's tariff search: no copy of its own to show (the history pager reads no API at all).
    response = pages("support").get("/users/form/tariffs/?tariff_search=green", HTTP_HX_REQUEST="true")
    assert response["HX-Retarget"] == "#flash"
    assert "<html" not in response.content.decode()


def test_rate_limited_says_how_long_to_wait(pages, sandbox_api):
    sandbox_api.faults(force_429=1, retry_after=600)
    response = pages("viewer").get(NO_COPY)
    assert response.status_code == 429
    assert "Try again in 10 min" in response.content.decode()


def test_unknown_user_says_it_does_not_exist(pages):
    response = pages("viewer").get("/users/user" + "0" * 26 + "/")
    assert response.status_code == 404
    assert "This user does not exist." in response.content.decode()


def test_missing_scope_is_named(pages, sandbox_api, api_settings):
    sandbox_api.create_client("no-users-desk", "no-users-secret", ["tariff:read"])
    api_settings.EVADMIN_API_CLIENT_ID = "no-users-desk"
    api_settings.EVADMIN_API_CLIENT_SECRET = "no-users-secret"
    response = pages("viewer").get("/users/?source=api")
    assert response.status_code == 502
    assert "user:read" in response.content.decode()
