"""A playbook's revisions are its history: they are appended, never changed or deleted."""

import pytest

from evadmin.playbooks.models import Playbook, PlaybookRevision, RevisionImmutableError


@pytest.fixture
def revision(db):
    playbook = Playbook.objects.create(subcategory="SPAM")
    return PlaybookRevision.objects.create(playbook=playbook, number=1, steps=[{"text": "Close it", "link": ""}],
                                           reason="First")


def test_a_revision_cannot_be_changed(revision):
    revision.reason = "Rewritten"
    with pytest.raises(RevisionImmutableError):
        revision.save()
    with pytest.raises(RevisionImmutableError):
        PlaybookRevision.objects.filter(pk=revision.pk).update(reason="Rewritten")
    revision.refresh_from_db()
    assert revision.reason == "First"


def test_a_revision_cannot_be_deleted(revision):
    with pytest.raises(RevisionImmutableError):
        revision.delete()
    with pytest.raises(RevisionImmutableError):
        PlaybookRevision.objects.all().delete()
    assert PlaybookRevision.objects.filter(pk=revision.pk).exists()


def test_the_shipped_playbooks_cover_the_ten_most_common_subcategories(db):
    shipped = {"NO_CHARGE", "OFFLINE", "CHARGE_PAST_READY_BY_TIME", "REAUTHENTICATION", "INCOMPLETE_CHARGE",
               "CHARGING_ON_PEAK", "TELEMATICS_ISSUE", "UNABLE_TO_DETECT_CAR_PLUGGED_IN", "LOGIN_CREDENTIALS",
               "INCORRECT_KWH_DISPLAYED"}
    assert set(Playbook.objects.values_list("subcategory", flat=True)) >= shipped
    for revision in PlaybookRevision.objects.filter(playbook__subcategory__in=shipped):
        assert revision.number == 1 and revision.author is None and revision.reason == "Shipped with evadmin"
        assert 3 <= len(revision.steps) <= 6 and all(step["text"] for step in revision.steps)
