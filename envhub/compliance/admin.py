from django.contrib import admin

from envhub.compliance import models
from envhub.core.admin import PolicyAdmin
from envhub.core.admin_site import admin_site


@admin.register(models.Regulation, site=admin_site)
class RegulationAdmin(PolicyAdmin):
    list_display = ("code", "title", "medium", "effective_from", "applicable_until", "verified")
    list_filter = ("medium", "verified")
    search_fields = ("code", "title")
