"""`{% presskit post %}`: a bulletin's press kit on its page (the post page for readers, the
editing page for its writers); nothing for a post that is not a bulletin."""

from django import template

from envhub.news import presskit
from envhub.news.bulletin_models import Bulletin

register = template.Library()


@register.inclusion_tag("news/_presskit.html")
def presskit_of(post):
    bulletin = Bulletin.objects.filter(post_id=post.pk).first() if post else None
    return {"kit": presskit.links(bulletin) if bulletin else None}
