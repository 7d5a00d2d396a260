"""evadmin's settings, one module per environment (choose with DJANGO_SETTINGS_MODULE):

- `evadmin.settings.development`: `make run`; the default of manage.py and the Celery app.
- `evadmin.settings.test`: the test suite (pytest, and every process it starts).
- `evadmin.settings.production`: deployments; the default of evadmin/wsgi.py.

`base` holds what they share. This package imports none of them: naming it alone configures nothing.
"""
