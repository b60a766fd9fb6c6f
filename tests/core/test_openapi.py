"""The OpenAPI document states what the API enforces: the bounds of `limit`, and which
operations anyone may call (a token optional) and which need one."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

OPTIONAL = [{"ActorAuth": []}, {}]
REQUIRED = [{"ActorAuth": []}]


@pytest.fixture(scope="module")
def document():
    from envhub.api import api

    return api.get_openapi_schema()


def operations(document):
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            yield method.upper(), path, operation


def test_every_limit_has_its_bounds(document):
    bounds = {}
    for _method, path, operation in operations(document):
        for parameter in operation.get("parameters", []):
            if parameter["name"] == "limit":
                [schema] = [item for item in parameter["schema"]["anyOf"]
                            if item["type"] == "integer"]
                bounds[path] = (schema["minimum"], schema["maximum"])
    assert bounds["/api/v1/provinces"] == (1, 500)
    assert bounds["/api/v1/latest"] == (1, 5000)
    assert set(bounds.values()) == {(1, 500), (1, 5000)}


@pytest.mark.parametrize("limit, status", [(500, 200), (501, 400), (0, 400)])
def test_the_bounds_are_those_enforced(reference, limit, status):
    assert Client().get("/api/v1/provinces", {"limit": limit}).status_code == status


def test_security_follows_who_may_call(document):
    """The endpoints docs/api.md opens to anyone declare a token optional; the others need one."""
    table = (Path(__file__).resolve().parents[2] / "docs" / "api.md").read_text()
    anyone = set(re.findall(r"^\| (GET|POST) \| `([^`]+)` \| anyone", table, flags=re.M))
    for method, path, operation in operations(document):
        expected = OPTIONAL if (method, path) in anyone else REQUIRED
        assert operation["security"] == expected, (method, path)


def test_an_anonymous_call_gets_what_the_document_says(reference, document):
    """Every operation without required parameters: 401 exactly where a token is required."""
    for method, path, operation in operations(document):
        if method != "GET" or "{" in path or any(
                parameter.get("required") for parameter in operation.get("parameters", [])):
            continue
        status = Client().get(path).status_code
        assert (status == 401) == (operation["security"] == REQUIRED), (path, status)


def test_every_list_declares_its_envelope(document):
    """A list's answer always carries `results` and `next` (null on the last page), and its
    schema says so."""
    schemas = document["components"]["schemas"]
    lists = 0
    for _method, _path, operation in operations(document):
        ok = operation["responses"].get(200, {}).get("content", {}).get(
            "application/json", {}).get("schema", {})
        body = schemas[ok["$ref"].split("/")[-1]] if "$ref" in ok else ok
        if "next" in body.get("properties", {}):
            lists += 1
            assert {"results", "next"} <= set(body["required"]), _path
    assert lists >= 12
