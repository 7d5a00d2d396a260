"""Answers the sandbox never gives, from a tiny real HTTP server: HTML error bodies and Link
headers that point at another host. The token must never leave for that host."""

import http.server
import json
import threading

import pytest

from evadmin.evenergy import errors
from evadmin.evenergy.auth import StaticToken
from evadmin.evenergy.client import EvEnergyClient
from evadmin.evenergy.ratelimit import RateBudget

USER = {"id": "user01HN2NJ9NMRZBXT1H6FT9N7735", "url": "https://api.ev.energy/v2/users/user01HN2NJ9NMRZBXT1H6FT9N7735",
        "email": "frodo@example.com"}


class Peer:
    """A loopback HTTP server answering every request with a scripted response, logging what came."""

    def __init__(self, status=200, body=b"", headers=None):
        self.status, self.body, self.headers = status, body, headers or {}
        self.received = []
        peer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                peer.received.append({"path": self.path, "authorization": self.headers.get("Authorization")})
                self.send_response(peer.status)
                for name, value in peer.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(peer.body)))
                self.end_headers()
                self.wfile.write(peer.body)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self):
        self.server.shutdown()


@pytest.fixture
def peers():
    made = []

    def make(**kwargs):
        made.append(Peer(**kwargs))
        return made[-1]

    yield make
    for peer in made:
        peer.close()


def client_for(peer, db=None):
    return EvEnergyClient(base_url=peer.url + "/v2", token_provider=StaticToken("secret-token-value"),
                          budget=RateBudget(limit=1000), max_retries=0)


def test_html_error_body_becomes_a_plain_server_error(peers, db):
    peer = peers(status=502, body=b"<html><body>Bad gateway from the proxy</body></html>",
                 headers={"Content-Type": "text/html"})
    with pytest.raises(errors.ServerError) as caught:
        client_for(peer).users.list()
    assert caught.value.status == 502
    assert caught.value.title == "HTTP 502 Bad Gateway"
    assert "<html>" not in str(caught.value)


def test_json_error_body_without_problem_type_still_maps(peers, db):
    peer = peers(status=404, body=b"not json at all {", headers={"Content-Type": "application/problem+json"})
    with pytest.raises(errors.NotFound):
        client_for(peer).users.get(USER["id"])


LINK_TARGETS = {
    "another port on the same host": "{elsewhere}",
    "a protocol-relative link": "//{elsewhere_netloc}",
    "a scheme change on the API's own host and port": "https://{api_netloc}",
    "another host name": "http://evil.invalid",
}


@pytest.mark.parametrize("target", LINK_TARGETS.values(), ids=LINK_TARGETS.keys())
def test_link_to_another_host_gives_only_its_cursor(peers, db, target):
    elsewhere = peers(body=b"[]", headers={"Content-Type": "application/json"})
    api = peers(body=json.dumps([USER]).encode(), headers={"Content-Type": "application/json"})
    origin = target.format(elsewhere=elsewhere.url, elsewhere_netloc=elsewhere.url.removeprefix("http://"),
                           api_netloc=api.url.removeprefix("http://"))
    api.headers["Link"] = f'<about:blank>; rel="previous", <{origin}/v2/users?page_size=1&page_after={USER["id"]}>; rel="next"'
    client = client_for(api)

    pages = client.users.pages(page_size=1)
    first = next(pages)
    assert first.next_cursor == USER["id"]
    assert first.previous_cursor is None
    api.body = b"[]"
    next(pages)  # the next page is asked of the configured base URL (plain http, its port), not of the Link's
    assert elsewhere.received == []
    assert len(api.received) == 2
    assert api.received[1]["path"].startswith(f"/v2/users?page_size=1&page_after={USER['id']}")
    assert api.received[1]["authorization"] == "Bearer secret-token-value"


def test_a_redirect_to_another_host_is_not_followed(peers, db):
    elsewhere = peers(body=b"[]", headers={"Content-Type": "application/json"})
    api = peers(status=302, headers={"Location": f"{elsewhere.url}/v2/users"})
    with pytest.raises(errors.UnexpectedResponse):
        client_for(api).users.list()
    assert elsewhere.received == []
