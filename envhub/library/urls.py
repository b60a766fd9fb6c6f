from django.urls import path

from envhub.library import views

app_name = "library"

urlpatterns = [
    path("", views.home, name="home"),
]
