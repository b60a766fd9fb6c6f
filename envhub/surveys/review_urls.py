"""The stewards' survey pages: the review queue and decisions, campaigns, schemas."""

urlpatterns: list = []
