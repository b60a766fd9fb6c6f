"""What a download holds before it is asked for: the rows of the chosen period and province,
counted by the provider with the download's own filters and scope (`Provider.count`, so a
reader is told the count of their own rows only; the whole dataset to a reader of every row is
the figure the catalogue's sync counted, said with its time), and, when there are none, the
days that do hold some. The dataset page renders it for the selection in its query string (it
works without scripts); `downloads.js` asks `rows.json` again whenever the form changes."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field, replace
from urllib.parse import urlencode

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from envhub.core import params
from envhub.core.errors import InvalidInput
from envhub.core.numbers import format_number
from envhub.core.providers import Filters, sees_all_rows


@dataclass
class Choice:
    """The download form's values as typed, and what they mean (None when one is wrong)."""

    values: dict[str, str]
    filters: Filters | None
    errors: dict[str, str] = field(default_factory=dict)


def choice(request) -> Choice:
    """The form's `from`, `to` and `province`; a bad date or a period that ends before it
    starts is an error beside its field, never an error page."""
    values = {name: (request.GET.get(name) or "").strip()[:40]
              for name in ("from", "to", "province")}
    values["province"] = values["province"][:2]
    errors: dict[str, str] = {}
    moments = {}
    for name, end_of_day in (("from", False), ("to", True)):
        try:
            moments[name] = params.moment(values[name], name, end_of_day=end_of_day)
        except InvalidInput:
            errors[name] = _("Not a date: choose one in the calendar (e.g. 2026-11-26).")
    start, end = moments.get("from"), moments.get("to")
    if start is not None and end is not None and end <= start:
        errors["to"] = _("The end date is before the start date: choose a later one.")
    if errors:
        return Choice(values, None, errors)
    return Choice(values, Filters(start=start, end=end, province=values["province"] or None,
                                  reader=request.actor))


@dataclass
class Holding:
    rows: int
    text: str
    # When nothing is in the selection: the days that hold rows, and the page's query for them.
    first: datetime.date | None = None
    last: datetime.date | None = None
    hint: str = ""
    query: str = ""

    def as_json(self) -> dict:
        return {"ok": True, "rows": self.rows, "text": self.text, "hint": self.hint,
                "from": self.first.isoformat() if self.first else None,
                "to": self.last.isoformat() if self.last else None, "query": self.query}


def _whole(dataset, filters: Filters) -> bool:
    """Whether the selection is the whole dataset, read by someone who gets every row, and
    the catalogue has counted it."""
    return (filters.start is None and filters.end is None and not filters.province
            and sees_all_rows(filters.reader, dataset) and dataset.row_count is not None
            and dataset.refreshed_at is not None)


def holding(provider, dataset, chosen: Choice) -> Holding | None:
    """The rows of the selection; None when the dataset has no count (a file dataset) or the
    selection is wrong."""
    if provider is None or chosen.filters is None or provider.versioned:
        return None
    language = get_language()
    if _whole(dataset, chosen.filters):
        # The whole dataset to a reader of every row: the figure the catalogue's sync counted
        # (every 5 minutes) — counting a million rows again costs 0.3–0.5 s, on every view.
        rows = dataset.row_count
        text = ngettext("%(rows)s row in the whole dataset (counted at %(time)s)",
                        "%(rows)s rows in the whole dataset (counted at %(time)s)", rows) % {
            "rows": format_number(rows, language),
            "time": date_format(timezone.localtime(dataset.refreshed_at), "H:i d/m/Y")}
        return Holding(rows, text)
    rows = provider.count(dataset, chosen.filters)
    if rows is None:
        return None
    text = ngettext("%(rows)s row in this selection", "%(rows)s rows in this selection",
                    rows) % {"rows": format_number(rows, language)}
    if rows or not provider.has_time:
        return Holding(rows, text)
    days = provider.span(dataset, replace(chosen.filters, start=None, end=None))
    if days is None:
        return Holding(rows, text, hint=_("None of this dataset's rows are yours to download "
                                          "yet."))
    first, last = days
    query = urlencode({"from": first.isoformat(), "to": last.isoformat(),
                       "province": chosen.values["province"]})
    hint = _("There is data from %(first)s to %(last)s.") % {
        "first": date_format(first, "d/m/Y"), "last": date_format(last, "d/m/Y")}
    return Holding(rows, text, first, last, hint, query)
