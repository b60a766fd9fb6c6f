"""Base schemas of the API's request bodies."""

from __future__ import annotations

from typing import Any

from ninja import Schema
from pydantic import model_validator


class ObjectIn(Schema):
    """A JSON body that must be an object. Ninja's schemas read fields as attributes of any
    value, so `null`, `1` or `[]` would pass as an object with every field at its default —
    for `POST /notifications/read`, "mark everything read"."""

    @model_validator(mode="wrap")
    @classmethod
    def _an_object(cls, data: Any, handler):
        if not isinstance(data, dict | cls):
            raise ValueError("expected a JSON object")
        return handler(data)
