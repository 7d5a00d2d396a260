"""Joining a program on the driver's behalf: one POST, never retried, audited; it cannot be undone
from evadmin (the API has no leave), so the page confirms first."""

from __future__ import annotations

from django.http import HttpRequest

from evadmin.audit import actions
from evadmin.audit.services import audit_record
from evadmin.evenergy import errors
from evadmin.evenergy.client import evenergy_client
from evadmin.evenergy.collections import PROGRAM_JOIN, PROGRAM_USER_VERIFICATION
from evadmin.evenergy.programs import Program
from evadmin.evenergy.read_cache import read_cache_forget, read_cache_store
from evadmin.evenergy.resources import check_id
from evadmin.programs.selectors import ENROLMENT


def _post_for_driver(operation, *, user_id: str, program_id: str, data: dict, event: dict, before: dict):
    """One POST of `operation` on the driver's behalf (EvEnergy-User), never retried; an answer that never came
    is audited as unknown with what to check, and raised."""
    path = operation.path.format(id=check_id(program_id, "prog"))
    try:
        return evenergy_client().write("POST", path, json=data, expected=operation.expected,
                                       headers={"EvEnergy-User": check_id(user_id, "user")}, check=operation.check)
    except errors.OutcomeUnknown as exc:
        audit_record(**event, before=before, after={"outcome": "unknown", "check": exc.check})
        read_cache_forget(scope=user_id)
        raise


def program_join(*, user_id: str, program_id: str, data: dict, actor, reason: str,
                 request: HttpRequest | None = None) -> Program:
    """POST /programs/{id}/join for the driver: the driver leaves any other program."""
    event = {"actor": actor, "action": actions.PROGRAM_JOIN, "target_user_id": user_id, "reason": reason,
             "request": request}
    before = {"program": program_id}
    response = _post_for_driver(PROGRAM_JOIN, user_id=user_id, program_id=program_id, data=data, event=event,
                                before=before)
    program = Program.from_api(response.json())
    audit_record(**event, before=before, after={"enrolled_in": program.id, "name": program.name})
    read_cache_forget(scope=user_id)  # the driver's programs read again when next opened
    read_cache_store(scope=user_id, name=ENROLMENT, value=program)
    return program


def program_verify(*, user_id: str, program_id: str, data: dict, actor, reason: str,
                   request: HttpRequest | None = None) -> None:
    """POST /programs/{id}/user_verification for the driver: the utility account details, sent once.
    The audit keeps which fields were sent, never their values (account numbers)."""
    event = {"actor": actor, "action": actions.PROGRAM_VERIFY, "target_user_id": user_id, "reason": reason,
             "request": request}
    before = {"program": program_id, "fields": sorted(data)}
    _post_for_driver(PROGRAM_USER_VERIFICATION, user_id=user_id, program_id=program_id, data=data, event=event,
                     before=before)
    audit_record(**event, before=before, after={"outcome": "sent"})
