"""Two workers making the same morning's digests at the same time, each in its own thread and
database connection: each person gets one digest, and its held deliveries are sent once."""

from __future__ import annotations

import pytest

from envhub.compliance import digests
from envhub.compliance.models import (
    Delivery,
    DeliveryChannel,
    DeliveryStatus,
    Digest,
    Notification,
    NotificationKind,
)
from tests.compliance.notify_helpers import announce, choose
from tests.compliance.test_digests import MORNING_AFTER
from tests.threads import at_once

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_workers_make_one_digest_per_person(world):
    choose(world.users["officer"], "exceedance_opened", "daily")
    announce(world, "hn", "hn2", "dn")
    made = at_once(*[lambda: digests.run(now=MORNING_AFTER)] * 2)
    assert sum(made) == 2  # the leader's and the officer's, whoever made them
    assert Digest.objects.count() == 2
    assert Notification.objects.filter(kind=NotificationKind.DIGEST).count() == 2
    for persona, count in (("leader", 3), ("officer", 2)):
        digest = Digest.objects.get(user=world.users[persona])
        assert digest.notification.payload["count"] == count
        assert Delivery.objects.filter(user=world.users[persona],
                                       channel=DeliveryChannel.IN_APP).count() == 1
    assert not Delivery.objects.filter(status=DeliveryStatus.HELD).exists()
