import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from evadmin.core.middleware import RequestIdMiddleware, client_ip, current_request_id


def _run(headers=None):
    seen = {}

    def view(request):
        seen["request_id"] = request.request_id
        seen["current"] = current_request_id()
        return HttpResponse("ok")

    response = RequestIdMiddleware(view)(RequestFactory().get("/", headers=headers or {}))
    return seen, response


def test_generates_an_id_and_echoes_it():
    seen, response = _run()
    assert len(seen["request_id"]) == 26  # a ULID
    assert response["X-Request-ID"] == seen["request_id"] == seen["current"]
    assert current_request_id() == ""  # reset once the request is done


def test_each_request_gets_its_own_id():
    assert _run()[0]["request_id"] != _run()[0]["request_id"]


@pytest.mark.parametrize("incoming", ["abc-123", "7c9e6679-7425-40de-944b-e07fc1f90ae7", "trace:span.1_x"])
def test_keeps_a_sane_incoming_id(incoming):
    seen, response = _run({"X-Request-ID": incoming})
    assert seen["request_id"] == incoming
    assert response["X-Request-ID"] == incoming


@pytest.mark.parametrize("incoming", ["", "x" * 129, "has space", "<script>", "a\tb", "-leading-dash", "é"])
def test_replaces_an_insane_incoming_id(incoming):
    seen, _ = _run({"X-Request-ID": incoming})
    assert seen["request_id"] != incoming
    assert len(seen["request_id"]) == 26


@pytest.mark.django_db
def test_error_pages_carry_the_id_too(client):
    response = client.get("/no-such-page/", headers={"X-Request-ID": "req-404"})
    assert response.status_code == 404
    assert response["X-Request-ID"] == "req-404"


def _ip_request(remote="203.0.113.9", forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_client_ip_is_remote_addr_by_default_ignoring_forwarded_for(settings):
    settings.EVADMIN_TRUSTED_PROXY_COUNT = 0
    assert client_ip(_ip_request(forwarded="1.2.3.4")) == "203.0.113.9"


def test_client_ip_behind_trusted_proxies(settings):
    settings.EVADMIN_TRUSTED_PROXY_COUNT = 1
    # The client forged "6.6.6.6"; our one proxy appended the address it really saw.
    assert client_ip(_ip_request(remote="10.0.0.2", forwarded="6.6.6.6, 198.51.100.4")) == "198.51.100.4"
    settings.EVADMIN_TRUSTED_PROXY_COUNT = 2
    assert client_ip(_ip_request(remote="10.0.0.2", forwarded="6.6.6.6, 198.51.100.4, 10.0.0.1")) == "198.51.100.4"
    # Fewer entries than proxies: the header is not what we expect, fall back.
    assert client_ip(_ip_request(remote="10.0.0.2", forwarded="")) == "10.0.0.2"


def test_client_ip_normalises_and_rejects_junk(settings):
    settings.EVADMIN_TRUSTED_PROXY_COUNT = 0
    assert client_ip(_ip_request(remote="::ffff:192.0.2.1")) == "192.0.2.1"
    assert client_ip(_ip_request(remote="2001:DB8:0:0::1")) == "2001:db8::1"
    assert client_ip(_ip_request(remote="not-an-ip")) is None
