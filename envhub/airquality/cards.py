"""An air station's share card: its index now as a badge in the category's colour (an index
older than three hours is not shown as the air now)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control

from envhub.airquality import services
from envhub.airquality.views import category_view
from envhub.core import card_image
from envhub.core.share import CARD_SECONDS, card_response, footer
from envhub.core.timeutil import hour_label


@cache_control(public=True, max_age=CARD_SECONDS)
def station_card(request, code: str):
    now = timezone.now()

    def make():
        station = services.ambient_station(code)
        row = services.latest_for(station, now)
        category = category_view(row.category if row else None)
        if row is None or category is None or services.is_stale(row, now):
            return card_image.draw(station.name, _("Air quality index (VN_AQI): no current "
                                                   "index"), footer())
        badge = card_image.Badge(str(row.aqi), category["name"],
                                 services.CATEGORY_BY_CODE[row.category].rgb,
                                 category["dark_text"])
        kicker = _("Air quality index (VN_AQI) · %(hour)s") % {"hour": hour_label(row.hour_end)}
        return card_image.draw(station.name, kicker, footer(), badge)
    # A new hour makes a new card.
    return card_response(f"card:station:{code.upper()[:20]}:{now:%Y%m%d%H}", make)
