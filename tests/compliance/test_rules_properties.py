"""Properties of the rules over many generated inputs (hypothesis): every exceedance lands in
exactly one band, the O2 correction can be undone, episodes account for every exceeding window."""

from __future__ import annotations

import datetime

from hypothesis import given
from hypothesis import strategies as st

from envhub.compliance import rules
from envhub.compliance.rules import COMPLIES, EXCEEDS, UNKNOWN, Judged
from envhub.core.timeutil import HOUR, UTC
from tests.compliance.test_rules import DECREE_45

multiples = st.floats(min_value=1.0, max_value=1e6, exclude_min=True, allow_nan=False)


@given(multiples)
def test_every_exceedance_is_in_exactly_one_band(multiple):
    band = rules.band_for(multiple, DECREE_45)
    assert band is not None
    assert band.lower <= round(multiple, rules.MULTIPLE_DIGITS)
    assert band.upper is None or round(multiple, rules.MULTIPLE_DIGITS) < band.upper
    assert sum(1 for b in DECREE_45 if b.lower <= multiple and
               (b.upper is None or multiple < b.upper)) <= 1


@given(st.floats(min_value=0, max_value=1e5), st.floats(min_value=0, max_value=20.8),
       st.floats(min_value=0, max_value=20.8))
def test_the_o2_correction_can_be_undone(concentration, measured, reference):
    corrected = rules.o2_corrected(concentration, measured, reference)
    back = rules.o2_corrected(corrected, reference, measured)
    assert abs(back - concentration) <= 1e-9 * max(1.0, concentration)


@given(st.lists(st.sampled_from([EXCEEDS, COMPLIES, UNKNOWN]), max_size=60))
def test_episodes_account_for_every_exceeding_window(states):
    start = datetime.datetime(2026, 1, 1, tzinfo=UTC)
    judged = [Judged(start + i * HOUR, start + (i + 1) * HOUR, state, 100.0, 1.5)
              for i, state in enumerate(states)]
    found = rules.episodes(judged)
    assert sum(e.hours for e in found) == states.count(EXCEEDS)
    for before, after in zip(found, found[1:], strict=False):
        assert before.closed and before.end < after.start
    for episode in found:
        index = next(i for i, w in enumerate(judged) if w.end == episode.end)
        later = [w.state for w in judged[index + 1:] if w.state != UNKNOWN]
        assert episode.closed == (bool(later) and later[0] == COMPLIES)
