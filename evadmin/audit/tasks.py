"""Celery tasks of the audit trail."""

from celery import shared_task


@shared_task(name="audit.verify_chain", ignore_result=True)
def audit_verify_chain_task() -> None:
    """Recompute the hash chain; a broken one raises the alarm (see audit_chain_check)."""
    from evadmin.audit.services import audit_chain_check

    audit_chain_check()
