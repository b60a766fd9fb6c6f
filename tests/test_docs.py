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


OUTSIDE = re.compile(r"\.\./shared|shared/domain|DESIGN\.md|domain notes?\b"
                     r"|monitoring-data-format\.md|qcvn-2024-tables\.md|env-information-system\.md")
SCANNED = ("envhub", "tests", "bench", "scripts", "docs")
SUFFIXES = {".py", ".md", ".html", ".json", ".txt", ".toml"}


def _project_files():
    for top in SCANNED:
        for path in sorted((ROOT / top).rglob("*")):
            if path.suffix in SUFFIXES and path.is_file() and "vendor" not in path.parts \
                    and "locale" not in path.parts:
                yield path
    yield ROOT / "README.md"


def test_nothing_points_outside_the_repository():
    """A clone is self-contained: the domain facts are cited from docs/domain/."""
    found = [f"{path.relative_to(ROOT)}:{number}: {line.strip()[:80]}"
             for path in _project_files() if path != Path(__file__)
             for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if OUTSIDE.search(line)]
    assert not found, "\n".join(found)


def test_every_relative_link_in_the_docs_leads_somewhere():
    broken = []
    for page in [ROOT / "README.md", *sorted(DOCS.rglob("*.md"))]:
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", page.read_text()):
            if re.match(r"[a-z]+:", target):
                continue
            if not (page.parent / target).exists():
                broken.append(f"{page.relative_to(ROOT)} -> {target}")
    assert not broken, "\n".join(broken)


def test_it_names_every_apps_part_of_the_permission_policy():
    text = (DOCS / "architecture.md").read_text()
    section = text.split("\n## Who sees what\n", 1)[1].split("\n## ", 1)[0]
    named = set(re.findall(r"^\| `(\w+/policy\.py)` \|", section, flags=re.M))
    present = {f"{path.parent.name}/policy.py"
               for path in (ROOT / "envhub").glob("*/policy.py")}
    assert named == present
