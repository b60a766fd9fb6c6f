"""The vendored front-end files are the published ones: each file of envhub/static/vendor is listed
in its README with its size and sha256, and matches them; nothing is there unlisted."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

VENDOR = Path(__file__).resolve().parents[1] / "envhub" / "static" / "vendor"
ROW = re.compile(r"^\| `(?P<path>[^`]+)` \| `[^`]+` \| (?P<bytes>\d+) "
                 r"\| `(?P<sha256>[0-9a-f]{64})` \|$")


def _listed() -> dict[str, tuple[int, str]]:
    rows = (ROW.match(line) for line in (VENDOR / "README.md").read_text().splitlines())
    return {row["path"]: (int(row["bytes"]), row["sha256"]) for row in rows if row}


def test_it_lists_every_vendored_file_and_only_those():
    present = {path.relative_to(VENDOR).as_posix() for path in VENDOR.rglob("*")
               if path.is_file() and path.name != "README.md"}
    assert present == set(_listed())


def test_it_finds_each_vendored_file_as_published():
    for path, (size, sha256) in _listed().items():
        content = (VENDOR / path).read_bytes()
        assert (len(content), hashlib.sha256(content).hexdigest()) == (size, sha256), path
