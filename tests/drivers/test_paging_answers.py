"""The user pages under the paging answers the spec allows (issue 11): a tariff list whose next
link never ends, and a users pager whose cursor is an id of another kind."""

from tests.conftest import sent


def test_new_user_page_answers_when_the_tariff_list_never_ends(pages, sandbox_api):
    sandbox_api.faults(paging="repeat_next")
    client = pages("support")

    response = client.get("/users/new/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "did not move forward" in html and "Tariffs after that point are not offered" in html
    assert len(sent(sandbox_api, "GET", "/v2/tariffs")) == 2
    assert 'name="email"' in html  # the form is there: agents can still create drivers
    # The incomplete list is remembered like a complete one: a second visit asks the API nothing.
    client.get("/users/new/")
    assert len(sent(sandbox_api, "GET", "/v2/tariffs")) == 2


def test_a_pager_cursor_of_another_kind_says_the_list_could_not_be_paged(pages, sandbox_api):
    sandbox_api.faults(paging="foreign_cursor")
    client = pages("viewer")
    first = client.get("/users/?page_size=25").content.decode()
    after = first.split("?after=", 1)[1].split("&", 1)[0]
    assert after.startswith("vhcl")

    response = client.get(f"/users/?after={after}&page_size=25")

    html = response.content.decode()
    assert response.status_code == 400
    assert "This list could not be paged." in html and "does not exist" not in html
    assert 'href="/users/?page_size=25">Go to the first page</a>' in html  # the API's list, from the top
    assert f"page_after={after}" in sent(sandbox_api, "GET", "/v2/users")[-1]["query"]  # passed on as given


def test_a_refused_cursor_as_htmx_is_a_banner_with_the_first_page(pages, sandbox_api):
    sandbox_api.faults(paging="foreign_cursor")
    client = pages("viewer")
    response = client.get("/users/?after=vhcl01HRFF3SEVSCRAV9B3CHVDFN0H&page_size=25", HTTP_HX_REQUEST="true",
                          HTTP_HX_CURRENT_URL="http://testserver/users/?page_size=25")
    assert response["HX-Retarget"] == "#flash"
    html = response.content.decode()
    assert "This list could not be paged." in html and 'href="/users/?page_size=25">Go to the first page</a>' in html
