"""A file refused as a whole, and the sizes its sentence quotes: shared by the CSV and XLSX readers."""

from __future__ import annotations


class FileRejected(Exception):
    """The file cannot be used as a whole. `message` is one sentence for the person uploading."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


def megabytes(n: int) -> str:
    return f"{n / (1024 * 1024):,.1f} MB".replace(".0 MB", " MB")
