"""Reading the audit trail."""

from collections.abc import Callable, Iterable

from django.apps import apps
from django.db.models import QuerySet

from evadmin.audit.actions import KNOWN_ACTIONS
from evadmin.audit.models import AuditEvent
from evadmin.audit.services import flatten

# (field, value) pairs of events' changes -> {value: what people call it}.
IdNamer = Callable[[Iterable[tuple[str, object]]], dict[str, str]]
# The apps that know what an id in a change names (a tariff, an EVSE site) register here when they
# start (AppConfig.ready), so the trail reads names without importing the apps that record into it.
_id_namers: list[IdNamer] = []


def audit_event_list() -> QuerySet[AuditEvent]:
    """Every event, newest first; evadmin.audit.filters.AuditEventFilter narrows it."""
    return AuditEvent.objects.select_related("actor").order_by("-id")


def audit_action_names() -> list[str]:
    """Every action seen in the trail plus the known ones, for the filter's choices."""
    recorded = AuditEvent.objects.order_by().values_list("action", flat=True).distinct()
    return sorted(set(KNOWN_ACTIONS) | set(recorded))


def ticket_history(*, ticket_ref: str, limit: int = 50) -> list[AuditEvent]:
    """What staff did for a support ticket (recategorising it, fixes taken from it), newest first."""
    return list(AuditEvent.objects.filter(ticket_ref=ticket_ref).select_related("actor").order_by("-id")[:limit])


def driver_emails(*, user_ids: set[str]) -> dict[str, str]:
    """{user id: email} from the directory for the drivers a page names (one query, no API request).

    Read through the app registry: the directory records its own audit events, so the trail does not
    import it."""
    if not user_ids:
        return {}
    accounts = apps.get_model("directory", "DirectoryAccount").objects.filter(user_id__in=user_ids)
    return dict(accounts.values_list("user_id", "email"))


def register_id_namer(namer: IdNamer) -> None:
    if namer not in _id_namers:
        _id_namers.append(namer)


def event_value_names(events: Iterable[AuditEvent]) -> dict[str, str]:
    """{id: name} for the ids the events' changes hold that a registered namer knows; an id nobody has
    named is left out, and shows as an id."""
    pairs = [(key, value) for event in events for side in (event.before, event.after)
             if isinstance(side, dict) for key, value in flatten(side).items()]
    names: dict[str, str] = {}
    for namer in _id_namers:
        names.update(namer(pairs))
    return names
