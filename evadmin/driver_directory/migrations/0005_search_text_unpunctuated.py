"""Every account's search_text again, its folded copy now without punctuation too ("obrien" finds
O'Brien). The functions are copied from search.py as it is now: a migration must not change with it."""

import unicodedata

from django.db import migrations

BATCH = 2000


def _fold(text):
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(
        char for char in decomposed if not unicodedata.combining(char) and unicodedata.category(char) != "Cf")


def _unpunctuated(text):
    return "".join(char for char in text if not unicodedata.category(char).startswith("P"))


def _search_text(account):
    parts = [account.user_id, account.email, account.full_name, account.address_1, account.address_2,
             account.city, account.state, account.postal_code]
    if " " in account.postal_code.strip():
        parts.append(account.postal_code.replace(" ", ""))
    lowered = " ".join(part.strip().lower() for part in parts if part and part.strip())
    folded = _unpunctuated(_fold(lowered))
    return lowered if folded == lowered else f"{lowered} {folded}"


def recompute(apps, schema_editor):
    DirectoryAccount = apps.get_model("directory", "DirectoryAccount")
    batch = []
    for account in DirectoryAccount.objects.order_by("pk").iterator(chunk_size=BATCH):
        account.search_text = _search_text(account)
        batch.append(account)
        if len(batch) == BATCH:
            DirectoryAccount.objects.bulk_update(batch, ["search_text"])
            batch = []
    DirectoryAccount.objects.bulk_update(batch, ["search_text"])


class Migration(migrations.Migration):

    dependencies = [
        ("directory", "0004_leased_job"),
    ]

    operations = [
        migrations.RunPython(recompute, migrations.RunPython.noop),
    ]
