"""An open dataset's share card: its title (a shared or internal dataset has none: 404)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control

from envhub.catalog import services
from envhub.core import card_image
from envhub.core.permissions import ANONYMOUS
from envhub.core.share import CARD_SECONDS, card_response, footer


@cache_control(public=True, max_age=CARD_SECONDS)
def dataset_card(request, identifier: str):
    def make():
        dataset = services.dataset(ANONYMOUS, identifier)
        return card_image.draw(dataset.title_vi, _("Open environmental data"), footer())
    return card_response(f"card:dataset:{identifier[:120]}", make,
                         check=lambda: services.dataset(ANONYMOUS, identifier))
