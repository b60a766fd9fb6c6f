"""PostgreSQL: a month's partition created in a transaction that rolls back is created again
by the next write (the in-process list of partitions learns only what was committed)."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection, transaction

from envhub.monitoring import partitions

pytestmark = pytest.mark.django_db

UTC = datetime.timezone.utc


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has one plain table")
def test_a_partition_rolled_back_is_created_again():
    partitions.forget()
    old = datetime.datetime(2001, 2, 10, tzinfo=UTC)  # a month no other test writes
    name = partitions.partition_name(partitions.month_start(old))

    class Undo(Exception):
        pass

    with pytest.raises(Undo), transaction.atomic():
        partitions.ensure([old])
        partitions.ensure([old, datetime.datetime(2001, 3, 10, tzinfo=UTC)])  # learns Feb
        assert name in partitions.existing()
        raise Undo
    assert name not in partitions.existing()
    partitions.ensure([old])
    assert name in partitions.existing()
