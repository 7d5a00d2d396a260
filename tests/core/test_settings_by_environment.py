"""Settings by environment (evadmin/settings/): importing any of them creates nothing on disk;
production has no sandbox API and no test knobs; development makes its folders when Django starts."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from evadmin.settings.base import Env
from tests.worker import REPO

# Runs in a fresh interpreter: records every folder made and every file opened for writing, imports
# the settings module named by argv[1], starts Django if argv[2] says so, and prints what it saw.
CHILD = """
import importlib, json, os, sys

written = []

def watch(event, args):
    if event == "os.mkdir" or (event == "open" and args[2] & (os.O_WRONLY | os.O_RDWR | os.O_CREAT)):
        written.append(str(args[0]))

sys.addaudithook(watch)
module, start = sys.argv[1], sys.argv[2] == "start"
importlib.import_module(module)
facts = {"written": written}
if start:
    import django
    from django.apps import apps
    from django.conf import settings

    django.setup()
    facts.update(sandbox_installed=apps.is_installed("evadmin.sandbox"), databases=sorted(settings.DATABASES),
                 routers=settings.DATABASE_ROUTERS, hashers=settings.PASSWORD_HASHERS,
                 crash_hook=hasattr(settings, "EVADMIN_BULK_TEST_CRASH_AFTER_CREATE"))
print(json.dumps(facts))
"""
# Where a process writes by default, so that each run here gets a fresh, empty place of its own.
PLACES = ("EVADMIN_VAR_DIR", "EVADMIN_CELERY_BROKER_DIR", "EVADMIN_SANDBOX_DB", "EVADMIN_SANDBOX_TEST_DB",
          "DATABASE_URL", "CELERY_BROKER_URL", "REDIS_URL")


def _run(tmp_path: Path, module: str, *, start: bool) -> tuple[dict, Path, Path]:
    var_dir, cwd = tmp_path / "var", tmp_path / "cwd"
    cwd.mkdir()
    env = {name: value for name, value in os.environ.items() if name not in PLACES}
    env.update(DJANGO_SETTINGS_MODULE=module, EVADMIN_VAR_DIR=str(var_dir), PYTHONPATH=str(REPO),
               PYTHONDONTWRITEBYTECODE="1")  # no .pyc files: they would count as files written
    result = subprocess.run([sys.executable, "-c", CHILD, module, "start" if start else "import"], cwd=cwd, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1]), var_dir, cwd


@pytest.mark.parametrize("module", ["base", "development", "test", "production"])
def test_importing_a_settings_module_creates_no_file_or_folder(tmp_path, module):
    facts, var_dir, cwd = _run(tmp_path, f"evadmin.settings.{module}", start=False)
    assert facts["written"] == []
    assert not var_dir.exists() and list(cwd.iterdir()) == []


def test_production_starts_without_the_sandbox_or_test_knobs_and_makes_nothing(tmp_path):
    facts, var_dir, cwd = _run(tmp_path, "evadmin.settings.production", start=True)
    assert facts["written"] == []
    assert not var_dir.exists() and list(cwd.iterdir()) == []
    assert facts["sandbox_installed"] is False
    assert facts["databases"] == ["default"]
    assert facts["routers"] == []
    assert facts["crash_hook"] is False
    assert facts["hashers"][0] == "django.contrib.auth.hashers.PBKDF2PasswordHasher"


def test_development_makes_its_folders_when_django_starts(tmp_path):
    facts, var_dir, cwd = _run(tmp_path, "evadmin.settings.development", start=True)
    assert facts["sandbox_installed"] is True
    assert facts["databases"] == ["default", "sandbox"]
    assert facts["routers"] == ["evadmin.sandbox.router.SandboxRouter"]
    assert facts["crash_hook"] is False
    for folder in ("queue", "processed", "control"):
        assert (var_dir / "celery-broker" / folder).is_dir()
    assert list(cwd.iterdir()) == []  # nothing lands in the working directory (kombu's default ./control)


def test_the_suite_runs_on_the_test_settings_with_the_sandbox_and_its_knobs():
    assert os.environ["DJANGO_SETTINGS_MODULE"] == "evadmin.settings.test"
    assert "evadmin.sandbox" in settings.INSTALLED_APPS and "sandbox" in settings.DATABASES
    assert settings.DATABASE_ROUTERS == ["evadmin.sandbox.router.SandboxRouter"]
    assert settings.PASSWORD_HASHERS == ["django.contrib.auth.hashers.MD5PasswordHasher"]
    assert hasattr(settings, "EVADMIN_BULK_TEST_CRASH_AFTER_CREATE")


def test_a_value_starting_with_a_dollar_is_taken_as_it_is(monkeypatch):
    # django-environ alone would read "$HOME" as the value of HOME (evadmin/settings/base.py, Env).
    monkeypatch.setenv("SECRET_KEY", "$HOME")
    monkeypatch.setenv("EVADMIN_API_SCOPES", "$user:read, site:read")
    assert Env().str("SECRET_KEY", default="dev") == "$HOME"
    assert Env().list("EVADMIN_API_SCOPES", cast=str.strip, default=[]) == ["$user:read", "site:read"]
