"""Site-wide pages: the health check and the error pages (HTML, or the API envelope). The home
page, which counts the registry's records, is the registry's (`registry/views.py`)."""

from __future__ import annotations

import logging

from django.contrib.auth.views import redirect_to_login
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from envhub.core.api_errors import envelope
from envhub.core.errors import EnvhubError, NotAuthenticated

logger = logging.getLogger("envhub")


@never_cache
def healthz(request):
    """For load balancers: 200 when the database answers."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:  # noqa: BLE001 - any database failure means unhealthy
        logger.exception("health check failed")
        return JsonResponse({"ok": False, "database": "unavailable"}, status=503)
    return JsonResponse({"ok": True, "database": connection.vendor})


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def error_page(request, error: EnvhubError):
    """The page for a domain error raised while rendering a page."""
    if _is_api(request):
        return envelope(error.status, error.code, error.message, error.details)
    if isinstance(error, NotAuthenticated) and request.method == "GET":
        # `next` encoded (as login_required does it), query string and all.
        return redirect_to_login(request.get_full_path(), _login_url())
    return render(request, "error.html", {"status": error.status, "message": error.message},
                  status=error.status)


def _login_url() -> str:
    from django.urls import reverse

    return reverse("login")


def _error(request, status: int, message: str):
    if _is_api(request):
        return envelope(status)
    return render(request, "error.html", {"status": status, "message": message}, status=status)


def bad_request(request, exception=None):
    from envhub.core.uploads import UploadTooLarge, size_words

    if isinstance(exception, UploadTooLarge) and not _is_api(request) and \
            request.method == "POST" and hasattr(request, "_messages"):
        # A form's upload refused from its length (before its body is read): back to the form,
        # which shows why, rather than an error page with nowhere to go.
        from django.contrib import messages
        from django.shortcuts import redirect

        messages.error(request, _("The upload is %(size)s, more than the %(limit)s this form "
                                  "takes: nothing was received. Choose a smaller file.") % {
            "size": size_words(exception.size), "limit": size_words(exception.limit)})
        return redirect(request.get_full_path())
    return _error(request, 400, _("The request could not be processed."))


def permission_denied(request, exception=None):
    return _error(request, 403, _("You do not have permission to see this page."))


def csrf_failure(request, reason: str = ""):
    """A form sent without its page's token (a page kept open past a sign-out, cookies off):
    said in the site's language with what to do, not in Django's English debugging page."""
    return _error(request, 403, _("The form was sent without the security code of its page "
                                  "(the page may be old, or cookies are blocked): open the "
                                  "page again and send the form once more."))


def page_not_found(request, exception=None):
    return _error(request, 404, _("This page does not exist, or you do not have access to it."))


def server_error(request):
    if _is_api(request):
        return envelope(500)
    # No template context processors here: the failure may be in one of them.
    try:
        return render(request, "error.html", {"status": 500, "message": _(
            "An internal error occurred; it has been logged. Please try again later.")},
            status=500)
    except Exception:  # noqa: BLE001
        return HttpResponse(_("Internal error."), status=500, content_type="text/plain")
