"""`bench.survey_loading`'s rows on a tiny size, so that the benchmark cannot rot: they load as
the benchmark says (one parameter in ten below detection). Nothing is timed."""

from __future__ import annotations

import pytest

from bench import survey_loading
from envhub.monitoring.models import Observation, Sample
from tests.monitoring.periodic import load

pytestmark = pytest.mark.django_db


def test_the_benchmarks_rows_load(world):
    rows = list(survey_loading.survey_rows(stations=3, dates=2))
    assert len(rows) == 3 * 2 * len(survey_loading.PARAMETERS)
    summary = load(rows, version=1)
    assert summary.stations_created == ["DK0000", "DK0001", "DK0002"]
    assert Sample.objects.count() == 60 and Observation.objects.count() == 54
    assert survey_loading.peak_rss_kib() > 0
