"""An upload handler that stops reading a file past the size limit, before it is written anywhere."""

from __future__ import annotations

from django.core.files.uploadhandler import FileUploadHandler, SkipFile

TOO_LARGE_ATTRIBUTE = "bulk_upload_too_large"


class UploadSizeLimit(FileUploadHandler):
    """First in the chain: passes chunks on until the file passes `max_bytes`, then skips the file.

    Django's multipart parser then discards the rest of it; the view sees the file missing and
    `request.bulk_upload_too_large` set, and says the file is too large.
    """

    def __init__(self, request, *, max_bytes: int) -> None:
        super().__init__(request)
        self.max_bytes = max_bytes

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        if start + len(raw_data) > self.max_bytes:
            setattr(self.request, TOO_LARGE_ATTRIBUTE, True)
            raise SkipFile()
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None  # the next handler (memory or temporary file) builds the UploadedFile
