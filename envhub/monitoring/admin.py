"""Monitoring in the admin: series (a steward enters the analyser's measuring range there) and
received files (read-only: they are the record of what arrived)."""

from django.contrib import admin

from envhub.core.admin import PolicyAdmin, ReadOnlyPolicyAdmin
from envhub.core.admin_site import admin_site
from envhub.monitoring import models


@admin.register(models.Series, site=admin_site)
class SeriesAdmin(PolicyAdmin):
    list_display = ("station", "parameter", "range_min", "range_max", "created_at")
    list_filter = ("parameter__medium",)
    search_fields = ("station__code", "parameter__code")
    fields = ("station", "parameter", "range_min", "range_max")
    readonly_fields = ("station", "parameter")

    def has_add_permission(self, request, *args):
        return False  # series appear with a station's first values

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(models.Batch, site=admin_site)
class BatchAdmin(ReadOnlyPolicyAdmin):
    list_display = ("file_name", "station", "channel", "received_at", "status", "accepted",
                    "rejected", "duplicates", "conflicts")
    # Fixed date ranges, not a date hierarchy: the hierarchy's SELECT DISTINCT of every day
    # in the table took 290 ms of the page's 370 on the demo; stations come in the same query.
    list_filter = ("status", "channel", "received_at")
    list_select_related = ("station",)
    search_fields = ("file_name", "sha256", "station__code", "sender")
    readonly_fields = [field.name for field in models.Batch._meta.fields]
