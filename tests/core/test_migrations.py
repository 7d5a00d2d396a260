"""Every model change has its migration: a deploy's `migrate` applies exactly what the code declares."""

from django.apps import apps
from django.db.migrations.autodetector import MigrationAutodetector
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.questioner import NonInteractiveMigrationQuestioner
from django.db.migrations.state import ProjectState


def test_no_model_change_is_missing_its_migration():
    # What `makemigrations --check` compares, without a database (the migration files against the models).
    loader = MigrationLoader(None, ignore_no_migrations=True)
    changes = MigrationAutodetector(
        loader.project_state(), ProjectState.from_apps(apps), NonInteractiveMigrationQuestioner(dry_run=True),
    ).changes(graph=loader.graph)
    assert not changes, f"run `manage.py makemigrations`: {sorted(changes)} have changes without a migration"
