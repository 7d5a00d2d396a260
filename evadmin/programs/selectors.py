"""A driver's programs, read through the cache: the programs the driver may be eligible for at their
location (GET /programs with EvEnergy-User: one request). The spec has no expand on programs, so a
program's tiers, vehicle compatibility and agreement load when opened, 1 request each."""

from __future__ import annotations

from evadmin.evenergy.client import evenergy_client
from evadmin.evenergy.collections import (
    PROGRAM_CURRENT_AGREEMENT,
    PROGRAM_TIERS,
    PROGRAM_VEHICLE_COMPATIBILITY,
    PROGRAMS,
    read_detail,
)
from evadmin.evenergy.programs import Program
from evadmin.evenergy.read_cache import Read, read_cache_seen, read_through

NAME = "programs"
PARTS = ("tiers", "vehicles", "agreement")
ENROLMENT = "program_enrolment"  # the program evadmin joined the driver to (the API does not say)


def driver_programs(*, user_id: str, refresh: bool = False) -> Read[list[Program]]:
    return read_through(scope=user_id, name=NAME, refresh=refresh,
                        fetch=lambda: evenergy_client().collection(PROGRAMS).list(user=user_id))


def driver_programs_seen(user_id: str) -> Read | None:
    """What evadmin holds of the driver's programs: never a request."""
    return read_cache_seen(scope=user_id, name=NAME)


def driver_enrolment_seen(user_id: str) -> Read | None:
    return read_cache_seen(scope=user_id, name=ENROLMENT)


def program_part(*, user_id: str, program_id: str, part: str, refresh: bool = False) -> Read:
    """One of a program's parts for the driver, 1 request each: tiers (with the driver's eligibility),
    vehicles (compatible models) or agreement (the current participation agreement version)."""
    client = evenergy_client()

    def fetch():
        if part == "tiers":
            return client.collection(PROGRAM_TIERS).list(parent=program_id, user=user_id).items
        if part == "vehicles":
            return client.collection(PROGRAM_VEHICLE_COMPATIBILITY).list(parent=program_id, user=user_id)
        return read_detail(client, PROGRAM_CURRENT_AGREEMENT, program_id)
    return read_through(scope=user_id, name=f"program:{program_id}:{part}", refresh=refresh, fetch=fetch)
