from django.urls import path

from envhub.compliance import public_views

urlpatterns = [
    path("public/facilities/", public_views.public_facilities, name="public-facilities"),
    path("public/facilities/<int:facility_id>/", public_views.public_facility,
         name="public-facility"),
    path("disclosure/", public_views.disclosure_page, name="disclosure"),
]
