"""The one pager (evadmin/core/pager.py, templates/components/pager.html): numbered and cursor pages."""

import re

from django.core.paginator import Paginator
from django.template import Context, Template
from django.test import RequestFactory

from evadmin.core.pager import pager_for
from evadmin.evenergy.pagination import CursorPage


def _request(path="/things/", **params):
    return RequestFactory().get(path, params)


def _draw(request, page, options: str) -> str:
    template = Template("{% load components %}{% pager page " + options + " %}")
    return template.render(Context({"page": page, "request": request}))


def test_numbered_pages_keep_the_other_parameters_and_say_where_they_are():
    page = Paginator(range(60), 25).page(2)
    pager = pager_for(_request(action="user.update", page="2"), page, target="#results", label="Pages")
    assert pager.previous_url == "?action=user.update&page=1" and pager.next_url == "?action=user.update&page=3"
    assert pager.status == "Page 2 of 3"


def test_the_page_parameter_and_status_can_be_named():
    page = Paginator(range(1500), 50).page(2)
    pager = pager_for(_request(), page, target="#rows", label="Rows", param="rows_page", items="Rows")
    assert pager.next_url == "?rows_page=3" and pager.status == "Rows 51–100 of 1,500"
    assert pager_for(_request(), page, target="#rows", label="Rows", status=False).status == ""


def test_a_capped_count_says_there_may_be_more():
    paginator = Paginator(range(50), 25)
    paginator.capped = True
    assert pager_for(_request(), paginator.page(1), target="#r", label="P").status == "Page 1 of 2+"


def test_one_page_needs_no_pager():
    assert pager_for(_request(), Paginator(range(3), 25).page(1), target="#r", label="P") is None
    assert pager_for(_request(), CursorPage(items=[1]), target="#r", label="P") is None


def test_cursor_pages_put_the_cursor_first_then_the_lists_own_state():
    page = CursorPage(items=[1], next_cursor="usr2", previous_cursor="usr1")
    pager = pager_for(_request("/users/", after="usr1"), page, target="#users", label="Users",
                      query={"page_size": 25, "email": ""})
    assert pager.previous_url == "/users/?before=usr1&page_size=25"
    assert pager.next_url == "/users/?after=usr2&page_size=25"
    assert pager.status == ""


def test_the_component_sets_htmx_once_on_the_nav_and_keeps_href_beside_hx_get():
    html = _draw(_request(q="<x>", page="2"), Paginator(range(60), 25).page(2),
                 'target="#results" label="Pages of things" previous="← Newer" next="Older →"')
    nav = re.search(r"<nav [^>]*>", html).group(0)
    assert 'class="pager" aria-label="Pages of things"' in nav
    assert 'hx-target="#results" hx-swap="outerHTML" hx-push-url="true"' in nav
    links = re.findall(r"<a [^>]*>[^<]*</a>", html)
    assert len(links) == 2 and all("hx-target" not in link for link in links)
    assert 'rel="prev" href="?q=%3Cx%3E&amp;page=1" hx-get="?q=%3Cx%3E&amp;page=1">← Newer</a>' in links[0]
    assert 'rel="next" href="?q=%3Cx%3E&amp;page=3" hx-get="?q=%3Cx%3E&amp;page=3">Older →</a>' in links[1]
    assert "<span>Page 2 of 3</span>" in html


def test_no_page_draws_nothing():
    assert _draw(_request(), None, 'target="#r" label="P"').strip() == ""
