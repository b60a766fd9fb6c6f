import pytest

from envhub.dashboard import filters
from tests.dashboard import seed


@pytest.fixture
def seeded(world, monkeypatch):
    """The headline figures' world, read at a fixed moment (20 November 2026, noon in Viet
    Nam)."""
    monkeypatch.setattr(filters, "clock", lambda: seed.NOW)
    return seed.figures_world(world)


@pytest.fixture
def tables_seeded(world, monkeypatch):
    """The tables', trends' and rankings' world, read at 09:00 on 7 December 2026."""
    monkeypatch.setattr(filters, "clock", lambda: seed.DEC7_NOW)
    return seed.tables_world(world)


@pytest.fixture
def report_storage(settings, tmp_path):
    """Reports' files in the test's own folder."""
    settings.STORAGES = {**settings.STORAGES,
                         "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                                     "OPTIONS": {"location": str(tmp_path / "media")}}}
    return tmp_path / "media"


@pytest.fixture
def report_month(world, report_storage, settings, monkeypatch):
    """The seeded November 2026, read on 7 December 2026 (every hour of it has ended), with
    both provinces among the main cities."""
    settings.ENVHUB_DASHBOARD_CITIES = ["01", "75"]
    monkeypatch.setattr(filters, "clock", lambda: seed.DEC7_NOW)
    seed.report_world(world)
    return world
