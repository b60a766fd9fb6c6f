from django.urls import path

from envhub.airquality import cards, views, widgets

urlpatterns = [
    path("air/", views.air_map, name="air-map"),
    path("air/stations/<str:code>/", views.air_station, name="air-station"),
    path("air/provinces/<str:code>/", views.air_province, name="air-province"),
    path("cards/air/<str:code>.png", cards.station_card, name="card-station"),
    path("widgets/", widgets.widget_picker, name="aqi-widgets"),
    path("widgets/aqi.js", widgets.widget_script, name="aqi-widget-script"),
    path("widgets/aqi/station/<str:code>/", widgets.station_widget, name="aqi-widget-station"),
    path("widgets/aqi/city/<str:code>/", widgets.city_widget, name="aqi-widget-city"),
]
