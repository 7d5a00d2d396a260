"""Reads of the playbooks: evadmin's own database, no API request."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from evadmin.playbooks.links import STEP_LINKS, StepContext, step_link_label, step_url
from evadmin.playbooks.models import PlaybookRevision


@dataclass(frozen=True)
class Step:
    number: int
    text: str
    link: str  # the vocabulary key (links.py)
    link_label: str
    url: str | None  # None: no link, or no driver to link to


@dataclass(frozen=True)
class Checklist:
    subcategory: str
    revision: int
    revised_at: datetime
    steps: list[Step]
    missing_driver: bool  # some steps lead to a driver's pages and the ticket has no driver


def _current(subcategory: str) -> PlaybookRevision | None:
    return (PlaybookRevision.objects.select_related("playbook", "author")
            .filter(playbook__subcategory=subcategory).order_by("-number").first())


def playbook_steps(subcategory: str) -> list[dict[str, str]]:
    """The current steps as stored ([] when there is no playbook yet)."""
    revision = _current(subcategory)
    return list(revision.steps) if revision else []


def playbook_checklist(*, subcategory: str, user_id: str | None, ticket_id: str | None,
                       night: str) -> Checklist | None:
    """The subcategory's checklist with each step's link for this ticket (one query), or None."""
    revision = _current(subcategory)
    if revision is None:
        return None
    context = StepContext(user_id=user_id, ticket_id=ticket_id, night=night)
    steps = [Step(number=index, text=step["text"], link=step.get("link", ""),
                  link_label=step_link_label(step.get("link", "")), url=step_url(step.get("link", ""), context))
             for index, step in enumerate(revision.steps, start=1)]
    missing_driver = not user_id and any(
        step.link in STEP_LINKS and STEP_LINKS[step.link].needs_driver for step in steps)
    return Checklist(subcategory=subcategory, revision=revision.number, revised_at=revision.created_at, steps=steps,
                     missing_driver=missing_driver)


def playbook_list() -> list[PlaybookRevision]:
    """Every playbook's current revision (its playbook and author loaded), by subcategory: one query."""
    current: dict[str, PlaybookRevision] = {}
    for revision in (PlaybookRevision.objects.select_related("playbook", "author")
                     .order_by("playbook__subcategory", "-number")):
        current.setdefault(revision.playbook.subcategory, revision)
    return list(current.values())


def playbook_history(subcategory: str) -> list[PlaybookRevision]:
    """Every revision, newest first, with its author."""
    return list(PlaybookRevision.objects.select_related("author").filter(playbook__subcategory=subcategory)
                .order_by("-number"))
