import pytest

from envhub.dashboard import services
from tests.dashboard.seed import NOW, seed


@pytest.fixture
def seeded(world, monkeypatch):
    """The seeded world, read at a fixed moment (20 November 2026, noon in Viet Nam)."""
    monkeypatch.setattr(services, "clock", lambda: NOW)
    return seed(world)
