"""The apps are rooms stacked on one another: a module imports its own app and the apps below it,
never one above, so that each room can be read (and tested) with only the floors under it.
The order is the one of the apps table in docs/architecture.md, from `core`, the ground floor,
up to `demo`; the modules of the package itself (`settings`, `urls`, `api`, `cli`) are the roof
and may import any app. Every import counts, at the top of a module or inside a function."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import envhub

PACKAGE = Path(envhub.__file__).resolve().parent
ARCHITECTURE = PACKAGE.parent / "docs" / "architecture.md"

# Imports of a higher room, each with why it stays; (importing module, imported app).
ALLOWED: dict[tuple[str, str], str] = {
}


def _rooms() -> list[str]:
    text = ARCHITECTURE.read_text(encoding="utf-8")
    table = text.split("\n## Apps\n", 1)[1].strip().split("\n\n", 1)[0]
    return re.findall(r"^\| `(\w+)` \|", table, flags=re.M)


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imported(path: Path, module: str) -> set[str]:
    """The envhub modules `path` imports, relative imports resolved."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                found.add(".".join(base + ([node.module] if node.module else [])))
            else:
                found.add(node.module)
    return {name for name in found if name.split(".")[0] == "envhub"}


def upward_imports() -> set[tuple[str, str]]:
    rooms = _rooms()
    floor = {app: level for level, app in enumerate(rooms)}
    found = set()
    for path in PACKAGE.rglob("*.py"):
        module = _module_name(path)
        app = module.split(".")[1] if "." in module else None
        if app not in floor:
            continue  # the roof: settings, urls, api, cli
        for name in _imported(path, module):
            target = name.split(".")[1] if name.count(".") else None
            if target in floor and floor[target] > floor[app]:
                found.add((module, target))
    return found


def test_the_architecture_lists_every_app_once():
    apps = {path.parent.name for path in PACKAGE.glob("*/apps.py")}
    rooms = _rooms()
    assert rooms[0] == "core"
    assert sorted(rooms) == sorted(apps)


def test_no_module_imports_a_room_above_its_own():
    assert upward_imports() - set(ALLOWED) == set()


def test_every_allowed_exception_is_still_needed():
    assert set(ALLOWED) - upward_imports() == set()
