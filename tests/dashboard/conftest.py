import pytest


@pytest.fixture
def report_storage(settings, tmp_path):
    """Reports' files in the test's own folder."""
    settings.STORAGES = {**settings.STORAGES,
                         "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                                     "OPTIONS": {"location": str(tmp_path / "media")}}}
    return tmp_path / "media"


@pytest.fixture
def seeded(world, report_storage):
    from tests.dashboard.reports_seed import seed

    seed(world)
    return world
