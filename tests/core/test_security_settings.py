"""Production settings pass Django's deployment checks, and what they promise reaches the responses:
HTTPS redirect and HSTS, Secure/HttpOnly/SameSite cookies, and a strict Content-Security-Policy.
`make run` (plain http on 127.0.0.1) keeps working with the defaults."""

import json
import os
import secrets
import subprocess
import sys

import pytest
from django.conf import settings as django_settings
from django.test import Client

from evadmin.staff.services import demo_password
from tests.staff.fixtures import make_staff

MANAGE_PY = os.path.join(django_settings.BASE_DIR, "manage.py")
# Variables this file sets itself; whatever the surrounding environment says about them is dropped.
SECURITY_VARIABLES = ("DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "EVADMIN_HTTPS", "EVADMIN_HSTS_SECONDS",
                      "EVADMIN_HSTS_PRELOAD", "EVADMIN_PROXY_SSL_HEADER",
                      # set by tests/e2e/conftest.py for Playwright; a deployment must not have it
                      "DJANGO_ALLOW_ASYNC_UNSAFE")
PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "evadmin.settings.production",
    "DEBUG": "false",
    "EVADMIN_HTTPS": "1",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "evadmin.example.com,testserver",
}
# The settings this file reads back from a settings module loaded with a given environment.
SETTING_NAMES = ("DEBUG", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS",
                 "SECURE_HSTS_PRELOAD", "SECURE_PROXY_SSL_HEADER", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE",
                 "CONTENT_SECURITY_POLICY")


def _env(**overrides) -> dict:
    env = {name: value for name, value in os.environ.items() if name not in SECURITY_VARIABLES}
    return {**env, "DJANGO_SETTINGS_MODULE": "evadmin.settings.development", **overrides}


def _settings_with(**overrides) -> dict:
    names = json.dumps(SETTING_NAMES)
    code = ("import json; from django.conf import settings; "
            f"print(json.dumps({{name: getattr(settings, name, None) for name in {names}}}))")
    result = subprocess.run([sys.executable, "-c", code], env=_env(**overrides), capture_output=True, text=True,
                            check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def _deploy_check(**overrides) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, MANAGE_PY, "check", "--deploy", "--fail-level", "WARNING"],
                          env=_env(**overrides), capture_output=True, text=True)


@pytest.fixture(scope="module")
def production_settings() -> dict:
    return _settings_with(**PRODUCTION_ENV)


@pytest.fixture
def in_production(settings, production_settings):
    """This process's settings switched to what the production environment gives."""
    for name, value in production_settings.items():
        setattr(settings, name, tuple(value) if name == "SECURE_PROXY_SSL_HEADER" and value else value)
    return settings


