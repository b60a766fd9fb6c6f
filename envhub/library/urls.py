"""The library's pages, under /library/ (app_name "library"): the home page with its search,
the collections, the documents, uploads and downloads."""

from django.urls import path

from envhub.library import page_views, views

app_name = "library"

# An identifier may hold "/" (e.g. "QD-45/2022"): the routes with a tail come before the page.
urlpatterns = [
    path("", views.home, name="home"),
    path("collections/", page_views.collection_list, name="collections"),
    path("collections/<slug:code>/", page_views.collection_page, name="collection"),
    path("upload/", page_views.upload_page, name="upload"),
    path("files/<int:file_id>/download/", page_views.file_download, name="file-download"),
    path("documents/<path:identifier>/preview.png", page_views.document_preview,
         name="document-preview"),
    path("documents/<path:identifier>/edit/", page_views.edit_page, name="document-edit"),
    path("documents/<path:identifier>/versions/", page_views.add_version,
         name="document-version"),
    path("documents/<path:identifier>/", page_views.document_page, name="document"),
]
