"""A request's database work has a time budget (ENVHUB_REQUEST_SECONDS): a statement that would
run on is stopped, the caller gets 503 `timeout`, and the next request is served as usual."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test import Client

pytestmark = pytest.mark.django_db

# Counts to two hundred million, one row at a time: minutes of work on either database.
ENDLESS = ("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 200000000) "
           "SELECT count(*) FROM c")


@pytest.fixture
def endless_provinces(monkeypatch):
    """The provinces list, made to run a query that does not end in time."""
    from envhub.registry import services

    original = services.provinces

    def provinces(*args, **kwargs):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(ENDLESS)
        return original(*args, **kwargs)

    monkeypatch.setattr(services, "provinces", provinces)
    return lambda: monkeypatch.setattr(services, "provinces", original)


def test_a_query_past_the_budget_is_stopped_with_a_503(reference, settings, endless_provinces):
    settings.ENVHUB_REQUEST_SECONDS = 1
    response = Client().get("/api/v1/provinces")
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "timeout"
    # The connection is handed back without the budget: the next request runs to its end.
    endless_provinces()
    assert Client().get("/api/v1/provinces", {"limit": 50}).status_code == 200
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM registry_province")
        assert cursor.fetchone() == (34,)


def test_a_page_past_the_budget_says_so_in_vietnamese(world, settings, monkeypatch):
    from envhub.registry import services

    def slow(*args, **kwargs):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(ENDLESS)

    monkeypatch.setattr(services, "provinces", slow)
    settings.ENVHUB_REQUEST_SECONDS = 1
    page = Client().get("/")
    assert page.status_code == 503
    assert "quá lâu" in page.content.decode()
