"""The change against the previous period, said without claiming more than the data hold."""

import pytest

from envhub.dashboard import changes
from envhub.dashboard.changes import Change


@pytest.mark.parametrize(("current", "previous", "points", "expected"), [
    (5, None, False, Change(changes.NO_EARLIER)),  # nothing before: never +100 % or ∞
    (None, 3, False, Change(changes.UNKNOWN)),  # nothing now
    (None, None, False, Change(changes.UNKNOWN)),
    (4, 0, False, Change(changes.UP, 4, None)),  # from 0: the difference only
    (0, 0, False, Change(changes.SAME, 0, None)),
    (3, 3, False, Change(changes.SAME, 0, 0.0)),
    (6, 4, False, Change(changes.UP, 2, 50.0)),
    (1, 4, False, Change(changes.DOWN, -3, -75.0)),
    (0, 4, False, Change(changes.DOWN, -4, -100.0)),
    (56.9, 87.8, True, Change(changes.DOWN, -30.9, None)),  # a percentage: points
    (90.0, 90.0, True, Change(changes.SAME, 0, None)),
])
def test_it_tells_the_change(current, previous, points, expected):
    assert changes.between(current, previous, points=points) == expected


@pytest.mark.parametrize(("part", "whole", "expected"), [
    (0, 0, None), (5, 10, 50.0), (12, 10, 100.0), (1, 3, 33.3), (0, 7, 0.0)])
def test_it_gives_a_share_capped_at_100(part, whole, expected):
    assert changes.share(part, whole) == expected
