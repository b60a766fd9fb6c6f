"""Where each dashboard figure leads: the list behind it, with the view's filters where that
list takes them (the station states, a province's facilities ranked by hours over the limit,
the exceedance events, the air quality of a city, the late datasets)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse

from envhub.dashboard.filters import View

# The list of exceedance events across facilities (issue 17 part 2) takes these filters.
EVENTS_PATH = "/compliance/events/"


def _query(**params) -> str:
    kept = {key: value for key, value in params.items() if value}
    return "?" + urlencode(kept) if kept else ""


def for_view(view: View) -> dict:
    month = view.period.last.strftime("%Y-%m")
    province = view.province
    stations = reverse("transmission")
    if province:
        compliance = reverse("province-compliance", args=[province]) + _query(month=month)
    else:
        compliance = reverse("compliance") + _query(month=month)
    return {
        "stations": stations + _query(province=province),
        "late": stations + _query(province=province, state="late"),
        "offline": stations + _query(province=province, state="offline"),
        "compliance": compliance,
        "events": EVENTS_PATH + _query(status="open", province=province, sector=view.sector),
        "air": reverse("air-map"),
        "air_city": lambda code: reverse("air-province", args=[code]),
        "catalogue": reverse("catalog-late"),
        "campaign": lambda pk: reverse("survey-campaign", args=[pk]),
    }
