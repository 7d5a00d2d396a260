"""Celery tasks of the audit trail: thin, named like the service they call."""

from celery import shared_task

from evadmin.audit import services


@shared_task(name="audit.verify_chain", ignore_result=True)
def audit_chain_check() -> None:
    """Recompute the hash chain; a broken one raises the alarm (see services.audit_chain_check)."""
    services.audit_chain_check()
