"""Playbooks: a short checklist per ticket subcategory, kept in evadmin's database with its history.

A playbook's checklist is its newest revision. Editing appends a revision and never changes one, so
the history is every version staff have worked from, who wrote it and why (the audit trail has the
same change as an event).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class RevisionImmutableError(Exception):
    pass


class Playbook(models.Model):
    subcategory = models.CharField(max_length=60, unique=True)  # the API's value: NO_CHARGE, OFFLINE, ...
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["subcategory"]

    def __str__(self) -> str:
        return self.subcategory


class PlaybookRevisionQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise RevisionImmutableError("Playbook revisions cannot be changed: add a new one.")

    def delete(self):
        raise RevisionImmutableError("Playbook revisions cannot be deleted.")


class PlaybookRevision(models.Model):
    playbook = models.ForeignKey(Playbook, on_delete=models.PROTECT, related_name="revisions")
    number = models.PositiveIntegerField()
    # [{"text": "Open the night…", "link": "last_night"}, …]: links are keys of links.py's vocabulary.
    steps = models.JSONField()
    reason = models.CharField(max_length=500)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                               related_name="+")  # null: shipped with evadmin
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PlaybookRevisionQuerySet.as_manager()

    class Meta:
        ordering = ["playbook", "-number"]
        constraints = [models.UniqueConstraint(fields=["playbook", "number"], name="playbook_revision_number")]

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise RevisionImmutableError("Playbook revisions cannot be changed: add a new one.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RevisionImmutableError("Playbook revisions cannot be deleted.")

    @property
    def author_name(self) -> str:
        return self.author.get_username() if self.author else "evadmin"
