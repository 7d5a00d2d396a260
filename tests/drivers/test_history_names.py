"""A driver's history names tariffs and sites (with the supplier or operator), not by their ids; the
ids stay on hover and in exports. Names come from what evadmin already holds: never a request."""

from django.core.cache import cache
from django.template.loader import render_to_string

from evadmin.audit.selectors import event_value_names
from evadmin.audit.services import audit_record
from evadmin.audit.templatetags.audit_tags import audit_changes
from evadmin.evenergy.reference import EVSE_SITE_CHOICES_KEY
from evadmin.evenergy.resources import EvseSite
from tests.driver_directory.conftest import store_accounts  # noqa: F401  (a fixture, used by name)
from tests.driver_directory.factories import ApiUserFactory
from tests.driver_directory.test_search import AGILE, GO, OCTOPUS

SITE = EvseSite(id="site01HN0000000000000000000009", url="", cpms_connection="chargepoint",
                cpms_connection_display_name="ChargePoint", evse_urls=["a", "b"])


def test_the_history_shows_tariff_and_site_names_with_the_ids_on_hover(store_accounts):  # noqa: F811
    store_accounts(ApiUserFactory(number=1, tariff=AGILE, supplier=OCTOPUS),
                   ApiUserFactory(number=2, tariff=GO, supplier=OCTOPUS))
    cache.set(EVSE_SITE_CHOICES_KEY, [SITE], 60)
    event = audit_record(actor=None, action="user.update", target_user_id="user01HN0000000000000000000001",
                         before={"default_location.tariff": AGILE[0], "default_location.evse_site": None},
                         after={"default_location.tariff": GO[0], "default_location.evse_site": SITE.id})
    names = event_value_names([event])
    assert names == {AGILE[0]: "Agile Octopus · Octopus Energy", GO[0]: "Intelligent Go · Octopus Energy",
                     SITE.id: "ChargePoint · 2 chargers · site01HN0000000000000000000009"}
    html = render_to_string("components/diff.html", {"changes": audit_changes(event), "names": names})
    assert f'<span title="{AGILE[0]}">Agile Octopus · Octopus Energy</span>' in html
    assert f'<span title="{GO[0]}">Intelligent Go · Octopus Energy</span>' in html
    assert f">{AGILE[0]}<" not in html  # no bare id for a person to decode


def test_an_unknown_id_stays_an_id_and_a_site_without_an_operator_says_so(db):
    event = audit_record(actor=None, action="user.update", after={"default_location.tariff": "tari01HNZZ"})
    assert event_value_names([event]) == {}
    anonymous = EvseSite(id="site01HN0000000000000000000010", url="")
    assert anonymous.label == "Operator not given · 0 chargers · site01HN0000000000000000000010"
