"""Deterministic sandbox data: suppliers, tariffs, EVSE sites, users, vehicles and EVSEs.

Everything is drawn from one `random.Random(seed)` and a fixed base time, so the same seed and
user count give the same ids and data. User ids carry their joined_at time and users are spaced
evenly over three years from BASE_TIME, so id order is joined_at order (and runtime-created
users, stamped with the clock, sort after every seeded one).

Seeded defects, a few percent each (DEFECT_RATES): no default location, no tariff, no terms
consent, an email another user already has in another letter case, coordinates far from the
address's country, a postcode not in its country's format, a tariff priced in another country's
currency, no vehicle and no charger. Each appears only where it is planted, and the seeder keeps
the ids of the users it planted it on (`seeded_defects`, GET /_sandbox/seed/defects), so evadmin's
account audit rules can be checked against the truth: every rule must find exactly these users.
"""

import gc
import json
import random
import unicodedata
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from operator import attrgetter

from django.db import connections, transaction

from evadmin.sandbox import catalogue, ids
from evadmin.sandbox.countries import CARBON_INTENSITY
from evadmin.sandbox.models import Evse, EvseSite, Record, SeedRun, Supplier, Tariff, User, Vehicle
from evadmin.sandbox.seed_data import COUNTRIES, COUNTRY_WEIGHTS, CountryProfile, malformed_postcode, postcode
from evadmin.sandbox.seeding import record_seeders

DB = "sandbox"
REFERENCE_TIME = datetime(2020, 3, 2, 9, 0, tzinfo=UTC)  # suppliers, tariffs, sites
BASE_TIME = datetime(2021, 1, 4, 9, 0, tzinfo=UTC)  # the first user joins
USER_SPAN_MS = 3 * 365 * 24 * 3600 * 1000
# Named as evadmin's audit rules name what they find (evadmin/data_quality/rules/). A location's
# defects are drawn only for users with an address; "duplicate_email" lists the original account
# as well as the copy, as both share the email.
DEFECT_RATES = {
    "no_default_location": 0.03, "no_tariff": 0.04, "no_terms_consent": 0.03,
    "duplicate_email": 0.02, "coordinates_outside_country": 0.02,
    "postcode_format": 0.03, "tariff_currency_mismatch": 0.03, "no_devices": 0.03,
}
SITE_USER_RATE = 0.04
CPMS_DISPLAY_NAMES = {"CHARGEPOINT": "ChargePoint", "SWTCH": "SWTCH Energy"}
EMAIL_DOMAINS = ("example.com", "example.org", "example.net", "mail.example.com")
VEHICLE_COUNTS = ((0, 0.20), (1, 0.60), (2, 0.17), (3, 0.03))
EVSE_COUNTS = ((0, 0.35), (1, 0.60), (2, 0.05))
LIFECYCLE_STATES = (("COMMISSIONED", 0.75), ("INSTALLED", 0.08), ("ENROLLED", 0.07), ("PENDING", 0.03),
                    ("DECOMMISSIONED", 0.03), ("", 0.04))
DATA_TABLES = (Record, Evse, Vehicle, User, Tariff, Supplier, EvseSite, SeedRun)  # children first


class SeedError(Exception):
    pass


@dataclass
class SeedSummary:
    seed: int
    users: int = 0
    suppliers: int = 0
    tariffs: int = 0
    evse_sites: int = 0
    vehicles: int = 0
    evses: int = 0
    defects: dict = field(default_factory=lambda: dict.fromkeys(DEFECT_RATES, 0))  # name -> users affected


def _weighted(rng: random.Random, choices):
    point, total = rng.random(), 0.0
    for value, weight in choices:
        total += weight
        if point < total:
            return value
    return choices[-1][0]


