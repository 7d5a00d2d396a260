"""A driver's programs, read through the cache: the programs the driver may be eligible for at their
location (GET /programs with EvEnergy-User: one request). The spec has no expand on programs, so a
program's tiers, vehicle compatibility and agreement load when opened, 1 request each."""

from __future__ import annotations

from evadmin.evenergy.client import evenergy_client
from evadmin.evenergy.collections import PROGRAMS
from evadmin.evenergy.programs import Program
from evadmin.evenergy.read_cache import Read, read_cache_seen, read_through

NAME = "programs"
ENROLMENT = "program_enrolment"  # the program evadmin joined the driver to (the API does not say)


def driver_programs(*, user_id: str, refresh: bool = False) -> Read[list[Program]]:
    return read_through(scope=user_id, name=NAME, refresh=refresh,
                        fetch=lambda: evenergy_client().collection(PROGRAMS).list(user=user_id))


def driver_programs_seen(user_id: str) -> Read | None:
    """What evadmin holds of the driver's programs: never a request."""
    return read_cache_seen(scope=user_id, name=NAME)


def driver_enrolment_seen(user_id: str) -> Read | None:
    return read_cache_seen(scope=user_id, name=ENROLMENT)
