"""Writes of the playbooks: a new revision of a checklist, with a reason, on record."""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest

from evadmin.audit import actions
from evadmin.audit.services import audit_record
from evadmin.playbooks.models import Playbook, PlaybookRevision


class NothingToChange(Exception):
    pass


def playbook_update(*, subcategory: str, steps: list[dict[str, str]], actor, reason: str,
                    request: HttpRequest | None = None) -> PlaybookRevision:
    """Append a revision (starting the playbook if it is new) and record it in the audit trail."""
    steps = [{"text": step["text"].strip(), "link": step.get("link", "")} for step in steps]
    with transaction.atomic():
        playbook, _ = Playbook.objects.select_for_update().get_or_create(subcategory=subcategory)
        current = playbook.revisions.order_by("-number").first()
        if current is not None and current.steps == steps:
            raise NothingToChange("The checklist is the same as the current one: change a step before saving.")
        revision = PlaybookRevision.objects.create(
            playbook=playbook, number=(current.number if current else 0) + 1, steps=steps, reason=reason,
            author=actor)
        audit_record(actor=actor, action=actions.PLAYBOOK_UPDATE, reason=reason, request=request,
                     before={"subcategory": subcategory, "revision": current.number if current else None,
                             "steps": current.steps if current else []},
                     after={"subcategory": subcategory, "revision": revision.number, "steps": steps})
    return revision
