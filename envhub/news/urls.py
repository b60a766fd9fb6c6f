from django.urls import include, path

from envhub.news import bulletin_views, cards, feeds, media_views, views

urlpatterns = [
    path("", include("envhub.news.newsletter_urls")),
    path("news/", views.news_list, name="news-list"),
    path("news/feed.rss", feeds.RssFeed(), name="news-rss"),
    path("news/feed.atom", feeds.AtomFeed(), name="news-atom"),
    path("news/<str:kind>/<str:code>/feed.rss", feeds.RssFeed(), name="news-rss-of"),
    path("news/<str:kind>/<str:code>/feed.atom", feeds.AtomFeed(), name="news-atom-of"),
    path("datasets/feed.rss", feeds.CatalogueRss(), name="catalog-rss"),
    path("datasets/feed.atom", feeds.CatalogueAtom(), name="catalog-atom"),
    path("cards/news/<slug:slug>.png", cards.post_card, name="card-post"),
    path("news/desk/", views.desk, name="news-desk"),
    path("news/desk/new/", views.post_new, name="news-new"),
    path("news/desk/<int:pk>/", views.post_edit, name="news-edit"),
    path("news/desk/<int:pk>/media/", media_views.upload, name="news-media-upload"),
    path("news/desk/<int:pk>/media/<int:media_pk>/remove/", media_views.remove,
         name="news-media-remove"),
    path("news/desk/<int:pk>/<str:step>/", views.post_step, name="news-step"),
    path("news/media/<int:pk>/<str:key>", media_views.media_file, name="news-media"),
    path("news/media/<int:pk>/phone/<str:key>", media_views.media_phone,
         name="news-media-phone"),
    path("news/desk/bulletins/", bulletin_views.desk_bulletins, name="news-bulletins"),
    path("news/bulletins/<str:kind>/<str:first>/bang-so-lieu.xlsx",
         bulletin_views.bulletin_xlsx, name="news-bulletin-xlsx"),
    path("news/bulletins/<str:kind>/<str:first>/<str:name>.<str:fmt>",
         bulletin_views.bulletin_chart, name="news-bulletin-chart"),
    path("news/<slug:slug>/", views.news_post, name="news-post"),
]
