"""Times and periods read from query parameters, the same way on every page and API: ISO 8601,
a date alone meaning a local day (`from=2026-11-20` is after its 00:00, `to=2026-11-20` up to
its 24:00); a bad value is a 400 with the parameter named."""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from envhub.core.errors import InvalidInput
from envhub.core.timeutil import parse_moment


def moment(text: str | None, field: str, *, end_of_day: bool = False):
    """The time a parameter gives, or None when it is empty."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        return parse_moment(text, end_of_day=end_of_day)
    except ValueError:
        raise InvalidInput(
            _("%(field)s is not a time: use ISO 8601, e.g. 2026-11-26T08:00:00+07:00 or "
              "2026-11-26.") % {"field": field}, {field: [_("not a time")]}) from None


def period(text_from: str | None, text_to: str | None, *,
           default: datetime.timedelta | None = None,
           maximum: datetime.timedelta | None = None):
    """(start, end] from `from` and `to`. With `default`, a missing end is now and a missing
    start is `default` before the end; without it they stay None. The end must come after the
    start, and the two may be at most `maximum` apart."""
    end = moment(text_to, "to", end_of_day=True)
    start = moment(text_from, "from")
    if default is not None:
        end = end or timezone.now()
        start = start or end - default
    if start is not None and end is not None:
        if maximum is not None and not datetime.timedelta(0) < end - start <= maximum:
            raise InvalidInput(_("The period must end after it starts and span at most "
                                 "%(days)d days.") % {"days": maximum.days},
                               {"from": [_("invalid period")]})
        if end <= start:
            raise InvalidInput(_("from must be before to."), {"from": [_("after to")]})
    return start, end
