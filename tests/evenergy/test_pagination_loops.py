"""Every paging loop moves forward or stops (issue 11): a next link that offers a page or cursor
again, a page of items already read, a cursor of another kind, more pages than any list has.

Once, one visit to /users/new/ fetched the tariffs' page 2 for ever (the spec's own Link example
says `page=2` on every page): 79,568 requests in 12 minutes, and the hour's budget was gone.
The sandbox's paging fault modes answer the ways the spec allows; each answer is spec-checked.
"""

import logging

import pytest

from evadmin.evenergy import errors
from evadmin.evenergy.pagination import iter_cursor_pages, iter_number_pages
from tests.conftest import sent


def test_tariffs_stop_when_every_next_link_says_page_2(api, sandbox_api, caplog):
    sandbox_api.faults(paging="repeat_next")
    with caplog.at_level(logging.ERROR, logger="evadmin.evenergy.pagination"):
        with pytest.raises(errors.PaginationStalled) as caught:
            api.tariffs.all()
    assert len(sent(sandbox_api, "GET", "/v2/tariffs")) == 2  # page 1, page 2 (the first page again): stop
    assert caught.value.items, "what was read before the loop was noticed is kept"
    assert "tariffs did not move forward" in caught.value.user_message
    assert "paging the API's tariffs stopped" in caplog.text


def test_number_pages_stop_when_a_page_is_offered_again(api, sandbox_api):
    sandbox_api.faults(paging="repeat_next")
    pages = iter_number_pages(lambda number: api.tariffs.list(page=number, page_size=5), collection="tariffs")
    assert [page.number for page in [next(pages), next(pages)]] == [1, 2]
    with pytest.raises(errors.PaginationStalled, match="page 2 was offered again after page 2"):
        next(pages)
    assert len(sent(sandbox_api, "GET", "/v2/tariffs")) == 2


def test_number_pages_stop_on_a_page_of_items_already_read(api, sandbox_api):
    sandbox_api.faults(paging="ignore_paging")
    pages = iter_number_pages(lambda number: api.tariffs.list(page=number, page_size=5), collection="tariffs")
    next(pages)
    with pytest.raises(errors.PaginationStalled, match="page 2 repeats 5 items already read"):
        next(pages)
    assert len(sent(sandbox_api, "GET", "/v2/tariffs")) == 2


def test_cursor_pages_stop_when_the_next_link_repeats_its_cursor(api, sandbox_api):
    sandbox_api.faults(paging="repeat_next")
    with pytest.raises(errors.PaginationStalled, match="the page after user.* was offered again"):
        list(api.users.pages(page_size=50))
    assert len(sent(sandbox_api, "GET", "/v2/users")) == 2


def test_cursor_pages_stop_on_a_page_of_items_already_read(api, sandbox_api):
    sandbox_api.faults(paging="ignore_paging")
    with pytest.raises(errors.PaginationStalled, match="repeats 50 items already read"):
        list(api.users.pages(page_size=50))
    assert len(sent(sandbox_api, "GET", "/v2/users")) == 2


def test_a_walk_longer_than_its_bound_stops(api, sandbox_api):
    pages = iter_cursor_pages(lambda cursor: api.users.list(page_size=10, page_after=cursor), collection="users",
                              max_pages=3)
    with pytest.raises(errors.PaginationStalled, match="still had a next page after 3 pages"):
        list(pages)
    assert len(sent(sandbox_api, "GET", "/v2/users")) == 3


def test_a_walk_in_id_order_ignores_a_next_link_of_another_kind(api, sandbox_api):
    from evadmin.evenergy.pagination import next_cursor_after_last_item

    everyone = [user.id for page in api.users.pages() for user in page]
    sandbox_api.reset()
    sandbox_api.faults(paging="foreign_cursor")
    users = [user.id for page in iter_cursor_pages(
        lambda cursor: api.users.list(page_size=100, page_after=cursor), collection="users",
        next_cursor=next_cursor_after_last_item) for user in page]
    assert users == everyone
    assert len(sent(sandbox_api, "GET", "/v2/users")) == -(-len(everyone) // 100)


def test_a_cursor_of_another_kind_is_passed_on_and_refused_as_a_paging_problem(api, sandbox_api):
    sandbox_api.faults(paging="foreign_cursor")
    page = api.users.list(page_size=10)
    assert page.next_cursor.startswith("vhcl")  # as the spec's Link example carries
    with pytest.raises(errors.InvalidCursor) as caught:
        api.users.list(page_size=10, page_after=page.next_cursor)
    assert f"page_after={page.next_cursor}" in sent(sandbox_api, "GET", "/v2/users")[-1]["query"]
    assert "could not be paged" in caught.value.user_message
    assert "no such record" not in caught.value.user_message


def test_a_value_that_cannot_be_a_cursor_is_not_sent(api, sandbox_api):
    with pytest.raises(errors.InvalidCursor):
        api.users.list(page_after="x" * 500)
    assert sent(sandbox_api, "GET", "/v2/users") == []
