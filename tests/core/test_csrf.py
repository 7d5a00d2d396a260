"""CSRF is enforced on every write: each URL of the project, sent POST, PUT, PATCH or DELETE as htmx
does (HX-Request) by a signed-in admin with the CSRF cookie but without the token, is refused."""

import logging
import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import resolve

from evadmin.bulk.models import BulkJob
from tests.staff.fixtures import make_staff
from tests.urls import project_routes

WRITE_METHODS = ("post", "put", "patch", "delete")
ROUTE_ARGUMENT = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")
REGEX_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>(?P<body>[^()]*)\)")
SAMPLE_BY_CONVERTER = {"int": "1", "str": "sample", "path": "1", "slug": "sample",
                       "uuid": "7c9e6679-7425-40de-944b-e07fc1f90ae7", None: "sample"}
CSRF_REFUSED = "CSRF verification failed"


def _regex_sample(match: re.Match) -> str:
    body = match.group("body")
    if re.fullmatch(r"[\w|]+", body):  # an alternation of words: take the first
        return body.split("|")[0]
    return "1"


def _concrete(route: str) -> str:
    """A path matching `route` (Route and Regex parts mixed, as include() joins them)."""
    path = REGEX_GROUP.sub(_regex_sample, route)  # first: "(?P<name>" would look like a route argument
    path = ROUTE_ARGUMENT.sub(lambda m: SAMPLE_BY_CONVERTER.get(m.group("converter"), "sample"), path)
    return "/" + path.replace("^", "").replace("$", "")


def every_url() -> list[str]:
    """One concrete path per URL pattern of the project, Django admin's included."""
    paths = []
    for route, callback in ((r.route, r.callback) for r in project_routes()):
        path = _concrete(route)
        assert resolve(path).func is callback, f"{path} (from {route}) does not reach its own view"
        paths.append(path)
    return paths


URLS = every_url()


@pytest.fixture
def admin_browser(db) -> Client:
    """A signed-in admin's browser as CSRF sees it: it holds the CSRF cookie (from any page)."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_staff("admin"))
    assert client.get("/").status_code == 200
    assert settings.CSRF_COOKIE_NAME in client.cookies
    return client


def _page_token(client: Client, path: str = "/") -> str:
    """The token as htmx sends it: from <body hx-headers> (the cookie is HttpOnly)."""
    html = client.get(path).content.decode()
    return re.search(r"<body hx-headers='\{\"X-CSRFToken\": \"([A-Za-z0-9]+)\"\}'", html).group(1)


def test_the_walk_covers_the_projects_writes():
    # So a broken walk cannot pass by visiting nothing.
    for path in ("/users/sample/edit/", "/users/sample/clear-address/", "/bulk/", "/bulk/jobs/1/start/",
                 "/bulk/jobs/1/pause/", "/audit/reports/run/", "/directory/sync/", "/accounts/logout/",
                 "/admin/auth/user/1/change/"):
        assert path in URLS
    assert len(URLS) > 60


def test_every_write_without_the_token_is_refused(admin_browser, caplog):
    let_through = []
    for path in URLS:
        for method in WRITE_METHODS:
            caplog.clear()
            with caplog.at_level(logging.WARNING, logger="django.security.csrf"):
                response = getattr(admin_browser, method)(path, HTTP_HX_REQUEST="true")
            if response.status_code == 405 and method != "post":
                continue  # the view refuses the method itself, before any write
            refused_by_csrf = (response.status_code == 403 and CSRF_REFUSED in response.content.decode()
                               and "CSRF token missing" in caplog.text)
            if not refused_by_csrf:
                let_through.append(f"{method.upper()} {path} -> {response.status_code}")
    assert not let_through, "writes not refused for a missing CSRF token:\n" + "\n".join(let_through)


@pytest.mark.django_db
def test_a_wrong_token_is_refused_and_the_right_one_lets_the_write_through(admin_browser, caplog):
    upload = {"file": ("drivers.csv", b"no header here\n")}

    def post_upload(token: str):
        from django.core.files.uploadedfile import SimpleUploadedFile

        return admin_browser.post("/bulk/", {"file": SimpleUploadedFile(*upload["file"], content_type="text/csv")},
                                  HTTP_HX_REQUEST="true", HTTP_X_CSRFTOKEN=token)

    token = _page_token(admin_browser)
    wrong = post_upload("x" * len(token))
    assert wrong.status_code == 403 and CSRF_REFUSED in wrong.content.decode()

    right = post_upload(token)
    assert right.status_code == 422  # through CSRF to the view, which rejects the file
    assert "Nothing was stored" in right.content.decode()
    assert not BulkJob.objects.exists()

    signed_out = admin_browser.post("/accounts/logout/", HTTP_HX_REQUEST="true", HTTP_X_CSRFTOKEN=token)
    assert signed_out.status_code == 302
    assert admin_browser.get("/").status_code == 302  # really signed out