def test_deployment_checks_pass_with_the_production_settings():
    result = _deploy_check(**PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_deployment_checks_fail_without_https_or_a_secret_key():
    # So the check above is not passing by accident: the development defaults are not deployable.
    result = _deploy_check()
    assert result.returncode != 0
    for warning in ("security.W004", "security.W008", "security.W009", "security.W012", "security.W016"):
        assert warning in result.stderr, result.stderr


def test_production_switches_on_https_hsts_and_secure_cookies(production_settings):
    assert production_settings["DEBUG"] is False
    assert production_settings["SECURE_SSL_REDIRECT"] is True
    assert production_settings["SECURE_HSTS_SECONDS"] == 365 * 24 * 3600
    assert production_settings["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert production_settings["SESSION_COOKIE_SECURE"] is True
    assert production_settings["CSRF_COOKIE_SECURE"] is True
    # Trusting a client-settable header is opt-in only.
    assert production_settings["SECURE_PROXY_SSL_HEADER"] is None
    assert production_settings["CONTENT_SECURITY_POLICY"]["DIRECTIVES"]["upgrade-insecure-requests"] is True


def test_hsts_age_and_proxy_header_come_from_the_environment():
    configured = _settings_with(**PRODUCTION_ENV, EVADMIN_HSTS_SECONDS="3600",
                                EVADMIN_PROXY_SSL_HEADER="X-Forwarded-Proto")
    assert configured["SECURE_HSTS_SECONDS"] == 3600
    assert configured["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]


def test_development_defaults_serve_plain_http(client):
    defaults = _settings_with()
    assert defaults["SECURE_SSL_REDIRECT"] is False
    assert defaults["SECURE_HSTS_SECONDS"] == 0
    assert defaults["SESSION_COOKIE_SECURE"] is False and defaults["CSRF_COOKIE_SECURE"] is False
    assert "upgrade-insecure-requests" not in defaults["CONTENT_SECURITY_POLICY"]["DIRECTIVES"]


# --- What reaches the browser ---------------------------------------------------------------


def _sign_in(client: Client, role: str = "viewer", **extra):
    make_staff(role)
    return client.post("/accounts/login/", {"username": f"{role}-member", "password": demo_password(role),
                                            "next": "/"}, **extra)


@pytest.mark.django_db
def test_development_answers_http_and_its_cookies_are_httponly_and_samesite():
    client = Client()
    page = client.get("/accounts/login/")
    assert page.status_code == 200
    assert "Strict-Transport-Security" not in page
    csrf = page.cookies[django_settings.CSRF_COOKIE_NAME]
    assert csrf["httponly"] is True and csrf["samesite"] == "Lax" and not csrf["secure"]

    signed_in = _sign_in(client)
    assert signed_in.status_code == 302
    session = signed_in.cookies[django_settings.SESSION_COOKIE_NAME]
    assert session["httponly"] is True and session["samesite"] == "Lax" and not session["secure"]
    assert "; HttpOnly" in session.output() and "SameSite=Lax" in session.output()


@pytest.mark.django_db
@pytest.mark.usefixtures("in_production")
def test_production_redirects_http_to_https_and_sends_hsts():
    client = Client()
    plain = client.get("/accounts/login/?next=/users/")
    assert plain.status_code == 301
    assert plain.url == "https://testserver/accounts/login/?next=/users/"
    secure = client.get("/accounts/login/", secure=True)
    assert secure.status_code == 200
    assert secure["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"


@pytest.mark.django_db
@pytest.mark.usefixtures("in_production")
def test_production_cookies_are_secure_httponly_and_samesite():
    client = Client()
    csrf = client.get("/accounts/login/", secure=True).cookies[django_settings.CSRF_COOKIE_NAME]
    assert csrf["secure"] is True and csrf["httponly"] is True and csrf["samesite"] == "Lax"
    signed_in = _sign_in(client, secure=True)
    assert signed_in.status_code == 302
    session = signed_in.cookies[django_settings.SESSION_COOKIE_NAME]
    assert session["secure"] is True and session["httponly"] is True and session["samesite"] == "Lax"
    assert "; Secure" in session.output()


@pytest.mark.django_db
def test_a_configured_proxy_header_counts_as_https(in_production):
    in_production.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    client = Client()
    assert client.get("/accounts/login/", HTTP_X_FORWARDED_PROTO="https").status_code == 200
    assert client.get("/accounts/login/").status_code == 301


# --- Content-Security-Policy ----------------------------------------------------------------


def _policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = [part.strip().split() for part in header.split(";") if part.strip()]
    return {name: values for name, *values in directives}


@pytest.mark.django_db
@pytest.mark.parametrize("path, hx", [
    ("/accounts/login/", False),  # signed out
    ("/", False),
    ("/audit/", True),  # an htmx fragment
    ("/nowhere/", False),  # the 404 page
    ("/admin/", False),
    ("/admin/auth/user/", False),
])
def test_every_response_carries_a_strict_content_security_policy(client_as, path, hx):
    client = client_as("admin")
    response = client.get(path, **({"HTTP_HX_REQUEST": "true"} if hx else {}))
    assert response.status_code in (200, 404)
    header = response["Content-Security-Policy"]
    assert "unsafe-inline" not in header and "unsafe-eval" not in header
    assert "Content-Security-Policy-Report-Only" not in response
    assert _policy(response) == {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_no_directive_anywhere_allows_inline_code_or_eval():
    for name, values in django_settings.CONTENT_SECURITY_POLICY["DIRECTIVES"].items():
        if isinstance(values, list):
            assert not {"'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", "*"} & set(values), name
