"""`envhub check` on the press kit: pdftoppm found, or a warning that says what to install."""

from __future__ import annotations

from envhub.news import health, presskit
from tests.said import Said


def test_it_finds_pdftoppm():
    said = Said()
    health.press_kit_pictures(said)
    assert said == [("ok", "bulletins: pdftoppm is there for the press kit's PNG charts")]


def test_it_says_what_to_install_without_pdftoppm(monkeypatch):
    monkeypatch.setattr(presskit, "PDFTOPPM", "no-such-pdftoppm")
    said = Said()
    health.press_kit_pictures(said)
    assert [kind for kind, _message in said] == ["warn"]
    assert "poppler-utils" in said[0][1]
