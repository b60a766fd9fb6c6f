"""Monitoring in the admin: a steward enters an analyser's range, which ingestion then applies;
received files are read-only; the officer sees only their province's."""

from __future__ import annotations

import pytest

from envhub.core.permissions import system_actor
from envhub.monitoring import ingest
from envhub.monitoring.models import Batch, Series
from tests.monitoring.files import local, tt10_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def received(world):
    ingest.ingest(system_actor("tests"), "folder", [
        tt10_file(world.air_hn, local(2026, 11, 20, 8, 0), [("PM10", 40, "ug/m3")]),
        tt10_file(world.air_dn, local(2026, 11, 20, 8, 0), [("PM10", 50, "ug/m3")]),
    ])
    return world


def test_a_steward_sets_an_analysers_range_and_ingestion_applies_it(received):
    series = Series.objects.get(station=received.air_hn, parameter__code="PM10")
    client = received.client("steward")
    url = f"/admin/monitoring/series/{series.pk}/change/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"range_min": "0", "range_max": "500"})
    assert response.status_code == 302, response.content[:500]
    series.refresh_from_db()
    assert (series.range_min, series.range_max) == (0.0, 500.0)
    [report] = ingest.ingest(system_actor("tests"), "folder", [
        tt10_file(received.air_hn, local(2026, 11, 20, 8, 5), [("PM10", 700, "ug/m3")])])
    assert [r.code for r in report.rejects] == ["outside_instrument_range"]


def test_received_files_are_read_only_and_scoped(received):
    officer = received.client("officer")
    listing = officer.get("/admin/monitoring/batch/").content.decode()
    assert "HNKK1" in listing and "DNKK1" not in listing
    batch = Batch.objects.get(station=received.air_hn)
    page = officer.get(f"/admin/monitoring/batch/{batch.pk}/change/")
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    other = Batch.objects.get(station=received.air_dn)
    assert officer.get(f"/admin/monitoring/batch/{other.pk}/change/").status_code in (302, 404)


def test_only_stewards_and_admins_change_series(received):
    series = Series.objects.get(station=received.air_hn, parameter__code="PM10")
    url = f"/admin/monitoring/series/{series.pk}/change/"
    response = received.client("officer").post(url, {"range_min": "0", "range_max": "1"})
    assert response.status_code == 403
    series.refresh_from_db()
    assert series.range_max is None


def test_the_received_files_list_costs_the_same_queries_however_many_files(received):
    """The list once made a query per row (its station) and one per day in the table."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = received.client("steward")

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/admin/monitoring/batch/").status_code == 200
        return [query["sql"] for query in captured.captured_queries]

    few = queries()
    ingest.ingest(system_actor("tests"), "folder", [
        tt10_file(station, local(2026, 11, day, 8, 0), [("PM10", 40, "ug/m3")])
        for station in (received.air_hn, received.air_dn) for day in range(1, 11)])
    many = queries()
    assert len(many) == len(few)
    assert not any("DISTINCT" in sql and "received_at" in sql for sql in many)
