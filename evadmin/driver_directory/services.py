"""Writes to the directory: storing accounts as the API lists them (syncs start in sync.py)."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import DatabaseError
from django.utils import timezone

from evadmin.driver_directory.models import DirectoryAccount
from evadmin.driver_directory.search import search_text_for
from evadmin.evenergy.resources import User, id_from_url

logger = logging.getLogger(__name__)

# Every column but the key is rewritten when an account is stored again (gone_at too: an
# account listed again is back).
UPSERT_FIELDS = [
    field.name for field in DirectoryAccount._meta.concrete_fields if field.name not in ("id", "user_id")
]
# Rows per INSERT: SQLite allows 32,766 variables per statement and a row has ~28 columns.
UPSERT_BATCH_SIZE = 500


def account_from_user(user: User, *, synced_at: datetime) -> DirectoryAccount:
    """The directory row for an API user (unsaved). Expects tariff, supplier and site expanded."""
    location = user.default_location
    has_location = bool(location and location.has_address)
    address = {
        name: (getattr(location, name, None) or "") if location else ""
        for name in ("address_1", "address_2", "city", "state", "postal_code", "country_code")
    }
    tariff = location.tariff if location else None
    supplier = tariff.supplier if tariff else None
    coordinates = location.coordinates if location else None
    return DirectoryAccount(
        user_id=user.id,
        email=user.email,
        email_normalised=user.email.strip().casefold(),
        full_name=user.full_name,
        joined_at=user.joined_at,
        terms_consent_at=user.terms_consent_datetime,
        has_location=has_location,
        **address,
        latitude=coordinates.latitude if coordinates else None,
        longitude=coordinates.longitude if coordinates else None,
        tariff_id=(location.tariff_id or "") if location else "",
        tariff_name=tariff.name if tariff else "",
        tariff_currency=tariff.currency if tariff else "",
        supplier_id=(supplier.id if supplier else id_from_url(tariff.supplier_url) if tariff else None) or "",
        supplier_name=supplier.name if supplier else "",
        evse_site_id=(location.evse_site_id or "") if location else "",
        vehicle_count=len(user.vehicle_urls),
        evse_count=len(user.evse_urls),
        search_text=search_text_for(user_id=user.id, email=user.email, full_name=user.full_name, **{
            name: address[name] for name in ("address_1", "address_2", "city", "state", "postal_code")
        }),
        synced_at=synced_at,
        gone_at=None,
    )


# The API caps no text field's length. A value longer than its column (on PostgreSQL an error
# that would stop the whole sync) is cut to fit; search_text keeps it whole, so it is still found,
# and the user's page reads the full value live from the API.
CLIPPED_TEXT_FIELDS = [
    field for field in DirectoryAccount._meta.concrete_fields
    if field.get_internal_type() == "CharField" and not field.name.endswith("_id")
]


def _clip_to_columns(account: DirectoryAccount) -> DirectoryAccount:
    for field in CLIPPED_TEXT_FIELDS:
        value = getattr(account, field.attname)
        if value and len(value) > field.max_length:
            setattr(account, field.attname, value[: field.max_length - 1] + "…")
    return account


def directory_store_users(users: Iterable[User], *, synced_at: datetime | None = None) -> int:
    """Insert or update these accounts in bulk (one statement per batch); returns how many."""
    synced_at = synced_at or timezone.now()
    accounts = [_clip_to_columns(account_from_user(user, synced_at=synced_at)) for user in users]
    DirectoryAccount.objects.bulk_create(
        accounts, batch_size=UPSERT_BATCH_SIZE,
        update_conflicts=True, unique_fields=["user_id"], update_fields=UPSERT_FIELDS,
    )
    return len(accounts)


def directory_upsert_user(user: User) -> None:
    """Store one account as evadmin's own write left it, so searches see the change at once.

    `user` is what the API answered to the write (tariff, supplier and site expanded): no extra
    request. A database failure here must not turn a successful API write into an error page;
    the next sync repairs the row.
    """
    try:
        directory_store_users([user])
    except DatabaseError:
        logger.exception("could not update the directory for %s; the next sync will", user.id)


@dataclass(frozen=True)
class GoneMarking:
    marked: int  # accounts marked gone
    held_back: int = 0  # accounts not marked, because that many looked implausible
    digest: str = ""  # which accounts were held back (a later sync holding back the same agrees)
    note: str = ""  # why, for the sync state page and the admins' mail


def directory_mark_gone(*, listed_since: datetime, now: datetime | None = None, agreed_digest: str = "") -> GoneMarking:
    """Mark gone every account a complete full sync that started at `listed_since` did not list.

    Accounts it listed (or evadmin wrote since) have synced_at >= listed_since. More than
    EVADMIN_DIRECTORY_MAX_GONE_SHARE of the directory at once is held back instead (an API that
    answered an empty or short list would otherwise hide everyone from search), unless the same
    accounts were held back by the previous full sync (`agreed_digest`): two syncs agree.
    """
    present = DirectoryAccount.objects.filter(gone_at__isnull=True)
    unlisted = present.filter(synced_at__lt=listed_since)
    count = unlisted.count()
    total = present.count()
    if count and count > total * settings.EVADMIN_DIRECTORY_MAX_GONE_SHARE:
        digest = hashlib.sha256("\n".join(unlisted.order_by("user_id").values_list("user_id", flat=True)).encode())
        digest = digest.hexdigest()
        if digest != agreed_digest:
            note = (f"Held back: this full sync did not list {count} of the directory's {total} accounts, more than "
                    f"{settings.EVADMIN_DIRECTORY_MAX_GONE_SHARE:.0%}, so none were marked gone. If the next full "
                    "sync misses the same accounts, they will be marked gone then; if the API's list was wrong, "
                    "it will list them again.")
            return GoneMarking(marked=0, held_back=count, digest=digest, note=note)
    return GoneMarking(marked=unlisted.update(gone_at=now or timezone.now()))
