"""A partition created in a transaction that is rolled back is not remembered as there, even
when a later `ensure` of the same transaction saw it (PostgreSQL)."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection, transaction

from envhub.monitoring import partitions

pytestmark = pytest.mark.django_db


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has one plain table")
def test_a_rolled_back_partition_is_created_again():
    first = datetime.datetime(2001, 3, 1, tzinfo=datetime.UTC)
    second = datetime.datetime(2001, 5, 1, tzinfo=datetime.UTC)
    partitions.forget()
    try:
        with transaction.atomic():
            partitions.ensure([first])
            partitions.ensure([second])  # sees the first month's new (uncommitted) partition
            transaction.set_rollback(True)
        partitions.ensure([first])
        assert partitions.partition_name(first) in partitions.existing()
    finally:
        partitions.forget()
