"""The news as RSS 2.0 and Atom feeds: all posts, per category, per province — the same
published posts as the public pages, their text as the same safe HTML with absolute links."""

from __future__ import annotations

from django.contrib.syndication.views import Feed
from django.http import Http404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Enclosure, Rss201rev2Feed
from django.utils.html import escape, linebreaks
from django.utils.translation import gettext as _

from envhub.news import media, services
from envhub.news.markdown import to_html
from envhub.news.models import Category
from envhub.registry.models import Province

ITEMS = 30


class _NewsFeed(Feed):
    feed_type = Rss201rev2Feed

    def get_object(self, request, kind: str = "", code: str = ""):
        self.base = request.build_absolute_uri("/")
        if kind == "category":
            if code not in Category.values:
                raise Http404
            return ("category", code, Category(code).label)
        if kind == "province":
            province = Province.objects.filter(code=code).first()
            if province is None:
                raise Http404
            return ("province", code, province.name)
        if kind:
            raise Http404
        return ("all", "", "")

    def title(self, obj):
        label = str(obj[2])
        return _("envhub news — %(topic)s") % {"topic": label} if label else _("envhub news")

    def link(self, obj):
        query = f"?{obj[0]}={obj[1]}" if obj[1] else ""
        return reverse("news-list") + query

    def description(self, obj):
        return _("News and bulletins of the national environmental information system.")

    def items(self, obj):
        kind, code, _label = obj
        chosen = services.NewsFilter(category=code if kind == "category" else "",
                                     province=code if kind == "province" else "")
        return services.published(chosen).prefetch_related("media")[:ITEMS]

    def item_title(self, item):
        return item.title

    def _references(self, item):
        return media.post_references(item, base=self.base)

    def item_description(self, item):
        return to_html(item.body, base=self.base, media=self._references(item))

    def item_enclosures(self, item):
        """The first image, as feed readers show beside an item."""
        first = next((entry for entry in item.media.all()
                      if entry.kind == entry.Kind.IMAGE), None)
        if first is None:
            return []
        return [Enclosure(self._references(item)[first.key].url, str(first.size),
                          first.media_type)]

    def item_link(self, item):
        return reverse("news-post", args=[item.slug])

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return max(item.published_at, item.updated_at)

    def item_categories(self, item):
        return [str(item.get_category_display())]


class RssFeed(_NewsFeed):
    feed_type = Rss201rev2Feed


class AtomFeed(_NewsFeed):
    feed_type = Atom1Feed

    def subtitle(self, obj):
        return self.description(obj)


class _CatalogueFeed(Feed):
    """The catalogue's open datasets, newest change first: what a reader sees unsigned."""

    def title(self):
        return _("envhub data catalogue: new and updated datasets")

    def link(self):
        return reverse("catalog") + "?sort=modified"

    def description(self):
        return _("Open environmental datasets of the national environmental information "
                 "system, as their data change.")

    def items(self):
        from envhub.catalog import services as catalogue
        from envhub.core.permissions import ANONYMOUS

        # Newest change first, by the date each item shows (a dataset whose data never
        # changed by its addition to the catalogue).
        found = sorted(catalogue.search(ANONYMOUS, catalogue.Search()),
                       key=lambda entry: (entry.modified or entry.created_at, entry.identifier),
                       reverse=True)
        return catalogue.load(found[:ITEMS])

    def item_title(self, item):
        return item.title_vi

    def item_description(self, item):
        # The description is text: escaped, so that a reader shows it and never runs it.
        return linebreaks(escape(item.description_vi))

    def item_link(self, item):
        return reverse("dataset", args=[item.identifier])

    def item_guid(self, item):
        return f"{self.item_link(item)}#{(item.modified or item.created_at).isoformat()}"

    def item_pubdate(self, item):
        return item.modified or item.created_at

    def item_updateddate(self, item):
        return item.modified or item.created_at

    def item_categories(self, item):
        return list(item.themes or [])


class CatalogueRss(_CatalogueFeed):
    feed_type = Rss201rev2Feed


class CatalogueAtom(_CatalogueFeed):
    feed_type = Atom1Feed
