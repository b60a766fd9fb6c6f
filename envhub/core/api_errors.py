"""The one error envelope of the JSON API, and the mapping of every error to it.

`{"ok": false, "error": {"code": "...", "message": "...", "details": {...}}}` for every 4xx and
5xx under /api/v1/, whether it comes from a service, from request validation, from Django (404,
405, CSRF, oversized body) or from a bug (500, logged, never a traceback to the client).
"""

from __future__ import annotations

import json
import logging

from django.conf import settings
from django.core.exceptions import (
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
)
from django.http import Http404, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from envhub.core.errors import EnvhubError

logger = logging.getLogger("envhub.api")

STATUS_CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    411: "length_required",
    413: "too_large",
    414: "uri_too_long",
    415: "unsupported_media_type",
    422: "invalid_input",
    429: "too_many_requests",
    431: "headers_too_large",
    500: "server_error",
    503: "unavailable",
}


class ErrorBody(Schema):
    code: str
    message: str
    details: dict


class ErrorEnvelope(Schema):
    """The body of every error answer of the API."""

    ok: bool = False
    error: ErrorBody


# How Ninja words a body it could not read as JSON (too deep, not JSON, not UTF-8).
UNPARSED_BODY = "Cannot parse request body"

# The error answers every read operation documents in the OpenAPI contract.
READ_ERRORS = {400: ErrorEnvelope, 401: ErrorEnvelope, 404: ErrorEnvelope}


def status_message(status: int) -> str:
    messages = {
        400: _("The request could not be processed."),
        401: _("Please sign in, or send a valid API token."),
        403: _("You do not have permission to do this."),
        404: _("Not found, or you do not have access to it."),
        405: _("This method is not allowed here."),
        413: _("The request is too large."),
        414: _("The address is too long."),
        431: _("The request's headers are too large."),
        500: _("An internal error occurred; it has been logged. Please try again later."),
    }
    return messages.get(status, _("The request could not be processed."))


def envelope(status: int, code: str | None = None, message=None, details=None) -> JsonResponse:
    response = JsonResponse(
        {
            "ok": False,
            "error": {
                "code": code or STATUS_CODES.get(status, "error"),
                "message": str(message) if message is not None else status_message(status),
                "details": details or {},
            },
        },
        status=status,
        json_dumps_params={"ensure_ascii": False},
    )
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="envhub"'
    return response


def _validation_details(errors: list[dict]) -> dict[str, list[str]]:
    details: dict[str, list[str]] = {}
    for error in errors:
        location = [str(part) for part in error.get("loc", [])
                    if part not in ("query", "body", "path")]
        key = ".".join(location) or "__all__"
        details.setdefault(key, []).append(error.get("msg", ""))
    return details


def install(api: NinjaAPI) -> None:
    """Register the handlers on the API; Ninja's defaults would answer `{"detail": ...}`."""

    @api.exception_handler(EnvhubError)
    def domain_error(request, exc: EnvhubError):
        return envelope(exc.status, exc.code, exc.message, exc.details)

    @api.exception_handler(NinjaValidationError)
    def validation_error(request, exc: NinjaValidationError):
        return envelope(400, "invalid_input", _("Some values are not valid."),
                        _validation_details(exc.errors))

    @api.exception_handler(AuthenticationError)
    def authentication_error(request, exc):
        return envelope(401)

    @api.exception_handler(HttpError)
    def http_error(request, exc: HttpError):
        if exc.status_code == 400 and str(exc.message).startswith(UNPARSED_BODY):
            return envelope(400, "invalid_input", _("The request body is not valid JSON."))
        return envelope(exc.status_code, None, exc.message if exc.status_code != 500 else None)

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return envelope(404)

    @api.exception_handler(PermissionDenied)
    def forbidden(request, exc):
        return envelope(403)

    @api.exception_handler(RequestDataTooBig)
    def too_big(request, exc):
        limit = getattr(exc, "limit", settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
        return envelope(413, None, _("The request body is too large: at most %(limit)d bytes "
                                     "are accepted here.") % {"limit": limit})

    @api.exception_handler(TooManyFieldsSent)
    def too_many_fields(request, exc):
        return envelope(400, "invalid_input", _("The form has too many fields: at most %(n)d "
                                                "are accepted.")
                        % {"n": settings.DATA_UPLOAD_MAX_NUMBER_FIELDS})

    @api.exception_handler(MultiPartParserError)
    def unreadable_form(request, exc):
        return envelope(400, "invalid_input", _("The multipart form could not be read: check "
                                                "its boundary and the headers of its parts."))

    @api.exception_handler(SuspiciousOperation)
    def suspicious(request, exc):
        return envelope(400)

    @api.exception_handler(Exception)
    def server_error(request, exc):
        logger.exception("Unhandled error on %s %s", request.method, request.path)
        return envelope(500)


def is_envelope(response) -> bool:
    if not response.get("Content-Type", "").startswith("application/json"):
        return False
    try:
        body = json.loads(response.content)
    except (ValueError, UnicodeDecodeError):
        return False
    return isinstance(body, dict) and body.get("ok") is False and "error" in body


# What an error answer must keep when its body is replaced by the envelope.
KEPT_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate")


class ApiErrorEnvelopeMiddleware:
    """Catch-all: an error answered under /api/v1/ outside Ninja's handlers still gets the envelope
    (Django's 404 for unknown paths, 405, CSRF refusals, 413)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            request.path.startswith("/api/v1/")
            and response.status_code >= 400
            and not getattr(response, "streaming", False)
            and not is_envelope(response)
        ):
            wrapped = envelope(response.status_code)
            for header in KEPT_HEADERS:
                if header in response:
                    wrapped[header] = response[header]
            return wrapped
        return response
