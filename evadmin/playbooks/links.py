"""Where a playbook's step can lead: the panels and fixes that answer a ticket, by a short key.

A step stores its key ("last_night", "fix:password_reset"), not a URL, so a playbook keeps working
for every driver and every ticket, and a page that moves takes its playbooks with it. Keys for a
driver's pages need the ticket's driver; a fix link names the ticket (`?ticket=`), so the fix's audit
event carries it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from django.urls import reverse


@dataclass(frozen=True)
class StepContext:
    user_id: str | None
    ticket_id: str | None
    night: str  # the night the ticket is about (ISO date), "" when not known


@dataclass(frozen=True)
class StepLink:
    label: str
    build: Callable[[StepContext], str]
    needs_driver: bool = True


def _night(context: StepContext) -> str:
    if not context.night:
        return reverse("charging:panel", args=[context.user_id])
    return reverse("charging:night", args=[context.user_id, context.night])


def _fix(name: str) -> Callable[[StepContext], str]:
    def build(context: StepContext) -> str:
        url = reverse("fixes:fix", args=[context.user_id, name])
        return f"{url}?{urlencode({'ticket': context.ticket_id})}" if context.ticket_id else url
    return build


# The fixes that act on the driver (evadmin/fixes/registry.py, target USER; a test keeps the two in step):
# the others need a vehicle or a sub-session, and the driver's panels offer them. Named here, not
# imported, because the fixes' pages read the ticket desk, which shows the playbooks.
DRIVER_FIXES = {"boost_start": "Start a boost", "boost_end": "End the boost",
                "onboarding_link": "Send a vehicle onboarding link", "password_reset": "Send a password reset email"}
NO_LINK = ""
STEP_LINKS: dict[str, StepLink] = {
    "driver": StepLink("The driver's account", lambda context: reverse("users:detail", args=[context.user_id])),
    "edit_driver": StepLink("Edit the driver", lambda context: reverse("users:edit", args=[context.user_id])),
    "charging": StepLink("The driver's charging sessions",
                         lambda context: reverse("charging:panel", args=[context.user_id])),
    "last_night": StepLink("The night before the ticket (charging investigator)", _night),
    "devices": StepLink("The driver's charger and vehicle",
                        lambda context: reverse("devices:list", args=[context.user_id])),
    "driver_tickets": StepLink("The driver's other tickets",
                               lambda context: reverse("tickets:driver", args=[context.user_id])),
    "verdict_rules": StepLink("The verdict rules", lambda context: reverse("verdicts:rules"), needs_driver=False),
    **{f"fix:{name}": StepLink(f"Fix: {label}", _fix(name)) for name, label in DRIVER_FIXES.items()},
}


def link_choices() -> list[tuple[str, str]]:
    return [(NO_LINK, "No link"), *((key, link.label) for key, link in STEP_LINKS.items())]


def step_url(key: str, context: StepContext) -> str | None:
    """The step's URL for this ticket, or None (no link, an unknown key, or no driver to link to)."""
    link = STEP_LINKS.get(key)
    if link is None or (link.needs_driver and not context.user_id):
        return None
    return link.build(context)


def step_link_label(key: str) -> str:
    link = STEP_LINKS.get(key)
    return link.label if link else ""
