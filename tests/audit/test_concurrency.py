import threading

import pytest
from django.db import connection

from evadmin.audit.models import AuditEvent
from evadmin.audit.services import audit_record, audit_verify_chain

WRITERS = 6
EVENTS_EACH = 5


@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_keep_the_chain_linear():
    """Writers racing on their own connections must each link to a distinct predecessor."""
    start = threading.Barrier(WRITERS)
    errors: list[BaseException] = []

    def writer(number: int) -> None:
        try:
            start.wait()
            for n in range(EVENTS_EACH):
                audit_record(actor=None, action="user.update", target_user_id=f"w{number}", after={"n": n})
        except BaseException as exc:  # reported below; a thread's exception is otherwise lost
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(number,)) for number in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not errors, errors
    events = list(AuditEvent.objects.order_by("id"))
    assert len(events) == WRITERS * EVENTS_EACH
    prev_hashes = [event.prev_hash for event in events]
    assert len(set(prev_hashes)) == len(prev_hashes), "two events link to the same predecessor: the chain forked"
    result = audit_verify_chain()
    assert result.ok, result
    assert result.events_checked == WRITERS * EVENTS_EACH
