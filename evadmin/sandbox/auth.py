"""OAuth 2.0 client credentials for the sandbox: clients, token issue, lookup and revocation.

Tokens are opaque random strings stored in the sandbox database with their scopes and expiry
(lifetime from settings.EVADMIN_SANDBOX_TOKEN_LIFETIME, or the /_sandbox/faults override).
"""

import base64
import binascii
import secrets
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import unquote

from django.conf import settings
from django.utils import timezone

from evadmin.sandbox import faults
from evadmin.sandbox.models import AccessToken, OAuthClient

# What evadmin asks for (settings.EVADMIN_API_SCOPES), plus site:read, which the spec requires for
# /evse_sites although its scope list does not name it, and what the support desk needs beyond
# reading: the device writes (evse:write, vehicle:write), boost and recalculation
# (charging_session:write), the debug views (debug:read), tariff prices and the ticket desk
# (support:read, support:write).
DEV_CLIENT_SCOPES = (
    "user:read", "user:write", "tariff:read", "evse:read", "evse:write", "vehicle:read", "vehicle:write",
    "charging_session:read", "charging_session:write", "site:read", "debug:read", "tariff:prices:read",
    "support:read", "support:write",
    # Issue 17: a driver's subscription and payout method.
    "subscription:read", "payout_method:read",
    # Programs (issue 17): joining (utility_account:write) and accepting an agreement (programs:write).
    "utility_account:write", "programs:write",
    # Energy devices (issue 17): solar arrays, inverters, home batteries, HEM systems.
    "solar:read", "inverter:read", "home_battery:read", "home_energy:read",
    # Notifications (issue 17): a driver's notification preferences, read and changed.
    "notification_preferences:read", "notification_preferences:write",
    # Carbon feeds and grid feeds (issue 17).
    "carbon:read", "grid:read",
)


def ensure_dev_client() -> OAuthClient:
    """The client evadmin uses by default (settings.EVADMIN_API_CLIENT_ID/SECRET), with every scope it needs."""
    client, _ = OAuthClient.objects.update_or_create(
        client_id=settings.EVADMIN_API_CLIENT_ID,
        defaults={"client_secret": settings.EVADMIN_API_CLIENT_SECRET, "scopes": " ".join(DEV_CLIENT_SCOPES)},
    )
    return client


def client_upsert(*, client_id: str, client_secret: str, scopes: list[str],
                  rate_limit_per_hour: int | None = None) -> OAuthClient:
    client, _ = OAuthClient.objects.update_or_create(
        client_id=client_id,
        defaults={"client_secret": client_secret, "scopes": " ".join(scopes),
                  "rate_limit_per_hour": rate_limit_per_hour},
    )
    return client


def client_credentials(request) -> tuple[str, str] | None:
    """client_id and secret from HTTP Basic (RFC 6749 2.3.1), else from the form body."""
    header = request.headers.get("Authorization", "")
    if header[:6].lower() == "basic ":
        try:
            decoded = base64.b64decode(header[6:].strip(), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            return None
        client_id, sep, secret = decoded.partition(":")
        # Basic credentials are form-urlencoded before base64 (RFC 6749 2.3.1).
        return (unquote(client_id), unquote(secret)) if sep else None
    client_id, secret = request.POST.get("client_id"), request.POST.get("client_secret")
    if client_id and secret is not None:
        return client_id, secret
    return None


def authenticate_client(request) -> OAuthClient | None:
    credentials = client_credentials(request)
    if credentials is None:
        return None
    client = OAuthClient.objects.filter(client_id=credentials[0]).first()
    if client is None or not secrets.compare_digest(client.client_secret, credentials[1]):
        return None
    return client


def token_issue(*, client: OAuthClient, scopes: set[str]) -> AccessToken:
    lifetime = faults.token_lifetime()
    return AccessToken.objects.create(
        token=secrets.token_urlsafe(32), client=client, scopes=" ".join(sorted(scopes)),
        expires_at=timezone.now() + timedelta(seconds=lifetime),
    )


def token_revoke(*, token: str, client: OAuthClient) -> None:
    AccessToken.objects.filter(token=token, client=client, revoked_at=None).update(revoked_at=timezone.now())


def tokens_revoke_all() -> int:
    return AccessToken.objects.filter(revoked_at=None).update(revoked_at=timezone.now())


@dataclass(frozen=True)
class BearerResult:
    token: AccessToken | None
    error: str | None  # why there is no usable token: "missing", "invalid", "expired", "revoked"


def bearer_token(request) -> BearerResult:
    header = request.headers.get("Authorization", "")
    if not header:
        return BearerResult(None, "missing")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return BearerResult(None, "invalid")
    token = AccessToken.objects.select_related("client").filter(token=value.strip()).first()
    if token is None:
        return BearerResult(None, "invalid")
    if token.revoked_at is not None:
        return BearerResult(None, "revoked")
    if token.expires_at <= timezone.now():
        return BearerResult(None, "expired")
    return BearerResult(token, None)
