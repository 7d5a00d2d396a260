"""The sandbox's seed data: deterministic, realistic, with its defects present."""

import os
import re
import sqlite3
import subprocess
import sys

import requests

from tests.sandbox.fixtures import REPO_ROOT

SEEDED_TABLES = ("sandbox_supplier", "sandbox_tariff", "sandbox_evsesite", "sandbox_user", "sandbox_vehicle",
                 "sandbox_evse")
POSTCODES = {
    "GB": r"[A-Z]{1,2}\d[A-Z\d]? \d[A-Z]{2}", "US": r"\d{5}", "DE": r"\d{5}", "FR": r"\d{5}", "ES": r"\d{5}",
    "NL": r"[1-9]\d{3} [A-Z]{2}", "IE": r"[A-Z]\d{2} [A-Z][0-9A-Z]{3}", "CA": r"[A-Z]\d[A-Z] \d[A-Z]\d",
}
# (south, north, west, east): generous boxes around each country's mainland.
COUNTRY_BOXES = {
    "GB": (49.8, 60.9, -8.7, 1.8), "US": (24.5, 49.4, -125.0, -66.9), "DE": (47.2, 55.1, 5.8, 15.1),
    "FR": (42.3, 51.1, -4.8, 8.3), "ES": (36.0, 43.8, -9.3, 3.4), "NL": (50.7, 53.6, 3.3, 7.3),
    "IE": (51.4, 55.4, -10.5, -6.0), "CA": (41.7, 60.0, -141.0, -52.6),
}
CURRENCIES = {"GB": "GBP", "US": "USD", "CA": "CAD"}


def _seed(db_path, seed: int, *options: str) -> subprocess.Popen:
    env = {**os.environ, "EVADMIN_SANDBOX_DB": str(db_path), "DJANGO_SETTINGS_MODULE": "evadmin.settings.test"}
    return subprocess.Popen([sys.executable, "manage.py", "seedsandbox", "--users", "40", "--seed", str(seed), *options],
                            cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def _rows(db_path) -> dict[str, list[tuple]]:
    with sqlite3.connect(db_path) as connection:
        return {table: connection.execute(f"SELECT * FROM {table} ORDER BY id").fetchall() for table in SEEDED_TABLES}


def _record_count(db_path) -> int:
    with sqlite3.connect(db_path) as connection:
        return connection.execute("SELECT count(*) FROM sandbox_record").fetchone()[0]


def test_same_seed_same_data_other_seed_other_data_and_history_only_when_asked(tmp_path):
    paths = [tmp_path / "a.sqlite3", tmp_path / "b.sqlite3", tmp_path / "c.sqlite3", tmp_path / "d.sqlite3"]
    runs = [_seed(paths[0], 7), _seed(paths[1], 7), _seed(paths[2], 8),  # in parallel: ~2 s, not ~6
            _seed(paths[3], 7, "--without-history")]
    for run in runs:
        output = run.communicate(timeout=60)[0].decode()
        assert run.returncode == 0, output
    first, again, other, without_history = (_rows(path) for path in paths)
    assert first == again
    # A benchmark's 100,000 drivers without their month of sessions and logs: the same drivers and devices
    # (the support cases, which set facts on some of them, are history too).
    assert [row[0] for row in without_history["sandbox_vehicle"]] == [row[0] for row in first["sandbox_vehicle"]]
    assert [row[0] for row in without_history["sandbox_user"]] == [row[0] for row in first["sandbox_user"]]
    assert _record_count(paths[0]) > 40 and _record_count(paths[3]) == 0
    assert len(first["sandbox_user"]) == 40 and first["sandbox_vehicle"] and first["sandbox_evse"]
    assert {row[0] for row in first["sandbox_user"]}.isdisjoint(row[0] for row in other["sandbox_user"])


def _users(sandbox_api, token) -> list[dict]:
    users, url = [], sandbox_api.url("/users?page_size=100&expand=default_location.tariff")
    while url != "about:blank":
        response = requests.get(url, headers={"Authorization": f"Bearer {token}"}, timeout=10)
        users += response.json()
        url = response.links["next"]["url"]
    return users


def test_seeded_users_are_realistic_with_a_few_defects_each(sandbox_api):
    sandbox_api.reset(data=True)
    users = _users(sandbox_api, sandbox_api.token())
    planted = {name: set(ids) for name, ids in
               requests.get(sandbox_api.url("/_sandbox/seed/defects"), timeout=10).json().items()}
    assert len(users) == 250
    located = [u for u in users if u["default_location"]["address_1"]]
    countries = {u["default_location"]["country_code"] for u in located}
    assert countries == set(POSTCODES)
    far, bad_postcodes, foreign_currency = set(), set(), set()
    for user in located:
        location = user["default_location"]
        country = location["country_code"]
        if not re.fullmatch(POSTCODES[country], location["postal_code"]):
            bad_postcodes.add(user["id"])
        assert location["city"] and location["coordinates"]
        if location["tariff"] and location["tariff"]["currency"] != CURRENCIES.get(country, "EUR"):
            foreign_currency.add(user["id"])
        south, north, west, east = COUNTRY_BOXES[country]
        inside = south <= location["coordinates"]["latitude"] <= north and west <= location["coordinates"][
            "longitude"] <= east
        if not inside:
            far.add(user["id"])
    emails = [u["email"].lower() for u in users]
    defects = {
        "no_default_location": {u["id"] for u in users if not u["default_location"]["address_1"]},
        "no_tariff": {u["id"] for u in located if u["default_location"]["tariff"] is None},
        "no_terms_consent": {u["id"] for u in users if u["terms_consent_datetime"] is None},
        "duplicate_email": {u["id"] for u in users if emails.count(u["email"].lower()) > 1},
        "coordinates_outside_country": far,
        "postcode_format": bad_postcodes,
        "tariff_currency_mismatch": foreign_currency,
        "no_devices": {u["id"] for u in users if not u["vehicles"] and not u["evses"]},
    }
    # Each defect is where the seeder says it planted it, and nowhere else.
    assert defects == planted
    for name, ids in defects.items():
        assert 1 <= len(ids) <= len(users) * 0.1, (name, len(ids))
