"""The verdict rules as registered: each explained for staff, each needing evidence that exists."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured

from evadmin.charging.evidence import LOG_SOURCES, Evidence
from evadmin.charging.verdicts import EVIDENCE_NAMES, verdict_rule, verdict_rules, verdicts_for
from evadmin.evenergy.devices import EvseConnectivity

RULES = ("charger_offline", "finished_after_ready_by", "charged_at_peak", "energy_over_delivery",
         "vehicle_integration_lost", "poor_charger_connectivity")


def test_every_rule_is_registered_explained_and_needs_evidence_that_exists():
    rules = verdict_rules()

    assert {rule.name for rule in rules} == set(RULES)
    for rule in rules:
        assert rule.title and rule.explanation and rule.paragraphs, rule.name
        assert rule.needs and set(rule.needs) | set(rule.also_uses) <= EVIDENCE_NAMES.keys(), rule.name
        assert not set(rule.needs) & set(rule.also_uses), rule.name
    assert set(LOG_SOURCES) <= EVIDENCE_NAMES.keys()


def test_a_rule_without_a_docstring_or_with_unknown_evidence_is_refused():
    def undocumented(evidence):
        return None

    def documented(evidence):
        """Explained."""

    with pytest.raises(ImproperlyConfigured, match="docstring"):
        verdict_rule(name="undocumented", title="Undocumented", needs=("sub_session",))(undocumented)
    with pytest.raises(ImproperlyConfigured, match="does not exist"):
        verdict_rule(name="unknown", title="Unknown", needs=("the_weather",))(documented)
    with pytest.raises(ImproperlyConfigured, match="twice"):
        verdict_rule(name="charger_offline", title="Again", needs=("sub_session",))(documented)
    assert {rule.name for rule in verdict_rules()} == set(RULES)


def test_nothing_read_means_nothing_said():
    now = datetime.now(UTC)
    evidence = Evidence(window_start=now - timedelta(hours=12), window_end=now, zone=UTC)

    assert verdicts_for(evidence) == []

    evidence.connectivity = EvseConnectivity(connection_reliability_30d=41, signal_strength_rssi_dbm=-70)
    assert [verdict.rule for verdict in verdicts_for(evidence)] == ["poor_charger_connectivity"]
    assert verdicts_for(evidence)[0].summary == "The charger's connection is unreliable: online 41% of the last 30 days."
