"""The pure modules — formulas and formats — import nothing from Django, so that they can be read,
tested and reused on their own. A module says it is one with "Pure module" in its docstring, and
docs/architecture.md lists them all in one table ("Pure modules"), where a newcomer finds them:
the two must agree, so that none can drop the phrase, or be left out of the list, unnoticed."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

import envhub

PACKAGE = Path(envhub.__file__).resolve().parent

ARCHITECTURE = PACKAGE.parent / "docs" / "architecture.md"


def _named_in_the_architecture() -> set[str]:
    """The modules of the "Pure modules" table of docs/architecture.md, as dotted names."""
    text = ARCHITECTURE.read_text(encoding="utf-8")
    section = text.split("\n### Pure modules\n", 1)[1].split("\n#", 1)[0]
    paths = re.findall(r"^\| `([\w/]+)\.py` \|", section, flags=re.M)
    return {"envhub." + path.replace("/", ".") for path in paths}


def _says_it_is_pure(path: Path) -> bool:
    docstring = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
    return "pure module" in " ".join(docstring.split()).lower()


def _module_name(path: Path) -> str:
    relative = path.relative_to(PACKAGE.parent).with_suffix("")
    return ".".join(relative.parts)


DECLARED = sorted(
    _module_name(path) for path in PACKAGE.rglob("*.py")
    if "migrations" not in path.parts and _says_it_is_pure(path)
)


def test_the_architecture_lists_every_pure_module_and_no_other():
    assert _named_in_the_architecture() == set(DECLARED)


@pytest.mark.parametrize("module", DECLARED)
def test_it_imports_no_django(module):
    code = (f"import sys, {module}; "
            "sys.exit(sorted(m for m in sys.modules if m == 'django' or m.startswith('django.'))"
            " or None)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=False)
    assert result.returncode == 0, result.stderr
