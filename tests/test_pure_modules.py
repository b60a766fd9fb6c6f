"""The pure modules — formulas and formats — import nothing from Django, so that they can be read,
tested and reused on their own. A module says it is one with "Pure module" in its docstring; the
list below holds those the architecture names, so that none can drop the phrase unnoticed."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import envhub

PACKAGE = Path(envhub.__file__).resolve().parent

NAMED_IN_THE_ARCHITECTURE = {
    "envhub.core.config",
    "envhub.core.geo",
    "envhub.core.numbers",
    "envhub.core.text",
    "envhub.core.timeutil",
    "envhub.core.units",
    "envhub.monitoring.formats.tt10",
    "envhub.compliance.rules",
    "envhub.airquality.vn_aqi",
}


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


def test_every_module_the_architecture_names_says_it_is_pure():
    assert NAMED_IN_THE_ARCHITECTURE <= set(DECLARED)


@pytest.mark.parametrize("module", DECLARED)
def test_it_imports_no_django(module):
    code = (f"import sys, {module}; "
            "sys.exit(sorted(m for m in sys.modules if m == 'django' or m.startswith('django.'))"
            " or None)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=False)
    assert result.returncode == 0, result.stderr
