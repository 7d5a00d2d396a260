import json
import re
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.template.loader import get_template, render_to_string
from django.test import RequestFactory

from tests.staff.fixtures import make_staff

TEMPLATES_DIR = Path(settings.BASE_DIR) / "templates"
OUR_TEMPLATES = sorted(
    path
    for pattern in ("**/*.html",)
    for path in TEMPLATES_DIR.glob(pattern)
)


def _render_base(user, **context):
    request = RequestFactory().get("/")
    request.user = user
    return render_to_string("base.html", context, request=request)


@pytest.mark.parametrize("path", OUR_TEMPLATES, ids=lambda path: str(path.relative_to(TEMPLATES_DIR)))
def test_templates_are_ready_for_a_strict_content_security_policy(path):
    source = path.read_text()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", source), "inline <script>"
    assert not re.search(r"<style\b", source), "inline <style>"
    assert not re.search(r"\sstyle=", source), "style attribute"
    assert not re.search(r"\son[a-z]+=", source), "event handler attribute"
    assert not re.search(r"\shx-on", source), "hx-on needs eval"
    assert "|safe" not in source and "autoescape off" not in source
    # Nothing loads from another host (links out, like a map, are fine: they load nothing here).
    assert not re.search(r"<(script|link|img|iframe|source)\b[^>]*\b(src|href)=[\"']?(https?:)?//", source), "CDN asset"
    get_template(str(path.relative_to(TEMPLATES_DIR)))  # and it compiles
    # A {# comment #} ends on its own line: Django shows a comment spread over lines to every agent.
    assert not [line for line in source.splitlines() if "{#" in line and "#}" not in line], "multi-line {# #}"


@pytest.mark.django_db
def test_base_configures_htmx_safely_and_sends_csrf():
    html = _render_base(make_staff("viewer"))
    config = json.loads(re.search(r"<meta name=\"htmx-config\" content='([^']*)'>", html).group(1))
    assert config["allowEval"] is False
    assert config["allowScriptTags"] is False
    assert config["selfRequestsOnly"] is True
    assert config["historyCacheSize"] == 0
    assert re.search(r"<body hx-headers='\{\"X-CSRFToken\": \"[A-Za-z0-9]+\"\}'", html)
    assert '<a class="skip-link" href="#main">' in html
    assert '<main id="main"' in html
    assert '<div id="flash"' in html
    assert "/static/vendor/htmx/htmx.min.js" in html


@pytest.fixture
def without_budget_processor(settings):
    """Templates as they were before the API client's context processor existed."""
    engine = {**settings.TEMPLATES[0]}
    processors = engine["OPTIONS"]["context_processors"]
    engine["OPTIONS"] = {**engine["OPTIONS"], "context_processors": [p for p in processors if "api_budget" not in p]}
    settings.TEMPLATES = [engine]


@pytest.mark.django_db
@pytest.mark.usefixtures("without_budget_processor")
@pytest.mark.parametrize("budget", ["missing", None])
def test_api_budget_renders_nothing_when_absent(budget):
    context = {} if budget == "missing" else {"api_budget": budget}
    assert "API budget" not in _render_base(make_staff("viewer"), **context)


@pytest.mark.django_db
def test_api_budget_shows_remaining_of_limit():
    budget = SimpleNamespace(remaining=412, limit=1000, as_of=datetime(2025, 3, 1, 14, 5, tzinfo=UTC))
    html = _render_base(make_staff("viewer"), api_budget=budget)
    assert "API: <strong>412</strong> of 1,000 requests left this hour" in html
    assert '<time datetime="2025-03-01T14:05:00+00:00">14:05</time>' in html


@pytest.mark.django_db
def test_api_error_banner_escapes_the_message():
    error = SimpleNamespace(user_message="<b>Upstream</b> failed", request_id="req-9")
    html = _render_base(make_staff("viewer"), api_error=error)
    assert "&lt;b&gt;Upstream&lt;/b&gt; failed" in html
    assert "<code>req-9</code>" in html


def test_500_page_renders_without_a_request():
    html = get_template("500.html").render()
    assert "Something went wrong" in html


@pytest.mark.django_db
def test_404_page_uses_the_layout(client):
    response = client.get("/nowhere/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
    assert "skip-link" in response.content.decode()


def test_vendored_assets_are_present():
    static = Path(settings.BASE_DIR) / "static"
    htmx = (static / "vendor/htmx/htmx.min.js").read_text()
    assert 'version:"2.' in htmx
    assert "Pico CSS" in (static / "vendor/pico/pico.min.css").read_text()[:200]
