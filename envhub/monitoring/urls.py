from django.urls import path

from envhub.monitoring import views

urlpatterns = [
    path("transmission/", views.transmission, name="transmission"),
]
