import pytest
from django.contrib.admin.sites import site
from django.test import RequestFactory

from evadmin.audit.models import AuditEvent, AuditTrailImmutableError
from evadmin.audit.services import audit_record
from tests.staff.fixtures import make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def event():
    return audit_record(actor=make_staff("support"), action="user.update", target_user_id="u-1", after={"a": 1})


def test_saving_an_existing_event_raises(event):
    event.reason = "rewritten"
    with pytest.raises(AuditTrailImmutableError):
        event.save()


def test_deleting_an_event_raises(event):
    with pytest.raises(AuditTrailImmutableError):
        event.delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_queryset_update_and_delete_raise(event):
    with pytest.raises(AuditTrailImmutableError):
        AuditEvent.objects.filter(pk=event.pk).update(reason="x")
    with pytest.raises(AuditTrailImmutableError):
        AuditEvent.objects.all().delete()
    with pytest.raises(AuditTrailImmutableError):
        AuditEvent.objects.bulk_update([event], ["reason"])


def test_events_can_only_be_appended_through_audit_record():
    with pytest.raises(AuditTrailImmutableError):
        AuditEvent.objects.create(action="user.create", prev_hash="0" * 64)
    with pytest.raises(AuditTrailImmutableError):
        AuditEvent.objects.bulk_create([AuditEvent(action="user.create", hash="f" * 64)])


def test_actor_account_cannot_be_deleted_while_events_name_it(event):
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        event.actor.delete()


def test_django_admin_is_read_only(event):
    model_admin = site._registry[AuditEvent]
    request = RequestFactory().get("/admin/audit/auditevent/")
    request.user = make_staff("admin")
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, event)
    assert not model_admin.has_delete_permission(request, event)
    assert model_admin.has_view_permission(request, event)
    assert not model_admin.get_actions(request)


def test_admin_role_can_view_events_in_django_admin_but_not_edit(client_as, event):
    client = client_as("admin")
    assert client.get(f"/admin/audit/auditevent/{event.pk}/change/").status_code == 200
    response = client.post(f"/admin/audit/auditevent/{event.pk}/change/", {"reason": "edited"})
    assert response.status_code == 403
    assert client.post(f"/admin/audit/auditevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    assert AuditEvent.objects.get(pk=event.pk).reason == ""
