"""A published post's share card: its first image, else its title on the site's band (a draft
has none: 404)."""

from __future__ import annotations

from django.http import Http404
from django.views.decorators.cache import cache_control

from envhub.core import card_image
from envhub.core.errors import NotFound
from envhub.core.share import CARD_SECONDS, card_response, footer
from envhub.news import media, services


@cache_control(public=True, max_age=CARD_SECONDS)
def post_card(request, slug: str):
    try:
        post = services.published_post(slug)  # every request: unpublished, the card is gone
    except NotFound:
        raise Http404 from None

    def make():
        drawn = media.card_image(post)
        if drawn is not None:
            return drawn
        return card_image.draw(post.title, str(post.get_category_display()), footer())
    # Published again after a correction (another image, another title): another card.
    return card_response(f"card:post:{post.pk}:{post.published_at:%Y%m%d%H%M%S%f}", make)
