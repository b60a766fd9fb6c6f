from django.urls import path

from envhub.airquality import views

urlpatterns = [
    path("air/", views.air_map, name="air-map"),
    path("air/stations/<str:code>/", views.air_station, name="air-station"),
    path("air/provinces/<str:code>/", views.air_province, name="air-province"),
]
