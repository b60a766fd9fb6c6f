"""CKAN's errors: their `__type`, message and HTTP status."""

from __future__ import annotations

from typing import Any


class ActionError(Exception):
    status = 400
    kind = ""

    def __init__(self, message: str, fields: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}

    def body(self) -> dict:
        error: dict[str, Any] = {"message": self.message}
        if self.kind:
            error["__type"] = self.kind
        error.update(self.fields)
        return error


class ObjectNotFound(ActionError):
    status = 404
    kind = "Not Found Error"


class Invalid(ActionError):
    status = 409
    kind = "Validation Error"

    def __init__(self, name: str, message: str):
        super().__init__(message, {name: [message]})


class NotAuthorized(ActionError):
    status = 403
    kind = "Authorization Error"


class BadRequest(ActionError):
    status = 400
