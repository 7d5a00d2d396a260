"""The rebates in the driver's timeline: the stuck application appears when it was started, says where it
stands, and leads to it in the Rebates panel; held once the panel has read it (no request)."""


from tests.conftest import sent
from tests.drivers.test_timeline import not_loaded, rows, timeline
from tests.rebates.conftest import panel_url


def test_loading_rebates_costs_one_request_and_each_application_links_to_it_in_the_panel(pages, sandbox_api,
                                                                                         case):
    viewer, user_id = pages("viewer"), case["user_id"]
    sandbox_api.reset()
    html = timeline(viewer, user_id, load="rebates")
    [read] = sent(sandbox_api, "GET")
    assert read["path"] == "/v2/user_rebates"
    links = [link for kind, _, link in rows(html) if kind == "rebates"]
    assert f"{panel_url('panel', user_id)}#rebate-{case['user_rebate']}" in links
    assert "Now submitted: in evidence review." in html
    panel = viewer.get(panel_url("panel", user_id)).content.decode()
    assert f'id="rebate-{case["user_rebate"]}"' in panel  # the link's anchor is there


def test_once_the_panel_has_read_them_the_rebates_are_in_the_stream_at_no_cost(pages, sandbox_api, case):
    viewer, user_id = pages("viewer"), case["user_id"]
    assert "rebates" in not_loaded(timeline(viewer, user_id))
    viewer.get(panel_url("panel", user_id), HTTP_HX_REQUEST="true")
    sandbox_api.reset()
    html = timeline(viewer, user_id, kind="rebates")
    assert not sent(sandbox_api)
    assert "rebates" not in not_loaded(html)
    assert [kind for kind, _, _ in rows(html)] and {kind for kind, _, _ in rows(html)} == {"rebates"}
