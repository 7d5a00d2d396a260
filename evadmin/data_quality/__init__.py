"""Account audit reports: data-quality rules run over the directory, on demand or on a schedule.

A report (models.AuditReport) is a Celery job over the directory's accounts (optionally after a
fresh full sync) that runs every registered rule (rules/) and stores what each one finds
(models.AuditFinding), plus what changed against the previous report: new and resolved findings.
"""
