import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from django_htmx.middleware import HtmxDetails

from evadmin.core.htmx import render_page, vary_on_htmx, wants_partial


def _request(headers):
    request = RequestFactory().get("/", headers=headers)
    request.htmx = HtmxDetails(request)
    return request


@pytest.mark.parametrize(
    "headers, expected",
    [
        ({}, False),
        ({"HX-Request": "true"}, True),
        ({"HX-Request": "true", "HX-Boosted": "true"}, False),
        ({"HX-Request": "true", "HX-History-Restore-Request": "true"}, False),
    ],
)
def test_wants_partial(headers, expected):
    assert wants_partial(_request(headers)) is expected


def test_without_the_middleware_it_is_a_full_page():
    assert wants_partial(RequestFactory().get("/")) is False


def test_vary_on_htmx():
    assert vary_on_htmx(HttpResponse())["Vary"] == "HX-Request"


def _page_request(headers=None, path="/"):
    from django.contrib.auth.models import AnonymousUser

    request = RequestFactory().get(path, headers=headers or {})
    request.htmx = HtmxDetails(request)
    request.user = AnonymousUser()
    return request


@pytest.mark.django_db
@pytest.mark.parametrize(
    "headers, partial, whole_page",
    [
        ({}, "devices", True),
        ({"HX-Request": "true"}, "devices", False),
        ({"HX-Request": "true", "HX-History-Restore-Request": "true"}, "devices", True),
        ({"HX-Request": "true"}, None, True),
    ],
)
def test_render_page_picks_the_page_or_its_partial(headers, partial, whole_page):
    context = {"account_id": "<b>", "vehicle_panels": [], "evse_panels": []}
    response = render_page(_page_request(headers), "devices/list.html", context, partial=partial, status=202)
    html = response.content.decode()
    assert response.status_code == 202 and response["Vary"] == "HX-Request"
    assert ("<html" in html) is whole_page
    assert '<div id="devices"' in html
