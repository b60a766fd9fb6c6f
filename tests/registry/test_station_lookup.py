"""A station named in a URL (API and pages) is found whatever the case of its code, through
the index on the lower-cased code rather than by reading every station."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from envhub.core import permissions
from envhub.core.errors import NotFound
from envhub.registry import services

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("code", ["HNKK1", "hnkk1", "HnKk1"])
def test_it_finds_a_station_whatever_the_case(world, code):
    actor = permissions.actor_for_user(world.users["officer"])
    assert services.station(actor, code).pk == world.air_hn.pk
    assert services.station(actor, code, related=False).pk == world.air_hn.pk


@pytest.mark.parametrize("code", ["HNKK1 ", "HNKK\u0131", "\uff28NKK1", "HN_KK1", ""])
def test_it_finds_no_station_for_a_code_no_station_can_have(world, code):
    actor = permissions.actor_for_user(world.users["admin"])
    with pytest.raises(NotFound):
        services.station(actor, code)


def test_it_keeps_to_the_scope(world):
    officer = permissions.actor_for_user(world.users["officer"])
    with pytest.raises(NotFound):
        services.station(officer, "dnkk1")  # Đồng Nai's, outside a Hà Nội officer's scope


def test_it_reads_the_station_through_the_index_of_lower_cased_codes(world):
    actor = permissions.actor_for_user(world.users["admin"])
    with CaptureQueriesContext(connection) as queries:
        services.station(actor, "hnkk1")
    (query,) = queries.captured_queries
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")  # a tiny table: make it choose
            cursor.execute(f"EXPLAIN {query['sql']}")
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {query['sql']}")
        plan = " ".join(str(row) for row in cursor.fetchall())
    assert "station_code_unique_ci" in plan
