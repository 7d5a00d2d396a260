"""A report over many accounts: every rule's count is right, and the time it took is printed.

Runs over 3,000 bulk-created accounts by default. To measure the issue's 100,000 (a report must
finish in under a minute), run it alone with output shown:

    EVADMIN_REPORT_SCALE_ACCOUNTS=100000 pytest -s -p no:cacheprovider tests/data_quality/test_scale.py

No timing is asserted: shared CI machines vary too much for that.
"""

import os
import time

import pytest

from evadmin.data_quality.models import AuditReport
from evadmin.data_quality.services import audit_report_advance
from evadmin.driver_directory.models import DirectoryAccount
from tests.driver_directory.factories import DirectoryAccountFactory

pytestmark = pytest.mark.django_db

ACCOUNTS = int(os.environ.get("EVADMIN_REPORT_SCALE_ACCOUNTS", "3000"))
# Every n-th account gets the defect; the periods are coprime, so accounts with several defects occur.
DEFECT_EVERY = {
    "no_default_location": 31, "no_tariff": 29, "no_terms_consent": 23, "duplicate_email": 37,
    "no_devices": 19, "coordinates_outside_country": 41, "postcode_format": 17, "tariff_currency_mismatch": 43,
}


def _account(index: int) -> DirectoryAccount:
    fields = {}
    if index % DEFECT_EVERY["no_default_location"] == 0:
        fields.update(has_location=False, address_1="", city="", postal_code="", country_code="", latitude=None,
                      longitude=None, tariff_id="", tariff_name="", tariff_currency="")
    else:
        if index % DEFECT_EVERY["no_tariff"] == 0:
            fields.update(tariff_id="", tariff_name="", tariff_currency="")
        elif index % DEFECT_EVERY["tariff_currency_mismatch"] == 0:
            fields.update(tariff_currency="EUR")
        if index % DEFECT_EVERY["coordinates_outside_country"] == 0:
            fields.update(latitude=40.7128, longitude=-74.006)
        if index % DEFECT_EVERY["postcode_format"] == 0:
            fields.update(postal_code="SW1A 2")
    if index % DEFECT_EVERY["no_terms_consent"] == 0:
        fields.update(terms_consent_at=None)
    if index % DEFECT_EVERY["no_devices"] == 0:
        fields.update(vehicle_count=0, evse_count=0)
    if index % DEFECT_EVERY["duplicate_email"] == 0 and index:
        fields.update(email=f"USR{index - 1:07d}@EXAMPLE.COM", email_normalised=f"usr{index - 1:07d}@example.com")
    return DirectoryAccountFactory.build(healthy=True, user_id=f"usr{index:07d}", **fields)


def _expected(count: int) -> dict[str, int]:
    expected = dict.fromkeys(DEFECT_EVERY, 0)
    for index in range(count):
        account = _account(index)
        expected["no_default_location"] += not account.has_location
        expected["no_tariff"] += account.has_location and not account.tariff_id
        expected["tariff_currency_mismatch"] += account.tariff_currency == "EUR"
        expected["coordinates_outside_country"] += account.latitude == 40.7128
        expected["postcode_format"] += account.postal_code == "SW1A 2"
        expected["no_terms_consent"] += account.terms_consent_at is None
        expected["no_devices"] += account.vehicle_count == account.evse_count == 0
        expected["duplicate_email"] += 2 * (account.email.isupper())  # the copy and its original
    return expected


def test_a_report_over_many_accounts(capsys):
    started = time.monotonic()
    DirectoryAccount.objects.bulk_create((_account(index) for index in range(ACCOUNTS)), batch_size=1000)
    created = time.monotonic()

    report = audit_report_advance(report_id=AuditReport.objects.create().pk)

    finished = time.monotonic()
    assert report.status == AuditReport.Status.COMPLETE and report.accounts_checked == ACCOUNTS
    assert report.counts == _expected(ACCOUNTS)
    assert report.findings.count() == report.total_findings

    # The second report also compares every finding with the first one's.
    second = audit_report_advance(report_id=AuditReport.objects.create().pk)
    compared = time.monotonic()
    assert second.counts == report.counts and second.previous == report
    assert set(second.new_counts.values()) == set(second.resolved_counts.values()) == {0}
    with capsys.disabled():
        print(f"\naudit report over {ACCOUNTS:,} accounts: {report.total_findings:,} findings in "
              f"{finished - created:.1f} s, the next one (compared with it) in {compared - finished:.1f} s "
              f"(creating the accounts took {created - started:.1f} s)")
