"""Celery tasks of the API package."""

from celery import shared_task


@shared_task(name="evenergy.refresh_token", ignore_result=True)
def evenergy_refresh_token() -> None:
    """Renew the shared access token ahead of expiry, so no page waits for a token request."""
    from evadmin.evenergy.client import evenergy_client

    evenergy_client().token.get()


@shared_task(name="evenergy.ledger_purge", ignore_result=True)
def ledger_purge() -> int:
    """Delete ledger entries older than EVADMIN_API_LEDGER_DAYS (beat runs this nightly)."""
    from evadmin.evenergy.ledger import ledger_purge as purge

    return purge()
