"""The HTTP client for the ev.energy v2 API: the one choke point for every request evadmin sends.

It adds the bearer token and `EvEnergy-Version: 2`, applies timeouts, records the rate-limit
headers, retries what is safe to retry, and turns every failure into an `errors.ApiError`.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Iterable, Iterator
from email.utils import parsedate_to_datetime
from typing import Any

import requests
from django.conf import settings
from django.utils import timezone
from requests.adapters import HTTPAdapter

from evadmin.evenergy import errors
from evadmin.evenergy.attribution import REQUEST_ID_HEADER, current_request_id, current_source
from evadmin.evenergy.auth import ClientCredentialsToken, StaticToken
from evadmin.evenergy.collections import Collection, CollectionApi, declared_scope, expand_params, page_size_param
from evadmin.evenergy.ledger import ledger_record
from evadmin.evenergy.pagination import (
    MAX_PAGE_SIZE,
    CursorPage,
    NumberPage,
    check_cursor,
    collect_items,
    iter_cursor_pages,
    iter_number_pages,
    list_request,
)
from evadmin.evenergy.ratelimit import RateBudget, rate_budget
from evadmin.evenergy.resources import EvseSite, Supplier, Tariff, User, check_id

logger = logging.getLogger(__name__)

API_VERSION = "2"
# Only idempotent reads are retried: a POST that timed out may have created the user.
RETRYABLE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
RETRYABLE_STATUSES = frozenset({429, 502, 503, 504})
BACKOFF_BASE_SECONDS = 0.25
# 502 and 504 come from a gateway that may have passed the write on before giving up.
MAYBE_PASSED_ON_STATUSES = frozenset({502, 504})


def retry_after_seconds(response: requests.Response, default: float = 60.0) -> float:
    """Seconds from `Retry-After` (the spec also names it `RetryAfter`): a number or an HTTP date."""
    value = response.headers.get("Retry-After") or response.headers.get("RetryAfter")
    if not value:
        return default
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return default


def _problem_of(response: requests.Response) -> dict[str, Any]:
    content_type = response.headers.get("Content-Type", "")
    if "json" in content_type:
        try:
            body = response.json()
        except ValueError:
            body = None
        if isinstance(body, dict):
            return body
    # Not problem+json (a proxy's HTML page, say): keep a short, plain description only.
    return {"title": f"HTTP {response.status_code} {response.reason or ''}".strip(), "status": response.status_code}


# Reference lists are short; a walk longer than this is a loop (100 tariffs a page).
MAX_REFERENCE_PAGES = 50


class EvEnergyClient:
    def __init__(
        self,
        *,
        base_url: str,
        token_provider: ClientCredentialsToken | StaticToken,
        budget: RateBudget,
        timeout: float = 10.0,
        max_retries: int = 3,
        max_retry_wait: float = 5.0,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token_provider
        self.budget = budget
        self.timeout = timeout
        self.max_retries = max_retries
        self.max_retry_wait = max_retry_wait
        self.session = requests.Session()
        self.session.mount("http://", HTTPAdapter(pool_maxsize=16, max_retries=0))
        self.session.mount("https://", HTTPAdapter(pool_maxsize=16, max_retries=0))
        self.session.trust_env = False  # no proxy or .netrc credentials picked up from the environment
        self.users = UsersApi(self)
        self.tariffs = TariffsApi(self)
        self.suppliers = SuppliersApi(self)
        self.evse_sites = EvseSitesApi(self)
        self._collections: dict = {}

    def __repr__(self) -> str:
        return f"EvEnergyClient(base_url={self.base_url!r})"

    def root(self) -> requests.Response:
        return self.request("GET", "/")

    def collection(self, declaration: Collection | Any) -> CollectionApi:
        """The reads and writes of a declared collection (collections.py)."""
        api = self._collections.get(declaration)
        if api is None:
            api = self._collections[declaration] = CollectionApi(self, declaration)
        return api

    def write(self, method: str, path: str, *, check: str, json: Any = None, params: dict[str, Any] | None = None,
              headers: dict[str, str] | None = None, expected: Iterable[int] = (200,)) -> requests.Response:
        """Send a write once. When it may have reached the API but no answer came back (or only a
        gateway's 502/504), raise OutcomeUnknown: it may have happened, and `check` says what to
        look at before trying again."""
        assert method.upper() not in RETRYABLE_METHODS, "writes only"
        try:
            return self.request(method, path, json=json, params=params, headers=headers, expected=expected)
        except (errors.TransportError, errors.ServerError) as exc:
            lost = exc.request_sent if isinstance(exc, errors.TransportError) else exc.status in MAYBE_PASSED_ON_STATUSES
            if not lost:
                raise
            raise errors.OutcomeUnknown(
                f"{method.upper()} {path}: {exc}", check=check, method=method.upper(), path=path,
            ) from exc

    def request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        headers: dict[str, str] | None = None,
        expected: Iterable[int] = (200,),
    ) -> requests.Response:
        """Send one API call (with bounded retries for reads); return the response or raise ApiError."""
        method = method.upper()
        url = self.base_url + path
        expected = set(expected)
        attempt = 0
        renewed_token = False
        while True:
            token = self.token.get()
            send_headers = {
                "Authorization": f"Bearer {token}",
                "EvEnergy-Version": API_VERSION,
                "Accept": "application/json",
                **({REQUEST_ID_HEADER: request_id} if (request_id := current_request_id()) else {}),
                **(headers or {}),
            }
            response, failure = self._send(method, path, url, params=params, json=json, headers=send_headers)
            if response is not None:
                if response.status_code in expected:
                    return response
                if response.status_code == 401 and not renewed_token and isinstance(self.token, ClientCredentialsToken):
                    # The token expired or was revoked early: fetch a new one, once.
                    self.token.invalidate(token)
                    renewed_token = True
                    continue
                failure = self._error_from(method, path, response)
            assert failure is not None
            wait = self._retry_wait(method, failure, attempt)
            if wait is None:
                raise failure
            logger.info("retrying %s %s in %.2f s after %s", method, path, wait, type(failure).__name__)
            time.sleep(wait)
            attempt += 1

    def _send(self, method, path, url, **kwargs) -> tuple[requests.Response | None, errors.ApiError | None]:
        """One attempt: counted against the budget (refused, unsent, when it has no room), sent, and
        written to the ledger with its answer."""
        self.budget.spend(staff=current_source().is_staff)
        sent_at, started = timezone.now(), time.monotonic()
        response, failure = self._exchange(method, path, url, **kwargs)
        elapsed_ms = (time.monotonic() - started) * 1000
        ledger_record(method=method, path=path, sent_at=sent_at, duration_ms=elapsed_ms,
                      status=response.status_code if response is not None else None)
        if response is not None:
            logger.info("%s %s %s %.0f ms", method, path, response.status_code, elapsed_ms)
            self.budget.observe(
                limit=response.headers.get("X-RateLimit-Limit"), remaining=response.headers.get("X-RateLimit-Remaining")
            )
        return response, failure

    def _exchange(self, method, path, url, **kwargs) -> tuple[requests.Response | None, errors.ApiError | None]:
        try:
            response = self.session.request(
                method, url, timeout=(min(3.05, self.timeout), self.timeout), allow_redirects=False, **kwargs
            )
        except requests.ConnectTimeout:
            return None, errors.ApiTimeout("Connecting to the API timed out.", method=method, path=path)
        except requests.ReadTimeout:
            failure = errors.ApiTimeout(
                f"The API did not answer within {self.timeout:g} s.", method=method, path=path, request_sent=True
            )
            return None, failure
        except requests.ConnectionError as exc:
            sent = "NewConnectionError" not in repr(exc)
            return None, errors.TransportError(
                f"The API could not be reached ({type(exc).__name__}).", method=method, path=path, request_sent=sent
            )
        except (requests.exceptions.ChunkedEncodingError, requests.exceptions.ContentDecodingError) as exc:
            # The API answered and the answer broke on the way: whatever was asked has reached it.
            return None, errors.TransportError(f"The API's answer was cut off ({type(exc).__name__}).", method=method,
                                               path=path, request_sent=True)
        except requests.RequestException as exc:
            return None, errors.TransportError(f"Request failed ({type(exc).__name__}).", method=method, path=path)
        return response, None

    def _error_from(self, method: str, path: str, response: requests.Response) -> errors.ApiError:
        status = response.status_code
        kwargs: dict[str, Any] = {
            "status": status,
            "problem": _problem_of(response),
            "method": method,
            "path": path,
            "request_id": response.headers.get("X-Request-ID", ""),
        }
        cls = errors.error_for_status(status)
        if cls is errors.RateLimited:
            retry_after = retry_after_seconds(response)
            self.budget.block_for(retry_after)
            return errors.RateLimited(retry_after=retry_after, **kwargs)
        if cls is errors.Forbidden:
            return errors.Forbidden(required_scope=declared_scope(method, path), **kwargs)
        return cls(**kwargs)

    def _retry_wait(self, method: str, failure: errors.ApiError, attempt: int) -> float | None:
        """Seconds to wait before retrying, or None when the failure must be raised."""
        if method not in RETRYABLE_METHODS or attempt >= self.max_retries:
            return None
        if isinstance(failure, errors.RateLimited):
            # Honour Retry-After, but never hold a page or a worker longer than the cap.
            return failure.retry_after if failure.retry_after <= self.max_retry_wait else None
        if isinstance(failure, errors.TransportError) or failure.status in RETRYABLE_STATUSES:
            ceiling = min(self.max_retry_wait, BACKOFF_BASE_SECONDS * 2**attempt)
            return random.uniform(ceiling / 2, ceiling)  # jitter spreads out retrying workers
        return None


class UsersApi:
    """/users: list (cursor pages), retrieve, create, update."""

    FULL_EXPAND = ("default_location.tariff", "default_location.tariff.supplier", "default_location.evse_site")

    def __init__(self, client: EvEnergyClient) -> None:
        self.client = client

    def list(
        self,
        *,
        page_size: int = 25,
        page_after: str | None = None,
        page_before: str | None = None,
        email: str | None = None,
        expand: Iterable[str] = (),
    ) -> CursorPage[User]:
        params: dict[str, Any] = {"page_size": page_size_param(page_size), **expand_params(expand)}
        if page_after:
            params["page_after"] = check_cursor(page_after)
        elif page_before:
            params["page_before"] = check_cursor(page_before)
        if email:
            params["email"] = email
        response = list_request(self.client, "/users", params=params, paged_by_cursor=bool(page_after or page_before))
        return CursorPage.from_response(response, User.from_api)

    def pages(
        self, *, page_size: int = MAX_PAGE_SIZE, expand: Iterable[str] = (), start_after: str | None = None
    ) -> Iterator[CursorPage[User]]:
        """Every page of users in creation order, lazily: one request per page."""
        expand = tuple(expand)
        return iter_cursor_pages(
            lambda cursor: self.list(page_size=page_size, page_after=cursor, expand=expand), start_after=start_after,
            collection="users",
        )

    def find_by_email(self, email: str, *, expand: Iterable[str] = ()) -> list[User]:
        """Every account with this email, ignoring case (the API does not enforce uniqueness)."""
        return self.list(email=email, page_size=MAX_PAGE_SIZE, expand=expand).items

    def get(self, user_id: str, *, expand: Iterable[str] = ()) -> User:
        path = f"/users/{check_id(user_id, 'user')}"
        return User.from_api(self.client.request("GET", path, params=expand_params(expand)).json())

    def create(self, *, email: str, default_location: dict | None = None) -> User:
        """POST /users. Never retried: on a timeout the outcome is unknown (look the email up)."""
        body: dict[str, Any] = {"email": email}
        if default_location is not None:
            body["default_location"] = default_location
        return User.from_api(self.client.request("POST", "/users", json=body, expected=(201,)).json())

    def update(self, user_id: str, *, changes: dict[str, Any], expand: Iterable[str] = ()) -> User:
        """PATCH only the given fields; `default_location` keys set to None clear them."""
        path = f"/users/{check_id(user_id, 'user')}"
        response = self.client.request("PATCH", path, params=expand_params(expand), json=changes)
        return User.from_api(response.json())


class TariffsApi:
    def __init__(self, client: EvEnergyClient) -> None:
        self.client = client

    def list(
        self, *, page: int = 1, page_size: int = 25, supplier: str | None = None, expand: Iterable[str] = ("supplier",)
    ) -> NumberPage[Tariff]:
        params: dict[str, Any] = {"page": max(1, int(page)), "page_size": page_size_param(page_size), **expand_params(expand)}
        if supplier:
            params["supplier_id"] = check_id(supplier, "supl")
        response = self.client.request("GET", "/tariffs", params=params)
        return NumberPage.from_response(response, Tariff.from_api, params["page"])

    def all(self, *, expand: Iterable[str] = ("supplier",)) -> list[Tariff]:
        expand = tuple(expand)
        return collect_items(iter_number_pages(
            lambda number: self.list(page=number, page_size=MAX_PAGE_SIZE, expand=expand),
            collection="tariffs", max_pages=MAX_REFERENCE_PAGES,
        ))

    def get(self, tariff_id: str, *, expand: Iterable[str] = ("supplier",)) -> Tariff:
        path = f"/tariffs/{check_id(tariff_id, 'tari')}"
        return Tariff.from_api(self.client.request("GET", path, params=expand_params(expand)).json())


class SuppliersApi:
    def __init__(self, client: EvEnergyClient) -> None:
        self.client = client

    def list(self, *, page: int = 1, page_size: int = 25) -> NumberPage[Supplier]:
        params = {"page": max(1, int(page)), "page_size": page_size_param(page_size)}
        return NumberPage.from_response(self.client.request("GET", "/suppliers", params=params), Supplier.from_api, params["page"])

    def all(self) -> list[Supplier]:
        return collect_items(iter_number_pages(
            lambda number: self.list(page=number, page_size=MAX_PAGE_SIZE),
            collection="suppliers", max_pages=MAX_REFERENCE_PAGES,
        ))

    def get(self, supplier_id: str) -> Supplier:
        return Supplier.from_api(self.client.request("GET", f"/suppliers/{check_id(supplier_id, 'supl')}").json())


class EvseSitesApi:
    def __init__(self, client: EvEnergyClient) -> None:
        self.client = client

    def all(self) -> list[EvseSite]:
        return [EvseSite.from_api(item) for item in self.client.request("GET", "/evse_sites").json()]

    def get(self, site_id: str) -> EvseSite:
        return EvseSite.from_api(self.client.request("GET", f"/evse_sites/{check_id(site_id, 'site')}").json())


_client: EvEnergyClient | None = None
_client_lock = threading.Lock()


def build_client() -> EvEnergyClient:
    if settings.EVADMIN_API_TOKEN:
        token_provider: ClientCredentialsToken | StaticToken = StaticToken(settings.EVADMIN_API_TOKEN)
    else:
        token_provider = ClientCredentialsToken(
            token_url=settings.EVADMIN_API_TOKEN_URL,
            client_id=settings.EVADMIN_API_CLIENT_ID,
            client_secret=settings.EVADMIN_API_CLIENT_SECRET,
            scopes=settings.EVADMIN_API_SCOPES,
            timeout=settings.EVADMIN_API_TIMEOUT,
        )
    return EvEnergyClient(
        base_url=settings.EVADMIN_API_BASE_URL,
        token_provider=token_provider,
        budget=rate_budget(),
        timeout=settings.EVADMIN_API_TIMEOUT,
        max_retries=settings.EVADMIN_API_MAX_RETRIES,
        max_retry_wait=settings.EVADMIN_API_MAX_RETRY_WAIT,
    )


def evenergy_client() -> EvEnergyClient:
    """The process's client: one pooled HTTP session shared by every view and task."""
    global _client
    with _client_lock:
        if _client is None:
            _client = build_client()
        return _client


def reset_evenergy_client() -> None:
    """Drop the process's client so the next call reads settings again (tests, settings changes)."""
    global _client
    with _client_lock:
        _client = None
