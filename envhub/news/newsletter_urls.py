from django.urls import path

from envhub.news import newsletter_views as views

urlpatterns = [
    path("newsletter/", views.subscribe, name="newsletter"),
    path("newsletter/sent/", views.sent, name="newsletter-sent"),
    path("newsletter/confirm/<str:token>/", views.confirm, name="newsletter-confirm"),
    path("newsletter/unsubscribe/<str:token>/", views.unsubscribe,
         name="newsletter-unsubscribe"),
    path("newsletter/preferences/<str:token>/", views.preferences,
         name="newsletter-preferences"),
    path("newsletter/desk/", views.desk, name="newsletter-desk"),
    path("newsletter/desk/subscribers/", views.subscribers, name="newsletter-subscribers"),
    path("newsletter/desk/subscribers.csv", views.export, name="newsletter-export"),
    path("newsletter/desk/subscribers/<int:pk>/erase/", views.erase, name="newsletter-erase"),
]
