"""The ledger: every API request evadmin sends is recorded with what spent it (issue "People first")."""

from datetime import timedelta

from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from evadmin.bulk import services
from evadmin.bulk.models import BulkJob
from evadmin.driver_directory.sync import directory_sync_step
from evadmin.evenergy.ledger import ledger_purge, operation_of
from evadmin.evenergy.models import ApiRequestRecord
from tests.bulk.conftest import offline_checker
from tests.bulk.factories import address, csv_bytes
from tests.bulk.test_engine import drive
from tests.conftest import sent
from tests.staff.fixtures import make_staff


def test_every_request_has_its_source(api_settings, sandbox_api, db, settings):
    import io

    from evadmin.bulk.upload.drafts import bulk_job_create_from_upload

    sandbox_api.reset(data=True)
    ApiRequestRecord.objects.all().delete()
    directory_sync_step(kind="full")
    agent = make_staff("support", username="ledger-agent")
    client = Client()
    client.force_login(agent)
    user_id = sandbox_api_first_user(client)  # from the directory the sync filled
    client.get(f"/users/{user_id}/")
    client.get(f"/users/{user_id}/devices/", HTTP_HX_REQUEST="true")
    operator = make_staff("bulk_operator", username="ledger-operator")
    job = bulk_job_create_from_upload(file=io.BytesIO(csv_bytes([{"email": "ledger@example.com", **address()}])),
                                      file_name="ledger.csv", actor=operator, checker=offline_checker())
    services.bulk_job_submit(job_id=job.pk, actor=operator, existing_policy="skip", strict_mode=False)
    job.refresh_from_db()
    drive(job)
    call_command("apicheck", stdout=io.StringIO())

    records = list(ApiRequestRecord.objects.all())
    assert len(records) == len(sent(sandbox_api, path_prefix="/v2/")) > 5  # every request, and no other
    assert all(record.source_kind and record.source_label != "unattributed" for record in records)
    by_source = {(record.source_kind, record.source_label, record.page) for record in records}
    assert ("staff", "ledger-agent", "users:detail") in by_source
    assert ("staff", "ledger-agent", "devices:list") in by_source
    assert ("job", f"bulk job {job.pk}", "") in by_source
    assert any(kind == "sync" and label.startswith("directory sync ") for kind, label, _ in by_source)
    assert ("system", "manage.py apicheck", "") in by_source
    post = next(record for record in records if record.method == "POST")
    assert (post.operation, post.status) == ("POST /users", 201) and post.source_label == f"bulk job {job.pk}"
    assert job.status == BulkJob.Status.FINISHED


def sandbox_api_first_user(client) -> str:
    from evadmin.driver_directory.models import DirectoryAccount

    return DirectoryAccount.objects.order_by("user_id").values_list("user_id", flat=True).first()


def test_operations_group_by_shape_not_by_id():
    assert operation_of("GET", "/users/user01HN2NJ9NMRZBXT1H6FT9N7735") == "GET /users/{id}"
    assert operation_of("GET", "/vehicles") == "GET /vehicles"


def test_the_ledger_keeps_its_retention(db, settings):
    settings.EVADMIN_API_LEDGER_DAYS = 30
    now = timezone.now()
    for days in (31, 29):
        ApiRequestRecord.objects.create(sent_at=now - timedelta(days=days), method="GET", operation="GET /users",
                                        status=200, source_kind="staff", source_label="someone")
    assert ledger_purge(now=now) == 1
    assert ApiRequestRecord.objects.get().sent_at == now - timedelta(days=29)
    assert settings.CELERY_BEAT_SCHEDULE["evenergy-ledger-purge"]["task"] == "evenergy.ledger_purge"
