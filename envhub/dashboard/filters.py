"""What a dashboard view shows: the period, the provinces and the sector, read from the URL so a
view can be shared, and bounded by who reads it.

Admins, stewards and leaders see the whole country and may narrow it to one province; a
provincial officer sees only their provinces (another province's code answers 404, as every road
in envhub does for a row out of scope). Facility operators, survey units and programs have no
dashboard: `DashboardRefused`."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from urllib.parse import urlencode

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from envhub.core.permissions import Actor, has_dashboard
from envhub.core.timeutil import VN, day_bounds
from envhub.dashboard import periods
from envhub.registry.models import Province, Sector


class DashboardRefused(PermissionError):
    """The actor has no dashboard (403 on pages and in the API)."""


class FilterError(ValueError):
    """A filter the reader typed cannot be read; the message is for them (Vietnamese)."""


@dataclass(frozen=True)
class View:
    period: periods.Period
    # Province codes the figures cover, already bounded by the reader's scope; None: the country.
    provinces: tuple[str, ...] | None
    province: str | None  # the one province chosen in the URL, if any
    sector: str | None

    @property
    def national(self) -> bool:
        return self.provinces is None

    def previous(self) -> View:
        return View(self.period.previous(), self.provinces, self.province, self.sector)

    def with_period(self, period: periods.Period) -> View:
        return View(period, self.provinces, self.province, self.sector)

    def utc_bounds(self) -> tuple[datetime.datetime, datetime.datetime]:
        """The period in UTC: local midnight before its first day and after its last. Hourly data,
        keyed by its hour's end, belongs to it when start < hour_end <= end."""
        return day_bounds(self.period.first)[0], day_bounds(self.period.last)[1]

    def query(self, **changes) -> str:
        """The URL query string of this view, with `changes` applied (None drops a key)."""
        params = {"period": self.period.kind}
        if self.period.kind == periods.CUSTOM:
            params.update({"from": self.period.first.isoformat(),
                           "to": self.period.last.isoformat()})
        else:
            params["at"] = self.period.first.isoformat()
        if self.province:
            params["province"] = self.province
        if self.sector:
            params["sector"] = self.sector
        params.update(changes)
        return urlencode({key: value for key, value in params.items() if value is not None})


def clock() -> datetime.datetime:
    """The dashboard's now: one clock for its figures, tables, trends and reports, which tests
    and the benchmark replace to read a fixed moment."""
    return timezone.now()


def today_local() -> datetime.date:
    return clock().astimezone(VN).date()


def _date(text: str, name: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text.strip()[:10])
    except ValueError:
        raise FilterError(_("“%(name)s” is not a date (YYYY-MM-DD): %(value)s")
                          % {"name": name, "value": text[:40]}) from None


def _period(params, today: datetime.date) -> periods.Period:
    kind = (params.get("period") or periods.MONTH).strip()
    if kind not in periods.KINDS:
        raise FilterError(_("Unknown period “%(value)s”.") % {"value": kind[:40]})
    if kind == periods.CUSTOM:
        first = _date(params.get("from") or "", "from")
        last = _date(params.get("to") or "", "to")
        try:
            return periods.custom(first, last)
        except ValueError:
            raise FilterError(_("The period must end after it begins and last at most "
                                "%(days)d days.") % {"days": periods.MAX_CUSTOM_DAYS}) from None
    at = _date(params["at"], "at") if params.get("at") else today
    return periods.around(kind, at)


def _scope_codes(actor: Actor) -> tuple[str, ...] | None:
    if actor.is_system or actor.sees_everything:
        return None
    return tuple(sorted(Province.objects.filter(id__in=actor.province_ids)
                        .values_list("code", flat=True)))


def view_from(actor: Actor, params, today: datetime.date | None = None) -> View:
    """The view the URL's `params` ask for, as `actor` may see it. Raises DashboardRefused,
    FilterError (400) or Http404 (a province out of scope, or unknown)."""
    if not has_dashboard(actor):
        raise DashboardRefused
    period = _period(params, today or today_local())
    scope = _scope_codes(actor)
    province = (params.get("province") or "").strip() or None
    if province is not None:
        if (scope is not None and province not in scope) or \
                not Province.objects.filter(code=province).exists():
            raise Http404
        provinces: tuple[str, ...] | None = (province,)
    else:
        provinces = scope
    sector = (params.get("sector") or "").strip() or None
    if sector is not None and sector not in Sector.values:
        raise FilterError(_("Unknown sector “%(value)s”.") % {"value": sector[:40]})
    return View(period, provinces, province, sector)
