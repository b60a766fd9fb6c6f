import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "envhub.settings")
application = get_wsgi_application()

# The URLs and their views loaded now rather than on the first request, and then left out of
# the garbage collector's walks with the rest of startup (`core.collector`).
from django.urls import get_resolver  # noqa: E402

from envhub.core.collector import freeze_startup_objects  # noqa: E402

get_resolver().url_patterns  # noqa: B018 — loading is the point
freeze_startup_objects()
