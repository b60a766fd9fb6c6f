"""PostgreSQL: the months' partitions of observations, and the cache of the ones that exist."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection, transaction

from envhub.monitoring import partitions

pytestmark = pytest.mark.django_db

FAR_MONTH = datetime.datetime(2031, 3, 10, tzinfo=datetime.UTC)


class _Undo(Exception):
    pass


def test_a_partition_rolled_back_is_created_again():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no partitions")
    name = partitions.partition_name(partitions.month_start(FAR_MONTH))
    with pytest.raises(_Undo), transaction.atomic():
        partitions.ensure([FAR_MONTH])
        partitions.ensure([FAR_MONTH])  # sees the new partition, not yet committed
        raise _Undo
    assert name not in partitions.existing()
    partitions.ensure([FAR_MONTH])
    assert name in partitions.existing()
