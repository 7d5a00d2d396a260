"""Each audit rule finds exactly the defects the sandbox's seeding planted, and nothing else.

The directory is filled by the directory's own full sync from the sandbox API (over HTTP), and the
truth comes from the seeder itself (GET /_sandbox/seed/defects), not from a second copy of the rules.
"""

import pytest

from evadmin.data_quality.rules import all_rules
from evadmin.data_quality.selectors import directory_accounts_audited


def test_the_directory_holds_every_seeded_user(seeded_directory, sandbox_api):
    assert directory_accounts_audited().count() == sandbox_api.seed_users == 250


@pytest.mark.parametrize("rule", all_rules(), ids=lambda rule: rule.name)
def test_rule_finds_exactly_the_seeded_defects(seeded_directory, rule):
    assert rule.name in seeded_directory, f"the sandbox seed plants no {rule.name!r}: add it to DEFECT_RATES"
    planted = seeded_directory[rule.name]
    found = [finding.user_id for finding in rule.check(directory_accounts_audited())]
    assert len(found) == len(set(found)), "an account was reported twice"
    assert set(found) == planted, {"missed": planted - set(found), "not planted": set(found) - planted}
    assert 1 <= len(planted) <= 25  # a few percent of 250: the seed really exercises the rule
