"""Reads of the directory for pages: its freshness, the filters' choices, counts, sync state."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.core.cache import cache
from django.db.models import Count, Q, QuerySet
from django_countries import countries

from evadmin.driver_directory.models import DirectoryAccount, DirectorySync
from evadmin.evenergy import reference
from evadmin.evenergy.resources import ADDRESS_FIELDS, Coordinates, Location, Supplier, Tariff, User

# The filters' choice lists read every account (DISTINCT over 100,000 rows: tens of ms), so
# they are kept for a minute; a tariff first seen by a sync shows up in the list that late.
CHOICES_CACHE_SECONDS = 60
CHOICES_CACHE_KEY = "directory:filter_choices"
RECENT_SYNCS = 15


@dataclass(frozen=True)
class DirectoryStatus:
    as_of: datetime | None  # when the last complete sync finished (None: never synced)
    running: DirectorySync | None
    held_back: int = 0  # accounts the last full sync did not mark gone, for admins to look at


@dataclass(frozen=True)
class FilterChoices:
    countries: list[tuple[str, str]] = field(default_factory=list)
    tariffs: list[tuple[str, str]] = field(default_factory=list)
    suppliers: list[tuple[str, str]] = field(default_factory=list)
    evse_sites: list[tuple[str, str]] = field(default_factory=list)


def directory_as_of() -> datetime | None:
    """When the directory was last known complete: the end of the last complete sync."""
    last = DirectorySync.objects.filter(status=DirectorySync.Status.COMPLETE).order_by("-finished_at").first()
    return last.finished_at if last else None


def directory_status() -> DirectoryStatus:
    running = DirectorySync.objects.filter(status=DirectorySync.Status.RUNNING).first()
    last_full = (DirectorySync.objects.filter(status=DirectorySync.Status.COMPLETE, kind=DirectorySync.Kind.FULL)
                 .order_by("-finished_at").values_list("gone_held_back", flat=True).first())
    return DirectoryStatus(as_of=directory_as_of(), running=running, held_back=last_full or 0)


def country_label(code: str) -> str:
    return f"{countries.name(code) or code} ({code})" if code else "No country"


def directory_filter_choices() -> FilterChoices:
    choices = cache.get(CHOICES_CACHE_KEY)
    if choices is None:
        live = DirectoryAccount.objects.filter(gone_at__isnull=True)
        country_codes = live.exclude(country_code="").values_list("country_code", flat=True).distinct().order_by()
        tariffs = (live.exclude(tariff_id="").values_list("tariff_id", "tariff_name", "supplier_name", "tariff_currency")
                   .distinct().order_by())
        suppliers = live.exclude(supplier_id="").values_list("supplier_id", "supplier_name").distinct().order_by()
        sites = live.exclude(evse_site_id="").values_list("evse_site_id", flat=True).distinct().order_by()
        choices = FilterChoices(
            countries=sorted(((code, country_label(code)) for code in country_codes), key=lambda item: item[1]),
            tariffs=sorted(((tid, f"{supplier} · {name} ({currency})" if supplier else f"{name} ({currency})")
                            for tid, name, supplier, currency in tariffs), key=lambda item: item[1]),
            suppliers=sorted(((sid, name or sid) for sid, name in suppliers), key=lambda item: item[1]),
            evse_sites=sorted((site, site) for site in sites),
        )
        cache.set(CHOICES_CACHE_KEY, choices, CHOICES_CACHE_SECONDS)
    return choices


def directory_country_counts(accounts: QuerySet[DirectoryAccount]) -> list[tuple[str, str, int]]:
    """(code, label, accounts) per country of `accounts`, most accounts first."""
    rows = accounts.order_by().values("country_code").annotate(total=Count("id")).order_by("-total", "country_code")
    return [(row["country_code"], country_label(row["country_code"]), row["total"]) for row in rows]


@dataclass(frozen=True)
class SyncOverview:
    status: DirectoryStatus
    last_full: DirectorySync | None
    last_incremental: DirectorySync | None
    recent: list[DirectorySync]
    accounts: int
    gone: int


def directory_sync_overview() -> SyncOverview:
    complete = DirectorySync.objects.filter(status=DirectorySync.Status.COMPLETE).order_by("-finished_at")
    totals = DirectoryAccount.objects.aggregate(
        accounts=Count("id", filter=Q(gone_at__isnull=True)), gone=Count("id", filter=Q(gone_at__isnull=False))
    )
    return SyncOverview(
        status=directory_status(),
        last_full=complete.filter(kind=DirectorySync.Kind.FULL).first(),
        last_incremental=complete.filter(kind=DirectorySync.Kind.INCREMENTAL).first(),
        recent=list(DirectorySync.objects.select_related("started_by").order_by("-started_at", "-pk")[:RECENT_SYNCS]),
        accounts=totals["accounts"],
        gone=totals["gone"],
    )


def directory_account_as_user(*, user_id: str) -> tuple[User, datetime] | None:
    """evadmin's own copy of a driver, shaped as the API's User, and when it was last seen; None when
    the directory does not know them. For drawing a driver's page when live data cannot be had."""
    account = DirectoryAccount.objects.filter(user_id=user_id).first()
    if account is None:
        return None
    supplier = Supplier(id=account.supplier_id, url="", name=account.supplier_name) if account.supplier_id else None
    tariff = (Tariff(id=account.tariff_id, url=account.tariff_id, name=account.tariff_name,
                     currency=account.tariff_currency, supplier_url=None, supplier=supplier)
              if account.tariff_id else None)
    coordinates = (Coordinates(latitude=account.latitude, longitude=account.longitude)
                   if account.latitude is not None and account.longitude is not None else None)
    location = Location(
        **{name: getattr(account, name) or None for name in ADDRESS_FIELDS},
        coordinates=coordinates, tariff_url=tariff.url if tariff else None, tariff=tariff,
        evse_site_url=account.evse_site_id or None,
    )
    user = User(id=account.user_id, url="", email=account.email, full_name=account.full_name,
                joined_at=account.joined_at, terms_consent_datetime=account.terms_consent_at,
                default_location=location if account.has_location or tariff else None,
                vehicle_urls=[""] * account.vehicle_count, evse_urls=[""] * account.evse_count)
    return user, account.synced_at



# The fields (a dotted name's last part) whose values are tariff or EVSE site ids.
REFERENCE_FIELDS = ("tariff", "evse_site")


def reference_names_of(fields: Iterable[tuple[str, object]]) -> dict[str, str]:
    """reference_names_for the ids among (field, value) pairs whose field holds a tariff or EVSE site
    ("tariff", "default_location.evse_site", …)."""
    return reference_names_for({value for name, value in fields
                                if name.rsplit(".", 1)[-1] in REFERENCE_FIELDS and isinstance(value, str) and value})


def reference_names_for(ids: set[str]) -> dict[str, str]:
    """{tariff or EVSE site id: what people call it} from what evadmin already holds (the directory's
    tariff names, the reference lists a page read lately): never a request. An id nobody has named is
    left out, and shows as an id."""
    if not ids:
        return {}
    names = {tariff_id: f"{name} · {supplier}" if supplier else name
             for tariff_id, name, supplier in DirectoryAccount.objects.filter(tariff_id__in=ids)
             .exclude(tariff_name="").values_list("tariff_id", "tariff_name", "supplier_name").distinct()}
    for tariff in reference.tariffs_seen():
        if tariff.id in ids:
            names[tariff.id] = f"{tariff.name} · {tariff.supplier.name}" if tariff.supplier else tariff.name
    for site in reference.evse_sites_seen():
        if site.id in ids:
            names[site.id] = site.label
    return names
