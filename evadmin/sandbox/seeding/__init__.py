"""Seed data for the declared collections (sessions, logs, ...), one module per part of the API.

Each module has `seed_records(*, seed, users, vehicles, evses) -> Iterable[Record]` and draws from
its own `random.Random`, derived from the seed and its name, so adding a collection never moves the
draws of the users and devices before it (and so the ground truth of /_sandbox/seed/defects).
"""

from __future__ import annotations

import random
import zlib
from collections.abc import Iterator
from importlib import import_module

SEEDERS = ()  # module names under evadmin.sandbox.seeding, in seeding order


def module_rng(seed: int, name: str) -> random.Random:
    return random.Random(seed * 1_000_003 + zlib.crc32(name.encode()))


def record_seeders(*, seed: int, users, vehicles, evses) -> Iterator[list]:
    for name in SEEDERS:
        module = import_module(f"evadmin.sandbox.seeding.{name}")
        yield list(module.seed_records(seed=seed, users=users, vehicles=vehicles, evses=evses))
