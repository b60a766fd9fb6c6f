"""The benchmarks' building blocks on a tiny size, so that they cannot rot. Benchmarks are not
tests: nothing here is timed; what is checked is that the pieces do what the benchmark says."""

from __future__ import annotations

import itertools
import json
import sqlite3
from types import SimpleNamespace

import pytest
from django.db import connection

from bench import common, fleet, load, reads
from bench import http as http_bench


def test_it_paces_requests_at_the_rate_asked():
    requests = load.paced(5, 10.0, itertools.cycle([("a", b"1"), ("b", b"2")]), start=1.0)
    assert [round(r.at, 6) for r in requests] == [1.0, 1.1, 1.2, 1.3, 1.4]
    assert [r.kind for r in requests] == ["a", "b", "a", "b", "a"]
    assert len(load.paced(5, 10.0, iter([("a", b"1")]))) == 1  # no more than there is


def test_it_writes_a_whole_request_that_closes_its_connection():
    raw = load.raw_request("POST", "/api/v1/ingest/files", {"X-Filename": "f.txt"}, b"12345")
    head, body = raw.split(b"\r\n\r\n")
    assert head.split(b"\r\n")[0] == b"POST /api/v1/ingest/files HTTP/1.1"
    assert {b"Connection: close", b"Content-Length: 5", b"X-Filename: f.txt"} <= set(
        head.split(b"\r\n"))
    assert body == b"12345"


def test_it_summarises_latencies():
    latency = common.Latency.of([0.3, 0.1, 0.2, 0.4, 0.5])
    assert (latency.count, latency.p50, latency.p95, latency.max) == (5, 0.3, 0.5, 0.5)
    assert common.Latency.of([]) == common.Latency(0, 0.0, 0.0, 0.0)


@pytest.mark.django_db
def test_the_peers_queries_give_envhubs_rows(world):
    """The SQL Datasette runs in bench.reads gives the rows and columns of envhub's answers."""
    if connection.vendor != "sqlite":
        pytest.skip("Datasette reads SQLite files")
    from django.test import Client

    from envhub.core.permissions import system_actor
    from envhub.monitoring import connectivity, ingest, rollups
    from tests.monitoring.files import local, tt10_file

    files = [tt10_file(world.air_hn, local(2026, 11, 20, 7, 5 * slot),
                       [("PM10", 10.0 * slot, "ug/m3", 0)]) for slot in range(1, 12)]
    ingest.ingest(system_actor("tests"), "folder", files)
    rollups.process_queue()
    connectivity.evaluate()
    reader = common.reader("smoke-reader")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {reader.token}")
    ours = client.get("/api/v1/observations", {"station": "HNKK1", "parameter": "PM10",
                                               "interval": "hour", "from": "2026-11-20",
                                               "to": "2026-11-21"}).json()["results"]
    latest = client.get("/api/v1/latest").json()["results"]
    theirs = _peer_rows(reads.DATASETTE_HOURLY, station="HNKK1", parameter="PM10",
                        start="2026-11-19 17:00:00", end="2026-11-21 17:00:00", limit=500)
    assert len(ours) == 1 and reads.same_rows(ours, theirs)
    peer_latest = _peer_rows(reads.DATASETTE_LATEST, limit=5000)
    for row in peer_latest:
        row["values"] = json.loads(row["values"])  # Datasette's _json=values
    assert len(latest) == 6 and reads.same_rows(latest, peer_latest)


def _peer_rows(sql: str, **params) -> list[dict]:
    """The rows of the peer's SQL, read in the test's transaction (sqlite3 itself: the SQL
    holds strftime's % signs and :named parameters, as Datasette takes them)."""
    connection.ensure_connection()
    cursor = connection.connection.cursor()
    cursor.row_factory = sqlite3.Row
    return [dict(row) for row in cursor.execute(sql, params)]


@pytest.mark.slow
def test_the_mix_builds_its_stations_and_the_server_answers_its_requests(live_server, reference,
                                                                          settings, tmp_path):
    settings.VAR_DIR = tmp_path  # where `envhub demo` writes its accounts
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    senders, live = fleet.build(110, history_hours=0.25, live_steps=1)
    assert len(senders) == 110  # the demo's automatic stations and copies of some
    assert len({sender.token for sender in senders}) == 110
    assert {code for code, _name, _content in live} <= {sender.code for sender in senders}
    assert len(live) >= 100  # a reporting period of (nearly) every station
    port = int(live_server.url.rsplit(":", 1)[1])
    requests = load.paced(12, 50.0, http_bench.upload_requests(senders, live))
    requests += load.paced(4, 50.0, http_bench.read_requests(senders, common.reader()))
    results = load.run(port, requests, timeout=120)
    assert [(r.kind, r.status) for r in results if r.status not in (200, 422)] == []
    assert {r.kind for r in results} == {"upload", "station page", "latest, every station",
                                         "hourly PM10, a day", "one station's latest"}
    args = SimpleNamespace(rate=50.0, seconds=1.0, warmup=0.0)
    rows = dict(http_bench.mix_rows({"results": results, "load": ("-", "-"), "cpu": {},
                                     "backlog": http_bench.backlog(), "quiet": None}, args))
    assert rows["answered"].startswith("12 × 200") or "× 422" in rows["answered"]


