"""The verdict rules (see verdicts/__init__.py for how one is written)."""
