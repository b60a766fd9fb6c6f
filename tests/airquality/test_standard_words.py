"""The QCVN 05:2023 table of an air station names its averaging times in the page's language
("1 giờ", "năm"), never the codes `1h` or `year`."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone

from envhub.core.permissions import system_actor
from envhub.core.timeutil import VN
from envhub.monitoring import ingest, rollups
from tests.monitoring.files import tt10_file

pytestmark = pytest.mark.django_db


def test_the_averaging_times_are_words(world):
    now = timezone.now().astimezone(VN).replace(tzinfo=None, minute=0, second=0, microsecond=0)
    files = [tt10_file(world.air_hn, now - datetime.timedelta(hours=h),
                       [("PM2,5", 30.0, "ug/m3"), ("NO2", 20.0, "ug/m3")]) for h in (3, 2, 1)]
    ingest.ingest(system_actor("tests"), "ftp", files, live=True)
    rollups.process_queue()
    page = world.client("anonymous").get(f"/air/stations/{world.air_hn.code}/").content.decode()
    table = page.split("QCVN 05:2023", 1)[1].split("</table>", 1)[0]
    cells = re.findall(r"<tr><td[^>]*>[^<]*</td><td>([^<]*)</td>", table)
    assert cells, table
    assert "year" not in cells and "1h" not in cells and "24h" not in cells
    assert "năm" in cells and "24 giờ" in cells
