"""`envhub check` on the press kit: pdftoppm found, or a warning that says what to install."""

from __future__ import annotations

from envhub.news import health, presskit


class Said(list):
    def ok(self, message):
        self.append(("ok", message))

    def warn(self, message):
        self.append(("warn", message))

    def error(self, message):
        self.append(("error", message))


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
