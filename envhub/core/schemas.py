"""Base schemas of the API's request bodies, and the types its answers share."""

from __future__ import annotations

import datetime
from typing import Annotated, Any

from ninja import Schema
from pydantic import PlainSerializer, WithJsonSchema, model_validator

from envhub.core.timeutil import local_iso

# An instant as the API writes it: ISO 8601 in Viet Nam time with its offset
# (2026-11-26T08:00:00+07:00), documented as the string it is.
LocalTime = Annotated[datetime.datetime, PlainSerializer(local_iso, return_type=str),
                      WithJsonSchema({"type": "string"})]


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
