import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from django_htmx.middleware import HtmxDetails

from evadmin.core.htmx import vary_on_htmx, wants_partial


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