def _plain(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def _ascii(text: str) -> str:
    return "".join(char for char in _plain(text) if char.isalnum())


def _slug(text: str) -> str:
    return "-".join("".join(char if char.isalnum() else " " for char in _plain(text)).split())


class _Seeder:
    def __init__(self, seed: int, users: int) -> None:
        self.rng = random.Random(seed)
        self.user_count = users
        self.summary = SeedSummary(seed=seed)
        self.reference_step = 0
        self.tariffs_by_country: dict[str, list[Tariff]] = {}
        self.sites_by_country: dict[str, list[EvseSite]] = {}
        self.cpid_counter = 100_000
        self.defect_users: dict[str, set[str]] = {name: set() for name in DEFECT_RATES}
        self.vehicle_counts: dict[str, int] = {}

    def plant(self, defect: str, *user_ids: str) -> None:
        self.defect_users[defect].update(user_ids)
        self.summary.defects[defect] = len(self.defect_users[defect])

    def reference_id(self, prefix: str) -> str:
        self.reference_step += 1
        return ids.seeded_id(prefix, REFERENCE_TIME + timedelta(hours=self.reference_step), self.rng)

    # --- reference data --------------------------------------------------------------------
    def suppliers_and_tariffs(self) -> tuple[list[Supplier], list[Tariff]]:
        rng, suppliers, tariffs = self.rng, [], []
        for country in COUNTRIES.values():
            for profile in country.suppliers:
                supplier = Supplier(
                    id=self.reference_id(ids.SUPPLIER), name=profile.name, highlighted=profile.highlighted,
                    icon=f"https://assets.example.com/suppliers/{_slug(profile.name)}.png" if rng.random() < 0.8
                    else "", country_code=country.code)
                suppliers.append(supplier)
                for name, price in profile.tariffs:
                    dynamic = any(word in name for word in ("Agile", "Dynamisch", "Tempo"))
                    superseded = rng.random() < 0.08
                    tariff = Tariff(
                        id=self.reference_id(ids.TARIFF), supplier=supplier, name=name, currency=country.currency,
                        highlighted=rng.random() < 0.3, timezone_name=country.cities[0].timezone,
                        price_chart_url=f"https://prices.example.com/{_slug(name)}" if dynamic else "",
                        gsp_group=rng.choice(("_A", "_C", "_G", "_M", "_N")) if country.code == "GB" and dynamic
                        else "",
                        valid_from=date(2019 + rng.randrange(3), rng.randrange(1, 13), 1),
                        valid_until=date(2023, rng.randrange(1, 13), 28) if superseded else None,
                        current_price=max(1, price + rng.randint(-2, 2)), country_code=country.code)
                    tariffs.append(tariff)
                    if not superseded:
                        self.tariffs_by_country.setdefault(country.code, []).append(tariff)
        return suppliers, tariffs

    def evse_sites(self) -> list[EvseSite]:
        rng, sites = self.rng, []
        for index in range(max(2 * len(COUNTRIES), self.user_count // 200)):
            country = COUNTRIES[list(COUNTRIES)[index % len(COUNTRIES)]]
            city = rng.choice(country.cities)
            site = EvseSite(
                id=self.reference_id(ids.SITE), name=f"{city.name} {rng.choice(country.site_operators)}",
                cpms_connection=_weighted(rng, (("CHARGEPOINT", 0.45), ("SWTCH", 0.3), ("", 0.25))),
                country_code=country.code)
            site.cpms_connection_display_name = CPMS_DISPLAY_NAMES.get(site.cpms_connection, "")
            sites.append(site)
            self.sites_by_country.setdefault(country.code, []).append(site)
        return sites

    # --- users -----------------------------------------------------------------------------
    def _country(self) -> CountryProfile:
        return COUNTRIES[_weighted(self.rng, tuple(COUNTRY_WEIGHTS.items()))]

    def _far_coordinates(self, country: CountryProfile) -> tuple[float, float]:
        # North America for European addresses and the other way round: thousands of km off.
        far = ("DE", "FR", "ES") if country.code in ("US", "CA") else ("US", "CA")
        city = self.rng.choice(COUNTRIES[self.rng.choice(far)].cities)
        return city.latitude, city.longitude

    def _email(self, index: int, first: str, last: str) -> str:
        first, last = _ascii(first), _ascii(last)
        local = self.rng.choice((f"{first}.{last}{index}", f"{first[0]}{last}{index}", f"{first}_{last}{index}"))
        return f"{local}@{self.rng.choice(EMAIL_DOMAINS)}"

    def _foreign_currency_tariffs(self, country: CountryProfile) -> list[Tariff]:
        # Another country's tariff in the same currency (an FR tariff for a DE user) is no defect.
        return [tariff for code, tariffs in self.tariffs_by_country.items()
                if COUNTRIES[code].currency != country.currency for tariff in tariffs]

    def _address(self, user: User, country: CountryProfile) -> None:
        rng = self.rng
        city = rng.choice(country.cities)
        user.address_1 = country.street_format.format(n=rng.randint(1, 250), street=rng.choice(country.streets))
        user.address_2 = rng.choice(country.address_2_formats).format(n=rng.randint(1, 40)) \
            if rng.random() < 0.2 else ""
        user.city, user.state, user.country_code = city.name, city.state or "", country.code
        user.postal_code = postcode(country.code, rng.choice(city.postal_prefixes), rng)
        if rng.random() < DEFECT_RATES["postcode_format"]:
            user.postal_code = malformed_postcode(user.postal_code, rng)
            self.plant("postcode_format", user.id)
        if rng.random() < DEFECT_RATES["coordinates_outside_country"]:
            user.latitude, user.longitude = self._far_coordinates(country)
            self.plant("coordinates_outside_country", user.id)
        else:
            user.latitude = round(city.latitude + rng.uniform(-0.05, 0.05), 6)
            user.longitude = round(city.longitude + rng.uniform(-0.07, 0.07), 6)
        user.carbon_intensity = round(CARBON_INTENSITY[country.code] * rng.uniform(0.8, 1.2))
        # One draw decides the tariff: none, one in a foreign currency, or one of the country's own.
        draw = rng.random()
        if draw < DEFECT_RATES["no_tariff"]:
            self.plant("no_tariff", user.id)
        elif draw < DEFECT_RATES["no_tariff"] + DEFECT_RATES["tariff_currency_mismatch"]:
            user.tariff = rng.choice(self._foreign_currency_tariffs(country))
            self.plant("tariff_currency_mismatch", user.id)
        else:
            user.tariff = rng.choice(self.tariffs_by_country[country.code])
        if rng.random() < SITE_USER_RATE and self.sites_by_country.get(country.code):
            user.evse_site = rng.choice(self.sites_by_country[country.code])
            user.site_connected = rng.random() < 0.7

    def users(self) -> list[User]:
        rng, users = self.rng, []
        step = max(1, USER_SPAN_MS // max(1, self.user_count))
        for index in range(self.user_count):
            # Evenly spaced slots with jitter inside the slot: ids and joined_at rise together.
            joined_at = BASE_TIME + timedelta(milliseconds=index * step + rng.randrange(max(1, step // 2)))
            user_id = ids.seeded_id(ids.USER, joined_at, rng)
            country = self._country()
            first, last = rng.choice(country.first_names), rng.choice(country.last_names)
            user = User(id=user_id, joined_at=ids.id_time(user_id), full_name=f"{first} {last}")
            if index >= 20 and rng.random() < DEFECT_RATES["duplicate_email"]:
                original = users[rng.randrange(index)]
                local, _, domain = original.email.partition("@")
                user.email = rng.choice((f"{local.title()}@{domain}", original.email.upper()))
                self.plant("duplicate_email", original.id, user.id)
            else:
                user.email = self._email(index + 1, first, last)
            user.email_lower = user.email.lower()
            if rng.random() < DEFECT_RATES["no_terms_consent"]:
                self.plant("no_terms_consent", user.id)
            else:
                user.terms_consent_datetime = user.joined_at + timedelta(minutes=rng.randint(1, 120))
            if rng.random() < DEFECT_RATES["no_default_location"]:
                self.plant("no_default_location", user.id)
            else:
                self._address(user, country)
            # Site users always have the site's charger, so only others can be left without devices.
            if user.evse_site is None and rng.random() < DEFECT_RATES["no_devices"]:
                self.plant("no_devices", user.id)
            users.append(user)
        return users

    # --- devices ---------------------------------------------------------------------------
    def vehicles(self, users: list[User]) -> list[Vehicle]:
        rng, vehicles, trims = self.rng, [], list(catalogue.VEHICLE_TRIMS.values())
        for user in users:
            count = 0 if user.id in self.defect_users["no_devices"] else _weighted(rng, VEHICLE_COUNTS)
            self.vehicle_counts[user.id] = count
            for _ in range(count):
                added = user.joined_at + timedelta(minutes=rng.randint(5, 30 * 24 * 60))
                trim = rng.choice(trims)
                model = catalogue.VEHICLE_MODELS[trim.model_id]
                vehicles.append(Vehicle(
                    id=ids.seeded_id(ids.VEHICLE, added, rng), user=user, trim_id=trim.id,
                    integrated=_weighted(rng, (("ACTIVE", 0.8), ("INACTIVE", 0.1), ("UNINTEGRATED", 0.1))),
                    battery_size_watt_hours=trim.battery_size_watt_hours,
                    effective_battery_size_watt_hours=int(round(trim.battery_size_watt_hours * rng.uniform(0.88, 1.0),
                                                                -1)),
                    maximum_charge_limit_percentage=rng.choice((80, 80, 90, 100)),
                    description=catalogue.vehicle_description(trim), disabled=rng.random() < 0.03,
                    smart_charging_enabled=rng.random() < 0.85,
                    vehicle_class=model.vehicle_class if rng.random() < 0.95 else ""))
        return vehicles

    def evses(self, users: list[User]) -> list[Evse]:
        rng, evses, models = self.rng, [], list(catalogue.EVSE_MODELS.values())
        for user in users:
            if user.id in self.defect_users["no_devices"]:
                count = 0
            elif user.evse_site is not None:
                count = 1
            else:
                # Nobody is left without a vehicle and a charger unless that defect was planted.
                count = max(_weighted(rng, EVSE_COUNTS), 0 if self.vehicle_counts[user.id] else 1)
            for _ in range(count):
                added = user.joined_at + timedelta(minutes=rng.randint(5, 60 * 24 * 60))
                model = rng.choice(models)
                self.cpid_counter += rng.randint(1, 9)
                located = user.latitude is not None and rng.random() < 0.9
                evses.append(Evse(
                    id=ids.seeded_id(ids.EVSE, added, rng), user=user, evse_site=user.evse_site,
                    model_id=model.id, cpid=f"{model.cpid_prefix}{self.cpid_counter}",
                    lock_mode=_weighted(rng, (("SMART", 0.6), ("UNLOCKED", 0.25), ("LOCKED", 0.05), ("", 0.1))),
                    latitude=round(user.latitude + rng.uniform(-0.0005, 0.0005), 6) if located else None,
                    longitude=round(user.longitude + rng.uniform(-0.0005, 0.0005), 6) if located else None,
                    lifecycle_state=_weighted(rng, LIFECYCLE_STATES)))
        return evses


def _build(seed: int, users: int) -> tuple[_Seeder, tuple[list, ...]]:
    """Every row of a seeding, unsaved, in the order the random draws happen."""
    seeder = _Seeder(seed, users)
    suppliers, tariffs = seeder.suppliers_and_tariffs()
    sites = seeder.evse_sites()
    user_rows = seeder.users()
    vehicles, evses = seeder.vehicles(user_rows), seeder.evses(user_rows)
    return seeder, (suppliers, tariffs, sites, user_rows, vehicles, evses)


@lru_cache(maxsize=4)
def _defects_of(seed: int, users: int) -> dict[str, list[str]]:
    # The seeding is deterministic, so building it again in memory (~0.1 s per 1,000 users)
    # gives the same ids as the rows in the database, even in a process that did not seed them.
    seeder, _ = _build(seed, users)
    return {name: sorted(ids) for name, ids in seeder.defect_users.items()}


def seeded_defects() -> dict[str, list[str]]:
    """{defect: sorted ids of the users it was planted on} for the data as last seeded ({} if never).

    Users created or edited through the API since then are not accounted for: re-seed first.
    """
    last = SeedRun.objects.order_by("-id").first()
    return {} if last is None else _defects_of(last.seed, last.users)


RECORD_COLUMNS = ("id", "kind", "user_id", "parent_id", "at", "ends_at", "data")


def insert_records(rows: list[Record]) -> None:
    """Save new Records with one executemany on the SQLite connection, in id order: bulk_create
    spends most of its time preparing values one field at a time (~1 s per 10,000 rows), and a
    seeding writes a few hundred thousand."""
    connection = connections[DB]
    connection.ensure_connection()
    columns = ", ".join(f'"{column}"' for column in RECORD_COLUMNS)
    sql = f'INSERT INTO "{Record._meta.db_table}" ({columns}) VALUES ({", ".join("?" * len(RECORD_COLUMNS))})'
    connection.connection.executemany(sql, [
        (row.id, row.kind, row.user_id, row.parent_id, _sqlite_datetime(row.at), _sqlite_datetime(row.ends_at),
         json.dumps(row.data)) for row in sorted(rows, key=attrgetter("id"))])


def _sqlite_datetime(value: datetime | None) -> str | None:
    # As Django stores an aware datetime in SQLite: naive UTC, str() format.
    return None if value is None else str(value.astimezone(UTC).replace(tzinfo=None))


@contextmanager
def _record_indexes_rebuilt():
    """Drop the Record table's secondary indexes for the block and build them again after it.

    Rows arrive in id order, so each index would take them in random order; past a few hundred
    thousand rows that thrashes SQLite's page cache (2,500 drivers: 23 s). Building an index
    afterwards sorts once instead. DDL is transactional in SQLite: a failed seeding keeps them.
    """
    with connections[DB].cursor() as cursor:
        cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s "
                       "AND sql IS NOT NULL", [Record._meta.db_table])
        indexes = cursor.fetchall()
        for name, _ in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        yield
        for _, sql in indexes:
            cursor.execute(sql)


@contextmanager
def _without_cyclic_gc():
    """Seeding makes hundreds of thousands of objects and no reference cycles worth collecting;
    the collector would walk that growing heap again and again (half the log seeding's time)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def clear_data() -> None:
    """Delete every resource row (clients and tokens stay). Plain DELETEs: fast at 10,000 users."""
    with connections[DB].cursor() as cursor:
        for model in DATA_TABLES:
            cursor.execute(f'DELETE FROM "{model._meta.db_table}"')


def sandbox_has_data() -> bool:
    return User.objects.exists() or Supplier.objects.exists()


def seed_sandbox(*, users: int, seed: int = 1, reset: bool = False, history: bool = True) -> SeedSummary:
    """history=False: users, devices and reference data only, without the month of sessions, logs, tickets
    and support cases (about 120 records a driver): what a benchmark of 100,000 accounts needs."""
    if users < 0:
        raise SeedError("--users must be 0 or more")
    with _without_cyclic_gc(), transaction.atomic(using=DB):
        if reset:
            clear_data()
        elif sandbox_has_data():
            raise SeedError("The sandbox already has data; pass --reset to replace it.")
        seeder, (suppliers, tariffs, sites, user_rows, vehicles, evses) = _build(seed, users)
        # Records first: a support case may set facts on the unsaved rows (a vehicle's `integrated`).
        records = [rows for rows in record_seeders(seed=seed, users=user_rows, vehicles=vehicles, evses=evses)
                   ] if history else []
        # batch_size: SQLite caps bound parameters per statement; Django splits to fit anyway.
        for model, rows in ((Supplier, suppliers), (Tariff, tariffs), (EvseSite, sites), (User, user_rows),
                            (Vehicle, vehicles), (Evse, evses)):
            model.objects.bulk_create(rows, batch_size=1000)
        with _record_indexes_rebuilt():
            for rows in records:
                insert_records(rows)
        SeedRun.objects.create(users=users, seed=seed, history=history)
    summary = seeder.summary
    summary.users, summary.suppliers, summary.tariffs = len(user_rows), len(suppliers), len(tariffs)
    summary.evse_sites, summary.vehicles, summary.evses = len(sites), len(vehicles), len(evses)
    return summary


def seed_again() -> dict | None:
    """Re-seed with the parameters of the last seeding (for /_sandbox/reset {"data": true})."""
    last = SeedRun.objects.order_by("-id").first()
    if last is None:
        clear_data()
        return None
    return asdict(seed_sandbox(users=last.users, seed=last.seed, reset=True, history=last.history))
