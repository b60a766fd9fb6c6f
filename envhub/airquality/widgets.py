"""Embeddable air quality widgets for newspapers and provincial portals: the current VN_AQI of
a station or a city (a province's worst station now) as a small page for an `<iframe>`, a
script that places those iframes, and the page where a journalist picks one and copies the
code.

Only these URLs may be framed by other sites (`frame-ancestors *`); every other page keeps
`DENY`. A widget is plain HTML and inline CSS — no script, no cookie, no sign-in — cached for a
few minutes by the server and by browsers: a newspaper's front page may load it a million
times an hour."""

from __future__ import annotations

from django.core.cache import cache
from django.http import HttpResponse, HttpResponseNotFound
from django.shortcuts import render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone, translation
from django.views.decorators.cache import cache_control
from django.views.decorators.clickjacking import xframe_options_exempt

from envhub.airquality import services
from envhub.airquality.views import category_view
from envhub.core.errors import NotFound
from envhub.core.timeutil import hour_label
from envhub.registry.models import Province

CACHE_SECONDS = 300
LANGUAGES = ("vi", "en")


def _language(request) -> str:
    lang = request.GET.get("lang", "vi")
    return lang if lang in LANGUAGES else "vi"


def _framable(response: HttpResponse) -> HttpResponse:
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; "
        "frame-ancestors *; base-uri 'none'; form-action 'none'")
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def _reading(station, row, now) -> dict:
    return {"station": station, "aqi": row.aqi if row else None,
            "category": category_view(row.category if row else None),
            "stale": services.is_stale(row, now), "hour": hour_label(row.hour_end) if row else "",
            "dominant": services.pollutant_label(row.dominant if row else None)}


def station_reading(code: str) -> dict:
    station = services.ambient_station(code)
    now = timezone.now()
    return _reading(station, services.latest_for(station, now), now)


def city_reading(code: str) -> dict:
    """A city's index now: its worst station's, so that a reader is never told the air is
    better than where it is worst; the number of stations is shown beside it."""
    province = Province.objects.filter(code=code).first()
    if province is None:
        raise NotFound()
    now = timezone.now()
    current = [(station, row) for station, row in services.latest(code, now)
               if row is not None and not services.is_stale(row, now)]
    everyone = services.latest(code, now)
    if not everyone:
        raise NotFound()
    station, row = max(current, key=lambda pair: pair[1].aqi) if current else everyone[0]
    reading = _reading(station, row if current else None, now)
    return {**reading, "province": province, "stations": len(current)}


def _widget(request, kind: str, code: str, read) -> HttpResponse:
    lang = _language(request)
    key = f"aqi-widget:{kind}:{code.upper()[:20]}:{lang}"
    html = cache.get(key)
    if html is None:
        with translation.override(lang):
            try:
                reading = read(code)
            except NotFound:
                # Said inside the frame: the site's own 404 page refuses to be framed, so a
                # newspaper's page would show only the browser's "refused to connect".
                return _framable(HttpResponseNotFound(render_to_string(
                    "airquality/widget_missing.html",
                    {"lang": lang, "code": code[:20],
                     "picker": request.build_absolute_uri(reverse("aqi-widgets"))})))
            link = reverse("air-province", args=[reading["province"].code]) if kind == "city" \
                else reverse("air-station", args=[reading["station"].code])
            html = render_to_string("airquality/widget.html", {
                **reading, "kind": kind, "lang": lang,
                "link": request.build_absolute_uri(link)})
        cache.set(key, html, 60)
    return _framable(HttpResponse(html))


@xframe_options_exempt
@cache_control(public=True, max_age=CACHE_SECONDS)
def station_widget(request, code: str):
    return _widget(request, "station", code, station_reading)


@xframe_options_exempt
@cache_control(public=True, max_age=CACHE_SECONDS)
def city_widget(request, code: str):
    return _widget(request, "city", code, city_reading)


@xframe_options_exempt
@cache_control(public=True, max_age=CACHE_SECONDS)
def widget_script(request):
    """The script snippet's code: each `<div data-envhub-aqi="station:HNKK1">` on the page gets
    the widget's iframe. It reads its own address to know where envhub is."""
    return _framable(HttpResponse(render_to_string("airquality/widget.js"),
                                  content_type="text/javascript; charset=utf-8"))


def widget_picker(request):
    """Where a journalist picks a station or a city and copies the code."""
    stations = services.ambient_stations().filter(active=True).order_by("province__name",
                                                                         "code")
    provinces = Province.objects.filter(
        pk__in=stations.values("province_id")).order_by("name")
    base = request.build_absolute_uri("/").rstrip("/")
    return render(request, "airquality/widgets.html", {
        "stations": stations, "provinces": provinces, "base": base,
        "script_url": base + reverse("aqi-widget-script"),
        "picker_js": static("envhub/widgets.js")})
