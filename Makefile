# The two commands of the README: `make run` and `make test`. Everything else supports them.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test setup venv lint bench load clean

$(STAMP): requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $(STAMP)

venv: $(STAMP)

# `make run` is the development setup in every process it starts: gunicorn's own default
# (evadmin/wsgi.py) is production, and a shell may have exported another module.
setup run: export DJANGO_SETTINGS_MODULE = evadmin.settings.development

# Database, cache table, static files, sandbox data and one demo staff account per role.
setup: venv
	$(PY) manage.py migrate --noinput
	$(PY) manage.py migrate --database sandbox --noinput
	$(PY) manage.py createcachetable
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(PY) manage.py seedsandbox --users 1000 --if-empty
	$(PY) manage.py createdemostaff

# Sandbox API (:8001), Celery worker and beat, and the web server (:8000); Ctrl-C stops them all.
run: setup
	$(VENV)/bin/honcho --procfile Procfile.dev start

test: venv
	$(PY) -m pytest

# Style (ruff) and the architecture contracts in pyproject.toml (import-linter).
lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

# Every benchmark against the sandbox, written to BENCHMARKS.md (about 50 min; QUICK=1 for a small-scale check).
bench: venv
	$(PY) -m bench.run $(if $(QUICK),--quick)

# 50 signed-in agents browsing for 60 s on loopback (locust against a throwaway stack): figures, exit 1 on any error.
load: venv
	$(PY) -m bench.load --users 50 --seconds 60

clean:
	rm -rf var staticfiles
