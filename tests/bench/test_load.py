"""The load-test harness (bench/load.py, bench/locustfile.py), checked small: a few agents for a few
seconds against the whole throwaway stack (sandbox, gunicorn, locust), as `make load` runs it with 50
for 60 s. Uses the services `make test` has: SQLite, or PostgreSQL and Redis when configured."""

from __future__ import annotations

import pytest

from bench import load

pytestmark = pytest.mark.timeout(240)

PAGES = {"sign-in form", "sign in", "/users/?source=api (API list)", "/users/?after= (htmx next page)",
         "/users/?q= (directory search)", "/locations/ (filters)", "/users/<id>/",
         "/users/<id>/devices/vehicles/ (htmx)", "/users/<id>/devices/chargers/ (htmx)"}


def test_agents_browse_every_page_without_a_failure_and_failing_pages_are_counted(tmp_path):
    with load.load_stack(agents=5, workdir=tmp_path) as stack:
        result = stack.run(users=5, seconds=5, spawn_rate=5)
        # Every API answer a 404: the list and user pages fail (evadmin answers 404), directory pages don't.
        faulty = stack.run(users=3, seconds=3, spawn_rate=3, sandbox_faults={"error_rate": 1.0, "error_status": 404})

    assert result["failures"] == 0, result["errors"]
    assert result["requests"] > 0 and result["rps"] > 0
    assert 0 < result["p50_ms"] <= result["p95_ms"] <= result["p99_ms"]
    pages = {row["name"] for row in result["by_name"]}
    assert {"sign-in form", "sign in"} < pages <= PAGES, pages  # 5 s may not reach every kind of page
    assert result["sign_in"]["agents"] == 5 and result["sign_in"]["requests"] == 5  # once each, own account
    assert result["api_requests"] > 0
    assert result["users"] == 5 and result["seconds"] == 5 and result["window_seconds"] >= 5
    assert result["server"].startswith("gunicorn -w ")

    assert faulty["failures"] > 0
    failing = {error["name"] for error in faulty["errors"]}
    assert failing <= {"/users/?source=api (API list)", "/users/?after= (htmx next page)", "/users/<id>/",
                       "/users/<id>/devices/vehicles/ (htmx)", "/users/<id>/devices/chargers/ (htmx)"}, faulty["errors"]
    assert all("status 404" in error["error"] for error in faulty["errors"]), faulty["errors"]


def test_the_command_exits_non_zero_on_failures_and_prints_them(monkeypatch, capsys):
    figures = {"users": 2, "seconds": 1, "requests": 10, "failures": 1, "rps": 5.0, "p50_ms": 20.0, "p95_ms": 40.0,
               "p99_ms": 50.0, "api_requests": 4, "api_requests_per_page": 0.5, "api_429s": 0,
               "server": "gunicorn -w 3 --threads 4", "database": "SQLite", "rate_limit_per_hour": 1_000_000,
               "seed_users": 2000, "window_seconds": 1.0, "load_average": [0.5, 1.5],
               "sign_in": {"agents": 2, "seconds": 1.0, "p50_ms": 300.0},
               "by_name": [{"name": "/users/<id>/", "requests": 10, "failures": 1, "rps": 5.0, "p50_ms": 20.0,
                            "p95_ms": 40.0, "p99_ms": 50.0}],
               "errors": [{"name": "/users/<id>/", "error": "status 502", "occurrences": 1}]}
    monkeypatch.setattr(load, "run_load_test", lambda **kwargs: figures)

    assert load.main(["--users", "2", "--seconds", "1"]) == 1

    text = capsys.readouterr().out
    assert "| /users/<id>/ | 10 | 1 | 5.0 | 20 | 40 | 50 |" in text
    assert "FAILED /users/<id>/: status 502 (1×)" in text
