import pytest
from django.utils import timezone

from tests.compliance import across


@pytest.fixture
def data(world, monkeypatch):
    """The compliance-across-facilities data (`across.build`), read with the clock fixed in
    the middle of Q2 2026."""
    monkeypatch.setattr(timezone, "now", lambda: across.NOW)
    return across.build(world)
