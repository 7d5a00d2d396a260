"""Resource ids: a 4-letter collection prefix and a 26-character ULID (`user01HN2NJ9NMRZBXT1H6FT9N7735`).

A ULID is 48 bits of milliseconds since the epoch and 80 random bits, written in Crockford's
base 32, so sorting ids sorts by creation time: the sandbox's cursor pagination relies on it.
Seeded data derives both halves from a seeded RNG and a fixed base time (deterministic ids);
ids made at run time use the clock and are kept strictly increasing within the process.
"""

import re
import secrets
import threading
import time
from datetime import UTC, datetime

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
ULID_LENGTH = 26
RANDOM_BITS = 80

USER, TARIFF, SUPPLIER, SITE, VEHICLE, EVSE = "user", "tari", "supl", "site", "vhcl", "evse"
VEHICLE_TRIM, VEHICLE_MODEL, VEHICLE_MAKE = "trim", "vmod", "vmak"
EVSE_MODEL, EVSE_MAKE = "emod", "emak"

ID_PATTERN = re.compile(r"^([a-z]{4})([0-9A-HJKMNP-TV-Z]{26})$")

_lock = threading.Lock()
_last_value = 0


# Two characters per lookup (10 bits): seeding encodes tens of thousands of ids.
_PAIRS = [first + second for first in CROCKFORD for second in CROCKFORD]


def encode_ulid(value: int) -> str:
    """26 Crockford base-32 characters, most significant first (13 pairs of 10 bits)."""
    return "".join(_PAIRS[(value >> shift) & 1023] for shift in range(10 * (ULID_LENGTH // 2 - 1), -1, -10))


def ulid_at(milliseconds: int, randomness: int) -> str:
    return encode_ulid((milliseconds << RANDOM_BITS) | (randomness & ((1 << RANDOM_BITS) - 1)))


def seeded_id(prefix: str, moment: datetime, rng) -> str:
    """A deterministic id for `moment`, its random half drawn from `rng` (a random.Random)."""
    return prefix + ulid_at(to_milliseconds(moment), rng.getrandbits(RANDOM_BITS))


def new_id(prefix: str) -> str:
    """A fresh id, greater than every id this process made before (monotonic ULID)."""
    global _last_value
    with _lock:
        value = (int(time.time() * 1000) << RANDOM_BITS) | secrets.randbits(RANDOM_BITS)
        if value <= _last_value:
            value = _last_value + 1
        _last_value = value
    return prefix + encode_ulid(value)


def is_id(value: object, prefix: str) -> bool:
    if not isinstance(value, str):
        return False
    match = ID_PATTERN.match(value)
    return bool(match) and match.group(1) == prefix


def to_milliseconds(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def id_time(resource_id: str) -> datetime:
    """The creation time a ULID carries (milliseconds)."""
    value = 0
    for char in resource_id[-ULID_LENGTH:]:
        value = value * 32 + CROCKFORD.index(char)
    return datetime.fromtimestamp((value >> RANDOM_BITS) / 1000, tz=UTC)
