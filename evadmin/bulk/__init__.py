"""Bulk jobs: onboarding drivers from an uploaded CSV or XLSX file, and bulk location updates.

Two halves, each a package: upload/ reads and checks a file and makes the draft job (no API
request); run/ sends a started job's rows within the rate budget, on the leased-job kernel
(evadmin/core/jobs.py). Around them: models (jobs and rows, the rows' state diagram), columns (the
file format), services (start, approve, control, purge), reverts, selectors, views and tasks.
"""
