"""Directory syncs under answers the spec allows but that once misled evadmin (issue 11): an empty
listing that marked every account gone, and next links that do not move forward."""

import pytest
from django.core import mail

from evadmin.driver_directory.models import DirectoryAccount, DirectorySync
from tests.conftest import sent
from tests.driver_directory.test_sync import run_to_completion


def present() -> int:
    return DirectoryAccount.objects.filter(gone_at__isnull=True).count()


def test_a_full_sync_that_sees_nobody_marks_nobody_gone_until_a_second_one_agrees(directory_api, settings, client_as):
    settings.ADMINS = [("Ops", "ops@example.com")]
    run_to_completion("full")
    assert present() == 250

    directory_api.faults(empty_lists=True)
    held = run_to_completion("full")

    assert present() == 250, "nobody is hidden from search on one sync's word"
    assert held.gone_held_back == 250 and held.status == DirectorySync.Status.COMPLETE
    assert "did not list 250 of the directory's 250 accounts" in held.note
    [alarm] = mail.outbox
    assert alarm.to == ["ops@example.com"] and "held back marking 250 accounts gone" in alarm.subject
    admin = client_as("admin")
    assert "did not list 250 of the directory" in admin.get("/directory/").content.decode()
    assert "The last full sync held back marking 250 accounts gone." in admin.get("/locations/").content.decode()

    agreeing = run_to_completion("full")  # the API still lists nobody: two syncs agree
    assert agreeing.gone_held_back == 0 and not agreeing.note
    assert present() == 0


def test_a_sync_that_lists_them_again_clears_the_warning(directory_api):
    run_to_completion("full")
    directory_api.faults(empty_lists=True)
    assert run_to_completion("full").gone_held_back == 250
    directory_api.faults(empty_lists=False)
    again = run_to_completion("full")
    assert (again.gone_held_back, again.note, present()) == (0, "", 250)


@pytest.mark.parametrize("paging", ["repeat_next", "foreign_cursor"])
def test_a_sync_walks_forward_whatever_the_next_link_says(directory_api, paging):
    directory_api.faults(paging=paging)
    sync = run_to_completion("full")
    assert sync.status == DirectorySync.Status.COMPLETE and present() == 250
    assert len(sent(directory_api, "GET", "/v2/users")) <= 4  # 3 pages, and one empty one to be sure


def test_a_sync_served_the_same_page_again_stops_with_a_reason(directory_api):
    directory_api.faults(paging="ignore_paging")
    sync = run_to_completion("full")
    assert sync.status == DirectorySync.Status.FAILED
    assert "did not move forward" in sync.error
    assert len(sent(directory_api, "GET", "/v2/users")) == 2