def test_the_xlsx_numbers_benchmark_writes_both_kinds():
    from bench import xlsx_numbers

    spent = xlsx_numbers.measure(rows=20, repeat=1)
    assert set(spent) == {"without number formats", "with number formats"}
    assert all(len(times) == 1 for times in spent.values())


@pytest.mark.django_db
def test_the_judging_benchmark_queues_each_judged_source_s_newest_hours(world):
    import datetime

    from bench import judging
    from envhub.compliance.models import ComplianceQueue, Permit, Regulation
    from envhub.core.permissions import system_actor
    from envhub.core.timeutil import VN
    from envhub.monitoring import ingest, rollups
    from tests.monitoring.files import local, tt10_file

    Permit.objects.create(source=world.stack_hn, number="1/GPMT",
                          valid_from=datetime.date(2024, 1, 1), column="B",
                          regulation=Regulation.objects.get(code="QCVN 19:2009/BTNMT"),
                          facility_flow_m3h=10_000, location_class="3")
    files = [tt10_file(world.station_stack_hn, local(2026, 11, 20, hour, 0),
                       [("SO2", 100.0, "mg/Nm3", 0)]) for hour in (7, 8, 9)]
    files.append(tt10_file(world.station_stack_hn2, local(2026, 11, 20, 9, 0),
                           [("SO2", 100.0, "mg/Nm3", 0)]))  # no permit: never judged
    ingest.ingest(system_actor("tests"), "folder", files)
    rollups.process_queue()
    assert judging._queue_newest_hours(2) == 2
    assert sorted(ComplianceQueue.objects.values_list("source_id", "hour_end")) == [
        (world.stack_hn.pk, local(2026, 11, 20, 8, 0).replace(tzinfo=VN)),
        (world.stack_hn.pk, local(2026, 11, 20, 9, 0).replace(tzinfo=VN))]


@pytest.mark.django_db
def test_it_generates_a_month_the_report_reads(reference):
    from bench import reports as report_bench
    from envhub.dashboard import periods
    from envhub.dashboard.report_data import collect

    sizes = report_bench.generate(stations=4, events_a_year=24, seed=1)
    assert (sizes["stations"], sizes["series"], sizes["rollups"], sizes["events"]) == (
        4, 8, 240, 2)
    month = periods.Period(periods.MONTH, report_bench.MONTH_FIRST, report_bench.MONTH_LAST)
    data = collect(None, month)
    assert data.totals["hours"] == sizes["windows"]
    assert data.totals["stations"] == 4


@pytest.mark.django_db(transaction=False)
def test_it_generates_a_national_database_whose_figures_the_baseline_agrees_with(reference):
    """bench.dashboard's generated country on a tiny scale: the rows are there, and its
    hand-written SQL gives the dashboard's headline figures for the country and a province."""
    import datetime

    from bench import dashboard, national
    from envhub.compliance.models import Assessment
    from envhub.monitoring.models import DailyRollup, HourlyRollup

    scale = national.Scale(stations=30, parameters=2, events=40, days=40, hourly_days=21)
    counts = national.build(scale)
    assert counts["stations"] == 30 and counts["series"] == 60
    assert DailyRollup.objects.count() == counts["daily rollups"] == 60 * 40
    assert HourlyRollup.objects.count() == counts["hourly rollups"] > 0
    assert Assessment.objects.count() == counts["judged hours"] == 20 * 2 * 21 * 24
    now = datetime.datetime.combine(scale.today, datetime.time(23, 30),
                                    tzinfo=dashboard.VN).astimezone(datetime.UTC)
    for params in ({}, {"province": dashboard.PROVINCE}):
        for line in dashboard.agreement(now, scale.today, params):
            assert "DIFFER" not in line, line


@pytest.mark.django_db
def test_the_newsletter_benchmark_sends_the_baselines_emails(reference, settings):
    """bench.newsletter on nine subscribers: the worker's way sends exactly the e-mails the
    baseline's loop makes (six: a third of the list chose another province)."""
    from django.core import mail

    from bench import newsletter

    settings.ENVHUB_SITE_URL = newsletter.SITE
    post = newsletter.generate(9)
    _seconds, _rounds, plain = newsletter.baseline(post, 4)
    plain_to = sorted(message.to[0] for message in mail.outbox)
    _seconds, rounds, sent = newsletter.envhub(4)
    assert plain == sent == 6 and len(rounds) == 2
    assert sorted(message.to[0] for message in mail.outbox) == plain_to
