import os

from django.core.wsgi import get_wsgi_application

# Deployments serve through gunicorn; `make run` and the tests set their module themselves.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "evadmin.settings.production")
application = get_wsgi_application()
