"""Seed data for the declared collections (sessions, logs, ...), one module per part of the API.

Each module in `SEEDERS` has `seed_records(*, seed, users, vehicles, evses, plan) -> Iterable[Record]`
and draws from its own `random.Random` (`module_rng`), derived from the seed and its name, so adding
a collection never moves the draws of the users and devices before it (and so the ground truth of
/_sandbox/seed/defects). `plan` is shared by the seeders of one seeding, in `SEEDERS` order: the
support cases run first and claim their drivers, whom the bulk seeders then leave alone.

Time: a month of history ending at `plan.now`, the start of the seeding's UTC hour, so "last
night" is last night whenever the sandbox is seeded. Ids carry that time, so they differ from one
seeding day to the next; /_sandbox/seed/cases always answers the ids of the data as seeded.
"""

from __future__ import annotations

import random
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import import_module

SEEDERS: tuple[str, ...] = ("cases", "charging", "device_logs", "tickets", "rebates", "programs", "energy",
                             "notifications", "carbon")  # module names under evadmin.sandbox.seeding, in seeding order
HISTORY_DAYS = 30


@dataclass
class SeedPlan:
    now: datetime
    case_users: set[str] = field(default_factory=set)  # drivers a support case owns
    case_truths: dict[str, dict] = field(default_factory=dict)  # case name -> its ground truth (later seeders)


def module_rng(seed: int, name: str) -> random.Random:
    return random.Random(seed * 1_000_003 + zlib.crc32(name.encode()))


def seeding_now() -> datetime:
    return datetime.now(UTC).replace(minute=0, second=0, microsecond=0)


def record_seeders(*, seed: int, users, vehicles, evses, now: datetime | None = None) -> Iterator[list]:
    plan = SeedPlan(now=now or seeding_now())
    for name in SEEDERS:
        module = import_module(f"evadmin.sandbox.seeding.{name}")
        yield list(module.seed_records(seed=seed, users=users, vehicles=vehicles, evses=evses, plan=plan))
