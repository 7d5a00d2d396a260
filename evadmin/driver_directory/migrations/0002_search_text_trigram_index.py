"""A trigram index on DirectoryAccount.search_text, on PostgreSQL only.

Free-text search is `search_text LIKE '%term%'` (search_text is lower-cased, see
evadmin/driver_directory/search.py). A B-tree can't serve a leading wildcard; a GIN index with
gin_trgm_ops can (https://www.postgresql.org/docs/current/pgtrgm.html#PGTRGM-INDEX), which keeps a
search over 100,000 accounts in milliseconds. SQLite has neither, and scans: fine at its scale.
The index lives outside the model's Meta so SQLite (and makemigrations) never see it.
"""

from django.db import migrations

INDEX = "directory_account_search_trgm"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON directory_directoryaccount USING gin (search_text gin_trgm_ops)"
    )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")  # the extension may serve others: keep it


class Migration(migrations.Migration):
    dependencies = [("directory", "0001_initial")]

    operations = [migrations.RunPython(create_index, drop_index, elidable=False)]
