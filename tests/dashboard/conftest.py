import pytest

from envhub.dashboard import filters
from tests.dashboard.seed import NOW, seed


@pytest.fixture
def seeded(world, monkeypatch):
    """The seeded world, read at a fixed moment (20 November 2026, noon in Viet Nam)."""
    monkeypatch.setattr(filters, "clock", lambda: NOW)
    return seed(world)


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
    import datetime

    from tests.dashboard.reports_seed import seed

    settings.ENVHUB_DASHBOARD_CITIES = ["01", "75"]
    monkeypatch.setattr(filters, "clock", lambda: datetime.datetime(2026, 12, 7, 2,
                                                                 tzinfo=datetime.UTC))
    seed(world)
    return world
