"""How a slice is written (`monitoring.storage`): on SQLite the rows travel to the database as
multi-row VALUES lists of bound values, cut to what a statement may hold, so what is stored
must be exactly what was received, each row with its own file; the files received before are
found through the index of their digests' heads."""

from __future__ import annotations

import contextlib
import math

import pytest
from django.db import connection, transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from envhub.core.permissions import system_actor
from envhub.monitoring import ingest, storage
from envhub.monitoring.formats import tt10
from envhub.monitoring.ingest import plan, writer
from envhub.monitoring.models import Batch, BatchFile, Observation
from tests.monitoring.files import local, name_for, pending_rows, tt10_file

pytestmark = pytest.mark.django_db

T = local(2026, 11, 20, 8, 0)


def test_raw_files_are_kept_byte_for_byte_whatever_they_hold(world):
    contents = [
        b"PM10\t40\tug/m3\t20261120080000\t00\n",
        "\ufeffPM10\t41\tug/m3\t20261120080500\t00\r\nTemp\t25\t\u0111\u1ed9 C\t"
        "20261120080500\t00\r\n".encode(),  # a BOM, CRLF and Vietnamese text
        "PM10\t42\tug/m3\t20261120081000\t00\n# ghi ch\u00fa\n".encode("cp1258"),  # not UTF-8
        b"PM10\t43\tug/m3\t20261120081500\t00\n\x00\x00",  # NUL bytes
        b"",
        b"PM10\t44\t\"ug/m3\"\t20261120082000\t00\n\\\n",  # JSON's own escapes
    ]
    files = [ingest.IncomingFile(name_for(world.air_hn, local(2026, 11, 20, 8, 5 * n)), content)
             for n, content in enumerate(contents)]
    reports = ingest.ingest(system_actor("tests"), "folder", files)
    stored = {raw.batch_id: bytes(raw.content) for raw in BatchFile.objects.all()}
    assert [stored[report.batch_id] for report in reports] == contents


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                  HealthCheck.too_slow], deadline=None)
@given(st.lists(st.floats(min_value=0, max_value=1e6, allow_nan=False, allow_infinity=False),
                min_size=1, max_size=6, unique=True))
def test_values_are_stored_exactly_as_read(world, values):
    # Bound as they were read (COPY's text on PostgreSQL): the same double, to the bit.
    Observation.objects.all().delete()
    Batch.objects.all().delete()
    files = [tt10_file(world.air_hn, local(2026, 11, 20, 8, 5 * n), [("PM10", value, "ug/m3")])
             for n, value in enumerate(values)]
    ingest.ingest(system_actor("tests"), "folder", files)
    stored = sorted(Observation.objects.values_list("value", flat=True))
    read = sorted(v for f in files for (_n, _s, v, *_rest) in
                  tt10.parse(f.content).readings)
    assert len(stored) == len(read)
    assert all(a == b and math.copysign(1, a) == math.copysign(1, b)
               for a, b in zip(stored, read, strict=True))


def test_rows_are_written_in_key_order_with_their_files_batch(world):
    files = [tt10_file(world.air_hn, local(2026, 11, 20, 8, 5 * n),
                       [("SO2", n, "ug/m3"), ("PM10", 10 + n, "ug/m3")]) for n in range(3)]
    checked = ingest.check_files(system_actor("tests"), files, timezone.now())
    planned = plan.plan_with(checked, writer._series_ids_creating_missing(checked))
    rows = pending_rows(planned.observations)
    assert rows == sorted(rows)
    assert {row[4] for row in rows} == {0, 1, 2}  # each row names its file by its place
    reports = ingest.write(system_actor("tests"), "folder", checked, now=timezone.now(),
                           plan=planned)
    by_batch = dict(Observation.objects.values_list("value", "batch_id"))
    assert by_batch == {n: reports[n].batch_id for n in range(3)} | {
        10 + n: reports[n].batch_id for n in range(3)}


def test_files_received_before_are_found_through_the_digest_index(world):
    ingest.ingest(system_actor("tests"), "folder",
                  [tt10_file(world.air_hn, T, [("PM10", 40, "ug/m3")])])
    batch = Batch.objects.get()
    assert storage.earlier_batches({batch.sha256}, {world.air_hn.id}) == {
        (batch.sha256, world.air_hn.id): batch.id}
    # Same head, other digest: not the same file.
    other = batch.sha256[:16] + "0" * 48
    assert storage.earlier_batches({other}, {world.air_hn.id}) == {}
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")  # a table this small is scanned
            cursor.execute(
                'EXPLAIN SELECT "id" FROM "monitoring_batch" WHERE SUBSTRING("sha256", 1, 16) '
                "= ANY(string_to_array(%s, ','))", [batch.sha256[:16]])
        else:
            cursor.execute(
                'EXPLAIN QUERY PLAN SELECT "id" FROM "monitoring_batch" WHERE '
                'SUBSTR("sha256", 1, 16) IN (%s)', [batch.sha256[:16]])
        plan = " ".join(str(row) for row in cursor.fetchall())
    assert "batch_sha256_head" in plan


@pytest.fixture(params=["rows", "bound values"])
def small_statements(request, monkeypatch):
    """Statements cut small: by envhub's own caps on rows, or by a connection that lets a
    statement hold only 40 bound values (SQLite's limit may be set lower when it is built)."""
    if request.param == "rows":
        monkeypatch.setattr(storage, "_ROWS_PER_STATEMENT", 2)
        monkeypatch.setattr(storage, "_FILES_PER_STATEMENT", 3)
        yield
        return
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL takes a slice's rows by COPY")
    import sqlite3

    connection.ensure_connection()
    limit = sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER
    before = connection.connection.setlimit(limit, 40)
    yield
    connection.connection.setlimit(limit, before)


def test_a_slice_written_in_several_statements_keeps_each_file_with_its_own(world,
                                                                            small_statements):
    # A slice's rows go in statements of a few thousand; each statement's batches and raw
    # files are numbered from the place of its first one.
    files = [tt10_file(world.air_hn, local(2026, 11, 20, 8, 5 * n), [("PM10", n, "ug/m3")])
             for n in range(7)]
    checked = ingest.check_files(system_actor("tests"), files, timezone.now())
    with transaction.atomic():  # as one slice: not retried file by file
        writer._write_slice(system_actor("tests"), "folder", checked, None, timezone.now(),
                            False, False, contextlib.nullcontext)
    reports = [f.report for f in checked]
    assert [r.status for r in reports] == ["accepted"] * 7
    for file, report in zip(files, reports, strict=True):
        batch = Batch.objects.get(pk=report.batch_id)
        assert batch.file_name == file.name
        assert bytes(BatchFile.objects.get(batch=batch).content) == file.content
        assert list(Observation.objects.filter(batch_id=batch.id).values_list(
            "value", flat=True)) == [float(files.index(file))]
