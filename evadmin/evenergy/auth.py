"""Access tokens for the API: OAuth2 client credentials (requests-oauthlib) or a static token.

The token lives in Django's cache so the web server and every Celery worker share one token
instead of each fetching its own. It is replaced ahead of expiry, and once when the API says 401.
"""

from __future__ import annotations

import logging
import os
import time
from collections import deque
from urllib.parse import urlsplit

from django.core.cache import cache
from oauthlib.oauth2 import BackendApplicationClient, OAuth2Error
from requests.auth import HTTPBasicAuth
from requests.exceptions import RequestException
from requests_oauthlib import OAuth2Session

from evadmin.evenergy import errors

logger = logging.getLogger(__name__)

# Replace a token this long before it expires, so a request never leaves with a dying token.
REFRESH_MARGIN_SECONDS = 300
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}
# The API may grant fewer scopes than asked; a 403 on use says which one is missing.
os.environ.setdefault("OAUTHLIB_RELAX_TOKEN_SCOPE", "1")


def _allow_plain_http_on_loopback(url: str) -> None:
    """oauthlib refuses http:// token URLs; the bundled sandbox on loopback is the one exception."""
    parsed = urlsplit(url)
    if parsed.scheme == "http" and parsed.hostname in LOOPBACK_HOSTS:
        os.environ["OAUTHLIB_INSECURE_TRANSPORT"] = "1"


# The access tokens this process has used, newest last, so log redaction can scrub them even
# where no "Bearer" prefix marks them (an exception's repr, a dict of headers). A few suffice:
# a token lives for hours and is replaced one at a time.
_tokens_in_use: deque[str] = deque(maxlen=4)


def _note_token(token: str) -> str:
    if token and token not in _tokens_in_use:
        _tokens_in_use.append(token)
    return token


def tokens_in_use() -> list[str]:
    return list(_tokens_in_use)


class StaticToken:
    """EVADMIN_API_TOKEN: a bearer token issued elsewhere; evadmin cannot renew it."""

    def __init__(self, token: str) -> None:
        self._token = token

    def get(self) -> str:
        return _note_token(self._token)

    def __repr__(self) -> str:
        return "StaticToken()"

    def invalidate(self, token: str) -> None:
        """Nothing to renew: a rejected static token is a configuration problem."""


class ClientCredentialsToken:
    def __init__(self, *, token_url: str, client_id: str, client_secret: str, scopes: list[str], timeout: float) -> None:
        self.token_url = token_url
        self.client_id = client_id
        self._client_secret = client_secret
        self.scopes = scopes
        self.timeout = timeout
        self.cache_key = f"evenergy:token:{client_id}"

    def __repr__(self) -> str:  # never show the secret, even in a debugger or a traceback
        return f"ClientCredentialsToken(client_id={self.client_id!r}, token_url={self.token_url!r})"

    def get(self) -> str:
        cached = cache.get(self.cache_key)
        if cached and cached["expires_at"] - REFRESH_MARGIN_SECONDS > time.time():
            return _note_token(cached["access_token"])
        return self._fetch()

    def granted_scopes(self) -> set[str] | None:
        """The scopes the API granted with the current token (fetching one if there is none); the
        ones asked for when the token endpoint did not say; None when neither is known."""
        self.get()
        granted = (cache.get(self.cache_key) or {}).get("scopes")
        if granted is None:
            return set(self.scopes) or None
        return set(granted)

    def invalidate(self, token: str) -> None:
        """Forget `token` if it is still the shared one (another process may have renewed it)."""
        cached = cache.get(self.cache_key)
        if cached and cached["access_token"] == token:
            cache.delete(self.cache_key)

    def _fetch(self) -> str:
        _allow_plain_http_on_loopback(self.token_url)
        session = OAuth2Session(client=BackendApplicationClient(client_id=self.client_id), scope=self.scopes)
        started = time.monotonic()
        try:
            token = session.fetch_token(
                token_url=self.token_url,
                auth=HTTPBasicAuth(self.client_id, self._client_secret),
                timeout=self.timeout,
                include_client_id=False,
            )
        except OAuth2Error as exc:
            logger.warning("token request refused: %s", exc.error)
            raise errors.Unauthorized(
                f"The token endpoint refused the client credentials ({exc.error}).", status=401, method="POST", path=self.token_url
            ) from None
        except RequestException as exc:
            raise errors.TransportError(
                f"The token endpoint could not be reached: {type(exc).__name__}", method="POST", path=self.token_url
            ) from None
        finally:
            logger.info("POST %s token (%.0f ms)", self.token_url, (time.monotonic() - started) * 1000)
        expires_in = float(token.get("expires_in") or 3600)
        granted = token.get("scope")
        cache.set(
            self.cache_key,
            {"access_token": token["access_token"], "expires_at": time.time() + expires_in,
             # What the API granted (it may be fewer than asked for; None when the answer leaves it
             # out, as RFC 6749 allows when it is what was asked): apicheck reports it.
             "scopes": None if granted is None else sorted(granted.split() if isinstance(granted, str) else granted)},
            timeout=max(1, int(expires_in - REFRESH_MARGIN_SECONDS)),
        )
        return _note_token(token["access_token"])
