"""Programs (utility demand-response schemes in GB and the US), their tiers and participation agreements,
the drivers enrolled in them, and the support case "eligible for a program but not enrolled".

The programs are reference data (fixed ids, like the device catalogue); enrolments are Records of kind
"program_enrolment" (user_id = the driver, data.program / data.tier). Some descriptions are hostile (HTML,
very long, U+202E) as the ticket seeder's are. Draws come from module_rng(seed, "programs").
"""

from __future__ import annotations

from dataclasses import dataclass

from evadmin.sandbox import ids
from evadmin.sandbox.models import Record
from evadmin.sandbox.seeding import module_rng
from evadmin.sandbox.seeding.cases import SEED_CASE, SEED_CASE_PREFIX

ENROLMENT = "program_enrolment"
ENROLMENT_PREFIX = "penr"
CASE = "program_eligible_not_enrolled"
HOSTILE_DESCRIPTION = ('<script>alert("program")</script> <b>Earn</b> rewards ' + "for flexible charging " * 200
                       + "\u202etxt.exe")


@dataclass(frozen=True)
class Tier:
    id: str
    short_name: str
    name: str
    description: str
    default: bool = False
    smart_charging_enabled: bool = True


@dataclass(frozen=True)
class Program:
    id: str
    name: str
    sponsor_name: str
    description: str
    country: str
    postcode_prefixes: tuple[str, ...]  # "" for the whole country
    tiers: tuple[Tier, ...]
    agreement_id: str
    agreement: str
    external_url: str


def _tiers(key: str, extra: str = "") -> tuple[Tier, ...]:
    return (Tier(f"tier01JPRG0{key}0000000000000STD", "standard", "Standard Tier",
                 f"<html>Charge at off-peak times to earn standard rewards.{extra}</html>", default=True),
            Tier(f"tier01JPRG0{key}0000000000000PRM", "plus", "Plus Tier",
                 "<html>Let the utility pause charging during peak events for extra rewards.</html>"))


PROGRAMS: tuple[Program, ...] = (
    Program("prog01JPRG0GB10000000000000000", "FlexCharge Scotland", "Northern Grid Energy",
            "Get paid to shift your charging away from the evening peak in Scotland.", "GB",
            ("G", "EH", "AB", "DD", "KY", "FK", "PA"), _tiers("GB1"),
            "pagv01JPRG0GB10000000000000001", "<html><p>By joining you agree to let us shift your charging.</p></html>",
            "https://example.com/flexcharge"),
    Program("prog01JPRG0GB20000000000000000", "London Peak Saver", "Capital Power",
            HOSTILE_DESCRIPTION, "GB", ("SW", "SE", "N", "E", "W", "NW", "EC", "WC"), _tiers("GB2", " \u202eevil"),
            "pagv01JPRG0GB20000000000000001", '<html><img src=x onerror=alert(1)>Agreement v3</html>',
            "https://example.com/peaksaver"),
    Program("prog01JPRG0GB30000000000000000", "GB Green Hours", "National Flex",
            "Charge when the grid is greenest, anywhere in Great Britain.", "GB", ("",), _tiers("GB3"),
            "pagv01JPRG0GB30000000000000001", "<html><p>Green Hours participation agreement.</p></html>",
            "https://example.com/greenhours"),
    Program("prog01JPRG0US10000000000000000", "CoolCharge", "Cool Power",
            "A program which incentivises charging when it's coolest to charge your EV.", "US", ("",),
            _tiers("US1"), "pagv01JPRG0US10000000000000001",
            "<html><p>CoolCharge participation agreement.</p></html>", "https://example.com/coolcharge"),
    Program("prog01JPRG0US20000000000000000", "Bay Area Demand Response", "Pacific Utility",
            '<a href="javascript:alert(1)">Sign up</a> for demand response in California.', "US",
            ("94", "95"), _tiers("US2"), "pagv01JPRG0US20000000000000001",
            "<html><p>Demand response agreement.</p></html>", "https://example.com/bayarea"),
)
BY_ID = {program.id: program for program in PROGRAMS}
TIERS = {tier.id: (program, tier) for program in PROGRAMS for tier in program.tiers}


def available_at(program: Program, country: str, postal_code: str) -> bool:
    if (country or "").upper() != program.country:
        return False
    code = (postal_code or "").upper().replace(" ", "")
    for prefix in program.postcode_prefixes:
        if not prefix:
            return True
        rest = code[len(prefix):]
        if code.startswith(prefix) and (not rest or rest[0].isdigit() or program.country == "US"):
            return True
    return False


def eligible_for(user) -> list[Program]:
    return [program for program in PROGRAMS if available_at(program, user.country_code, user.postal_code)]


def seed_records(*, seed: int, users, vehicles, evses, plan):
    rng = module_rng(seed, "programs")
    records = []
    ordinary = [user for user in users if user.id not in plan.case_users]
    candidates = [user for user in ordinary if eligible_for(user)]
    case_user = next((user for user in candidates if eligible_for(user)[0].country == "GB"),
                     candidates[0] if candidates else None)
    others = [user for user in candidates if user is not case_user]
    for user in rng.sample(others, k=min(len(others), max(1, len(others) // 4))):
        program = rng.choice(eligible_for(user))
        tier = program.tiers[0]
        records.append(Record(id=ids.seeded_id(ENROLMENT_PREFIX, plan.now, rng), kind=ENROLMENT, user_id=user.id,
                              at=plan.now, data={"program": program.id, "tier": tier.id}))
    if case_user is not None:
        plan.case_users.add(case_user.id)
        program = eligible_for(case_user)[0]
        records.append(Record(
            id=ids.seeded_id(SEED_CASE_PREFIX, plan.now, rng), kind=SEED_CASE, user_id=case_user.id, at=plan.now,
            data={"name": CASE, "description": "A driver eligible for a program at their postcode but not enrolled "
                                               "in any.",
                  "user_id": case_user.id, "program": program.id, "program_name": program.name,
                  "postal_code": case_user.postal_code, "country_code": case_user.country_code}))
    return records
