"""Stewards keep the regulations' tables and the permits here. Every save goes through
`compliance.services` (audited, and the hours it affects are judged again)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from envhub.compliance import models, services
from envhub.core.admin import PolicyAdmin, PolicyInline, ReadOnlyPolicyAdmin
from envhub.core.admin_site import admin_site


class ComplianceAdmin(PolicyAdmin):
    service = services


class RulesInline(PolicyInline, admin.StackedInline):
    model = models.RegulationRules
    can_delete = False
    extra = 1
    max_num = 1


class ColumnInline(PolicyInline, admin.TabularInline):
    model = models.RegulationColumn
    extra = 0
    fields = ("column", "applies_to", "valid_from", "valid_until", "then_column", "verification")


class LimitInline(PolicyInline, admin.TabularInline):
    model = models.LimitValue
    extra = 0
    fields = ("parameter", "column", "category", "size_above", "size_up_to", "value", "minimum",
              "unit", "reference_o2", "factors_apply", "valid_from", "valid_until",
              "verification", "note")
    autocomplete_fields = ("parameter",)


class FactorInline(PolicyInline, admin.TabularInline):
    model = models.FactorStep
    extra = 0
    fields = ("symbol", "basis", "above", "up_to", "class_code", "class_label", "value",
              "verification")


@admin.register(models.Regulation, site=admin_site)
class RegulationAdmin(ComplianceAdmin):
    list_display = ("code", "title", "medium", "effective_from", "applicable_until", "verified")
    list_filter = ("medium", "verified")
    search_fields = ("code", "title")
    inlines = (RulesInline, ColumnInline, LimitInline, FactorInline)


@admin.register(models.RegulationColumn, site=admin_site)
class RegulationColumnAdmin(ComplianceAdmin):
    list_display = ("regulation", "column", "applies_to", "valid_from", "valid_until",
                    "then_column", "verification")
    list_filter = ("regulation", "verification")


@admin.register(models.LimitValue, site=admin_site)
class LimitValueAdmin(ComplianceAdmin):
    list_display = ("regulation", "parameter", "column", "category", "size_above", "size_up_to",
                    "value", "unit", "reference_o2", "valid_from", "valid_until", "verification")
    list_filter = ("regulation", "column", "verification")
    search_fields = ("parameter__code", "category", "note")
    autocomplete_fields = ("parameter",)


@admin.register(models.FactorStep, site=admin_site)
class FactorStepAdmin(ComplianceAdmin):
    list_display = ("regulation", "symbol", "basis", "above", "up_to", "class_code", "value",
                    "verification")
    list_filter = ("regulation", "symbol", "verification")


@admin.register(models.ExceedanceBand, site=admin_site)
class ExceedanceBandAdmin(ComplianceAdmin):
    list_display = ("medium", "code", "lower", "upper", "label", "scheme", "verification")
    list_filter = ("medium", "verification")


class PermitLimitInline(PolicyInline, admin.TabularInline):
    model = models.PermitLimit
    extra = 0
    autocomplete_fields = ("parameter",)


@admin.register(models.Permit, site=admin_site)
class PermitAdmin(ComplianceAdmin):
    list_display = ("number", "source", "regulation", "column", "category", "valid_from",
                    "valid_until")
    list_filter = ("regulation", "column")
    search_fields = ("number", "source__code", "source__name", "source__facility__name")
    autocomplete_fields = ("source",)
    inlines = (PermitLimitInline,)
    fieldsets = (
        (None, {"fields": ("source", "number", "issued_on", "valid_from", "valid_until",
                           "regulation", "column", "category", "note")}),
        ("Kp, Kv, Kq, Kf", {"fields": ("capacity", "facility_flow_m3h", "location_class",
                                       "river_flow_m3s", "lake_volume_m3", "coastal_use",
                                       "discharge_m3d", "kp", "kv", "kq", "kf")}),
        ("O2, T, P", {"fields": ("reference_o2", "actual_conditions")}),
    )


@admin.register(models.ExceedanceEvent, site=admin_site)
class ExceedanceEventAdmin(ReadOnlyPolicyAdmin):
    list_display = ("source", "parameter", "start", "end", "hours", "peak_value",
                    "peak_multiple", "band", "status")
    list_filter = ("status", "band")
    search_fields = ("source__code", "source__facility__name")
    readonly_fields = ("decree_45",)

    @admin.display(description=_("Decree 45/2022"))
    def decree_45(self, event) -> str:
        from envhub.compliance import sanctioning

        return sanctioning.summary(event)


@admin.register(models.Notification, site=admin_site)
class NotificationAdmin(ReadOnlyPolicyAdmin):
    list_display = ("created_at", "kind", "subject", "planned_at")
    list_filter = ("kind",)
    search_fields = ("subject",)


@admin.register(models.Digest, site=admin_site)
class DigestAdmin(ReadOnlyPolicyAdmin):
    list_display = ("period_start", "period_end", "frequency", "user", "created_at")
    list_filter = ("frequency",)
    search_fields = ("user__username", "user__full_name")


@admin.register(models.Webhook, site=admin_site)
class WebhookAdmin(ComplianceAdmin):
    list_display = ("url", "organisation", "active", "created_at")
    list_filter = ("active",)


from envhub.compliance import sanction_admin  # noqa: E402, F401  (registers its pages)
