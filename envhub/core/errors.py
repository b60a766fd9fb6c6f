"""Typed errors of the domain, mapped to HTTP in one place (`envhub.core.api_errors`).

Services raise these; the API turns them into the error envelope
`{"ok": false, "error": {"code", "message", "details"}}` and pages into a Vietnamese message.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


class EnvhubError(Exception):
    status = 400
    code = "bad_request"
    default_message = _("The request could not be processed.")

    def __init__(self, message=None, details=None):
        self.message = message if message is not None else self.default_message
        self.details = details if details is not None else {}
        super().__init__(str(self.message))


class NotAuthenticated(EnvhubError):
    status = 401
    code = "not_authenticated"
    default_message = _("Please sign in, or send a valid API token.")


class InvalidToken(NotAuthenticated):
    code = "invalid_token"
    default_message = _("The API token is unknown, expired or revoked.")


class Forbidden(EnvhubError):
    status = 403
    code = "permission_denied"
    default_message = _("You do not have permission to do this.")


class NotFound(EnvhubError):
    status = 404
    code = "not_found"
    default_message = _("Not found, or you do not have access to it.")


class InvalidInput(EnvhubError):
    status = 400
    code = "invalid_input"
    default_message = _("Some values are not valid.")


class TooLarge(EnvhubError):
    status = 413
    code = "too_large"
    default_message = _("The request is too large.")


class Conflict(EnvhubError):
    """The object is not in the state this step applies to (a post already published)."""

    status = 409
    code = "conflict"
    default_message = _("This step does not apply to the object as it is now.")


class LengthRequired(EnvhubError):
    status = 411
    code = "length_required"
    default_message = _("Send the file with a Content-Length (not chunked).")


class MethodNotAllowed(EnvhubError):
    status = 405
    code = "method_not_allowed"
    default_message = _("This method is not allowed here.")


class UriTooLong(EnvhubError):
    status = 414
    code = "uri_too_long"
    default_message = _("The address is too long.")


class RequestTimeout(EnvhubError):
    """The request's database work ran past ENVHUB_REQUEST_SECONDS and was stopped."""

    status = 503
    code = "timeout"
    default_message = _("The request took too long and was stopped. Ask for less (a shorter "
                        "period, fewer rows) or try again later.")
