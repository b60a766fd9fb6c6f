"""A published post's share card: its first image, else its title on the site's band (a draft
has none: 404)."""

from __future__ import annotations

from django.views.decorators.cache import cache_control

from envhub.core import card_image
from envhub.core.share import CARD_SECONDS, card_response, footer
from envhub.news import media, services


@cache_control(public=True, max_age=CARD_SECONDS)
def post_card(request, slug: str):
    def make():
        post = services.published_post(slug)
        drawn = media.card_image(post)
        if drawn is not None:
            return drawn
        return card_image.draw(post.title, str(post.get_category_display()), footer())
    return card_response(f"card:post:{slug[:120]}", make)
