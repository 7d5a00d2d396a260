"""Bulk jobs: onboarding users from an uploaded CSV or XLSX file, and bulk location updates.

Phase one (here): the job and row models, file parsing, row checks, upload, preview, start and
approval. The job engine (the Celery pump that sends the rows) builds on `models.BulkRow.State`
and the hook `services.bulk_job_start`.
"""
