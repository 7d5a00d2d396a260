"""The database-outage page in process: a view, or a middleware, losing the database answers 503.

The real outage (PostgreSQL stopped under gunicorn and a worker) is tests/bulk/test_database_restart.py.
"""

import pytest
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.test import Client, RequestFactory

from evadmin.core.db_errors import DatabaseUnavailableMiddleware, is_database_outage, server_error

OUTAGE_TEXT = "The database is unavailable, try again shortly."


def _middleware_answer(exception, headers=None):
    request = RequestFactory().get("/users/", headers=headers or {})
    return DatabaseUnavailableMiddleware(lambda r: HttpResponse()).process_exception(request, exception)


@pytest.mark.parametrize("exception", [OperationalError("connection refused"), InterfaceError("connection already closed")])
def test_a_view_losing_the_database_gets_the_outage_page(exception):
    response = _middleware_answer(exception)
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    text = response.content.decode()
    assert OUTAGE_TEXT in text and "<html" in text
    assert "connection refused" not in text  # the driver's words stay in the log


def test_htmx_requests_get_a_banner_for_flash():
    response = _middleware_answer(OperationalError("gone"), headers={"HX-Request": "true"})
    assert response.status_code == 503
    assert response["HX-Retarget"] == "#flash" and response["HX-Reswap"] == "innerHTML"
    text = response.content.decode()
    assert OUTAGE_TEXT in text and "<html" not in text


def test_other_exceptions_are_left_alone():
    assert _middleware_answer(ValueError("bug")) is None


def test_a_wrapped_database_error_counts():
    try:
        try:
            raise OperationalError("gone")
        except OperationalError as exc:
            raise RuntimeError("while loading the session") from exc
    except RuntimeError as outer:
        assert is_database_outage(outer)


def test_handler500_answers_503_for_a_database_error_raised_outside_a_view():
    request = RequestFactory().get("/")
    try:
        raise OperationalError("gone")
    except OperationalError:
        response = server_error(request)
    assert response.status_code == 503 and OUTAGE_TEXT in response.content.decode()
    try:
        raise ValueError("bug")
    except ValueError:
        response = server_error(request)
    assert response.status_code == 500 and "Something went wrong" in response.content.decode()


@pytest.mark.django_db
def test_a_signed_in_page_whose_session_cannot_load_answers_503(client_as, monkeypatch):
    """Session and user load lazily; whichever layer first touches the dead database, no 500."""
    from django.contrib.sessions.backends.db import SessionStore

    client: Client = client_as("viewer")
    client.raise_request_exception = False

    def database_gone(self, *args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(SessionStore, "load", database_gone)
    for headers in ({}, {"HX-Request": "true"}):
        response = client.get("/users/?q=x", headers=headers)
        assert response.status_code == 503, response.content[:500]
        assert OUTAGE_TEXT in response.content.decode()
