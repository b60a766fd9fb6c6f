"""Exceedance events across every facility in the actor's scope (as the EPA's ECHO lists them):
the filters read from a query string, checked (a bad value is a 400 saying which, never an
empty list that looks like compliance), the sort orders with their keyset, and the totals.
The page, the API and the CSV/XLSX exports read the same `EventQuery`, so they list the same
rows — scoped by the compliance policy through `services.events`."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, F, FloatField, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from envhub.compliance import services
from envhub.compliance.models import EventStatus, ExceedanceBand
from envhub.core import params
from envhub.core.errors import InvalidInput
from envhub.core.permissions import Actor
from envhub.registry.models import Parameter, Province, Sector

MAX_TEXT = 100  # every filter value is a code or a number: longer is refused, not searched

# sort key -> (keyset order, label). The last field of each order is unique (keyset paging).
SORTS: dict[str, tuple[tuple[str, ...], object]] = {
    "-start": (("-start", "-id"), gettext_lazy("Newest first")),
    "start": (("start", "id"), gettext_lazy("Oldest first")),
    "-hours": (("-hours", "-id"), gettext_lazy("Most hours first")),
    "hours": (("hours", "id"), gettext_lazy("Fewest hours first")),
    "-multiple": (("-multiple_key", "-id"), gettext_lazy("Highest peak multiple first")),
    "multiple": (("multiple_key", "id"), gettext_lazy("Lowest peak multiple first")),
    "facility": (("source__facility__name", "id"), gettext_lazy("Facility A–Z")),
    "-facility": (("-source__facility__name", "-id"), gettext_lazy("Facility Z–A")),
}
DEFAULT_SORT = "-start"


@dataclass
class EventQuery:
    """The list asked for: the service's filters and the sort key."""

    filters: services.EventFilters
    sort: str = DEFAULT_SORT

    @property
    def order(self) -> tuple[str, ...]:
        return SORTS[self.sort][0]


def _text(data, name: str) -> str | None:
    value = (data.get(name) or "").strip()
    if len(value) > MAX_TEXT:
        raise InvalidInput(_("%(field)s is too long.") % {"field": name},
                           {name: [_("too long")]})
    return value or None


def _refuse(name: str, message: str):
    raise InvalidInput(message, {name: [message]})


def _row_id(data, name: str) -> int | None:
    value = _text(data, name)
    if value is None:
        return None
    if not value.isdigit() or not 0 < int(value) < 2**31:
        _refuse(name, _("%(field)s must be a positive whole number.") % {"field": name})
    return int(value)


def parse(data, *, known_codes: bool = True) -> EventQuery:
    """The query from a mapping of parameters (request.GET, or the API's): each value checked,
    a bad one refused with a message naming it. Without `known_codes` a province, parameter or
    band code that names nothing gives an empty list rather than a 400 (the API's documented
    behaviour before these checks)."""
    province = _text(data, "province")
    if known_codes and province and not Province.objects.filter(code=province).exists():
        _refuse("province", _("There is no province with the code %(code)s.") % {
            "code": province})
    sector = _text(data, "sector")
    if sector and sector not in Sector.values:
        _refuse("sector", _("The sector is not one of the facility sectors."))
    parameter = _text(data, "parameter")
    if known_codes and parameter and not Parameter.objects.filter(code__iexact=parameter).exists():
        _refuse("parameter", _("There is no parameter with the code %(code)s.") % {
            "code": parameter})
    band = _text(data, "band")
    if known_codes and band and not ExceedanceBand.objects.filter(code=band).exists():
        _refuse("band", _("The severity band is not one of the exceedance bands."))
    status = _text(data, "status")
    if status and status not in (EventStatus.OPEN, EventStatus.CLOSED):
        _refuse("status", _("status must be open or closed."))
    sort = _text(data, "sort") or DEFAULT_SORT
    if sort not in SORTS:
        _refuse("sort", _("The sort order is not one of: %(sorts)s.") % {
            "sorts": ", ".join(SORTS)})
    start, end = params.period(_text(data, "from"), _text(data, "to"))
    return EventQuery(services.EventFilters(
        province=province, sector=sector, facility=_row_id(data, "facility"),
        source=_row_id(data, "source"), parameter=parameter, band=band, status=status,
        start=start, end=end), sort)


def events(actor: Actor, query: EventQuery) -> QuerySet:
    """The events of the query in its order (with the sort key of the peak multiple: an event
    without one sorts as 0)."""
    qs = services.events(actor, query.filters).annotate(
        multiple_key=Coalesce("peak_multiple", Value(0.0), output_field=FloatField()))
    return qs.order_by(*query.order)


@dataclass
class Totals:
    events: int
    open: int
    hours: int
    facilities: int


def totals(actor: Actor, query: EventQuery) -> Totals:
    """The whole filtered list summed, in one query."""
    row = services.events(actor, query.filters).order_by().aggregate(
        n=Count("id"), open=Count("id", filter=Q(status=EventStatus.OPEN)),
        hours=Coalesce(Sum(F("hours")), 0),
        facilities=Count("source__facility", distinct=True))
    return Totals(row["n"], row["open"], row["hours"], row["facilities"])


def facility_days(event) -> tuple[datetime.date, datetime.date]:
    """The local days of an event, for the link to its facility's compliance page (which shows
    at most `services.MAX_DAYS`)."""
    from envhub.core.timeutil import local_day

    first = local_day(event.start + datetime.timedelta(microseconds=1))
    last = local_day(event.end)
    return first, min(last, first + datetime.timedelta(days=services.MAX_DAYS - 1))
