"""The documentation is checked against the code, so that it stays true."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"


def test_it_documents_every_api_endpoint_and_no_other():
    from envhub.api import api

    documented = set(re.findall(r"^\| (GET|POST|PUT|PATCH|DELETE) \| `([^`]+)`",
                                (DOCS / "api.md").read_text(), flags=re.M))
    served = {
        (method.upper(), path)
        for path, operations in api.get_openapi_schema()["paths"].items()
        for method in operations
    }
    assert documented == served


def test_it_documents_every_setting_and_no_other():
    source = (ROOT / "envhub" / "core" / "config.py").read_text()
    read = set(re.findall(r'reader\.(?:raw|boolean|integer|words)\("([A-Z_]+)"', source))
    documented = set(re.findall(r"^\| `([A-Z_]+)` \|", (DOCS / "operations.md").read_text(),
                                flags=re.M))
    assert read == documented


def test_it_documents_every_envhub_command():
    from django.core.management import get_commands

    ours = {name for name, app in get_commands().items() if app.startswith("envhub")}
    ours = {"check" if name == "envhub_check" else name for name in ours}
    text = (DOCS / "operations.md").read_text()
    missing = {name for name in ours if f"`envhub {name}" not in text}
    assert not missing


@pytest.mark.parametrize("command", ["make run", "make test"])
def test_the_readme_starts_with_the_two_commands(command):
    head = "\n".join((ROOT / "README.md").read_text().splitlines()[:10])
    assert command in head
