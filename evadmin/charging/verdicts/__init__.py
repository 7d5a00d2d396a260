"""Verdicts: short plain-language conclusions a page states when the evidence supports one.

Rules, not guesses. A verdict rule is one registered function taking `Evidence` (evidence.py) and
returning a `Verdict` or None; its docstring is what staff read on the rules page. A rule declares
the evidence it needs (`needs`: log sources of evidence.LOG_SOURCES, or "sub_session",
"prices", "connectivity", "vehicle", "evse", "ready_by"); it runs only when all of it has been read,
so a page never states a cause it has not seen. Evidence that only adds to a verdict when the page
has read it (the vehicle's status beside a silent charger) is declared as `also_uses`. Each claim of a verdict links to the evidence behind it
(`Claim.anchor`, an element id on the page: "flags", "assessment", "timeline", "log-evse_ocpp"...).

    @verdict_rule(name="charger_offline", title="Charger offline", needs=("evse_status", "evse_ocpp"))
    def charger_offline(evidence):
        \"\"\"What staff read: when this verdict is given and what it means.\"\"\"
        ...
        return Verdict(rule="charger_offline", summary="The charger was offline from 01:10 to 06:40", claims=[...])

in one of the modules imported at the bottom of this file (session_rules.py: what the
sub-session's own figures show; device_rules.py: what the charger's and vehicle's logs show).
`templates/charging/verdict_rules.html` (`verdicts:rules`) lists every rule for staff.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ImproperlyConfigured

from evadmin.charging import evidence as sources
from evadmin.charging.evidence import Evidence

# Evidence besides the logs a rule may need.
SUB_SESSION, PRICES, CONNECTIVITY, VEHICLE, EVSE, READY_BY = (
    "sub_session", "prices", "connectivity", "vehicle", "evse", "ready_by")
# Every piece of evidence a rule may name, in the words of the rules page.
EVIDENCE_NAMES = {
    SUB_SESSION: "the sub-session (energy use, flags, assessment, reasons)",
    READY_BY: "the ready-by time (schedule plans)",
    PRICES: "the tariff's prices",
    VEHICLE: "the vehicle",
    EVSE: "the charger",
    CONNECTIVITY: "the charger's connectivity",
    sources.EVSE_STATUS: "the charger's status logs",
    sources.EVSE_OCPP: "the charger's OCPP logs",
    sources.EVSE_ERRORS: "the charger's error logs",
    sources.EVSE_COMMANDS: "the charger's command logs",
    sources.VEHICLE_STATUS: "the vehicle's status logs",
    sources.VEHICLE_ERRORS: "the vehicle's error logs",
    sources.VEHICLE_COMMANDS: "the vehicle's command logs",
    sources.DISPATCHER: "the dispatcher logs",
}


@dataclass(frozen=True)
class Claim:
    text: str  # "no status logs from 01:10 to 06:40"
    anchor: str  # the element id of the evidence on the page
    query: str = ""  # optional query string that makes the page show that evidence (?logs=evse_ocpp)


@dataclass(frozen=True)
class Verdict:
    rule: str
    summary: str  # one sentence, in the driver's local time
    claims: list[Claim] = field(default_factory=list)


Check = Callable[[Evidence], Verdict | None]


@dataclass(frozen=True)
class VerdictRule:
    name: str
    title: str
    needs: tuple[str, ...]
    explanation: str
    check: Check
    also_uses: tuple[str, ...] = ()  # read when the page has loaded them; the rule runs without them

    @property
    def paragraphs(self) -> list[str]:
        """The docstring as the page shows it: its paragraphs, each unwrapped."""
        return [" ".join(paragraph.split()) for paragraph in self.explanation.split("\n\n") if paragraph.strip()]

    @property
    def needs_in_words(self) -> list[str]:
        return [EVIDENCE_NAMES[need] for need in self.needs]

    @property
    def also_uses_in_words(self) -> list[str]:
        return [EVIDENCE_NAMES[name] for name in self.also_uses]


_REGISTRY: dict[str, VerdictRule] = {}


def verdict_rule(*, name: str, title: str, needs: tuple[str, ...],
                 also_uses: tuple[str, ...] = ()) -> Callable[[Check], Check]:
    """Register the decorated function as a verdict rule; its docstring is the explanation staff read."""

    def register(check: Check) -> Check:
        explanation = inspect.getdoc(check)
        if not explanation:
            raise ImproperlyConfigured(f"verdict rule {name!r} needs a docstring: staff read it")
        if name in _REGISTRY:
            raise ImproperlyConfigured(f"verdict rule {name!r} is registered twice")
        unknown = (set(needs) | set(also_uses)) - EVIDENCE_NAMES.keys()
        if unknown or not needs:
            raise ImproperlyConfigured(f"verdict rule {name!r} needs evidence that does not exist: {sorted(unknown)}")
        _REGISTRY[name] = VerdictRule(name=name, title=title, needs=tuple(needs), explanation=explanation,
                                      check=check, also_uses=tuple(also_uses))
        return check

    return register


def verdict_rules() -> list[VerdictRule]:
    return list(_REGISTRY.values())


def _available(evidence: Evidence, need: str) -> bool:
    if need in (SUB_SESSION, PRICES, CONNECTIVITY, VEHICLE, EVSE, READY_BY):
        return getattr(evidence, need) is not None
    return evidence.has(need)


def verdicts_for(evidence: Evidence) -> list[Verdict]:
    """The verdicts every rule whose evidence has been read gives, in registration order."""
    found = []
    for rule in _REGISTRY.values():
        if all(_available(evidence, need) for need in rule.needs):
            verdict = rule.check(evidence)
            if verdict is not None:
                found.append(verdict)
    return found


from evadmin.charging.verdicts import device_rules, session_rules  # noqa: E402,F401  (registers the rules)
