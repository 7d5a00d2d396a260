"""The kernel of evadmin's leased background jobs: bulk jobs, directory syncs and audit reports (and
the scans later issues add). Saleor's `Job` row is the model: the row is the truth, any worker can
carry the job on.

- A job is a row with LeasedJob's columns. A run *claims* it with a conditional UPDATE that sets a
  random `claim_token` (job_claim), so exactly one run works on it at a time.
- The run holds a Lease: every write goes through `lease.beat(...)`, which also refreshes
  `heartbeat_at` and raises LostClaim once another run took the job over. A claim whose heartbeat
  is older than the job kind's stale_after belongs to a worker that died and may be taken over.
- A run works for a time slice, then lets go (`lease.release(due_in=...)`): `due_at` says when the
  job should be carried on, `waiting_reason` why it is not working right now (for its page).
- Every API request a run sends is counted on the row: `lease.beat(requests=1)`.
- Services queue a job's task by name (job_enqueue), so they never import the tasks that call them.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

from celery import current_app
from django.db import models
from django.db.models import F, Q
from django.utils import timezone


class LeasedJob(models.Model):
    """The columns every leased job shares; each kind gives `status` its own choices."""

    status = models.CharField(max_length=20)
    # Who works on the job now: set by the run that claimed it, cleared when it lets go.
    claim_token = models.CharField(max_length=32, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)  # the claiming run's last sign of life
    due_at = models.DateTimeField(null=True, blank=True)  # when a job that let go is to be carried on
    requests_spent = models.PositiveIntegerField(default=0)  # API requests sent for this job
    error = models.TextField(blank=True)  # why the job failed (or was paused), for people
    waiting_reason = models.TextField(blank=True)  # why it is not working right now ("" while it works)

    class Meta:
        abstract = True


class LostClaim(Exception):
    """Another run took the job over (ours looked dead), or it was finished meanwhile: stop writing."""


@dataclass(frozen=True)
class Lease:
    """A run's hold on one job row, from job_claim."""

    model: type[LeasedJob]
    pk: int
    token: str

    def _mine(self):
        return self.model.objects.filter(pk=self.pk, claim_token=self.token)

    def beat(self, *, requests: int = 0, **changes) -> None:
        """Heartbeat, with any other column changes; `requests` adds to requests_spent."""
        if requests:
            changes["requests_spent"] = F("requests_spent") + requests
        if not self._mine().update(heartbeat_at=timezone.now(), **changes):
            raise LostClaim

    def release(self, *, due_in: float | None = None, requests: int = 0, **changes) -> bool:
        """Let go of the job; with `due_in` (seconds) it is due again then. False if it was not ours."""
        if requests:
            changes["requests_spent"] = F("requests_spent") + requests
        if due_in is not None:
            changes["due_at"] = timezone.now() + timedelta(seconds=due_in)
        return bool(self._mine().update(claim_token="", heartbeat_at=timezone.now(), **changes))


ANY = Q()  # a condition every row meets


def job_claim(model: type[LeasedJob], *, pk: int, stale_after: timedelta, when: Q = ANY,
              free_when: Q = ANY) -> Lease | None:
    """Claim the job if `when` holds and it is free (no claim, and `free_when`) or abandoned (claimed,
    but its heartbeat is older than `stale_after`). Returns the lease, or None when someone holds it."""
    now = timezone.now()
    token = uuid.uuid4().hex
    free = Q(claim_token="") & free_when
    abandoned = ~Q(claim_token="") & (Q(heartbeat_at__isnull=True) | Q(heartbeat_at__lt=now - stale_after))
    claimed = model.objects.filter(Q(pk=pk) & when & (free | abandoned)).update(
        claim_token=token, heartbeat_at=now, due_at=None)
    return Lease(model, pk, token) if claimed else None


def job_enqueue(task_name: str, *, countdown: float = 0.0, queue: str | None = None, **kwargs) -> None:
    """Queue a job's task by its registered name (tasks import services, never the reverse)."""
    options = {"queue": queue} if queue else {}
    current_app.send_task(task_name, kwargs=kwargs, countdown=countdown, **options)
