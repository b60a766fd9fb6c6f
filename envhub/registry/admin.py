from django.contrib import admin

from envhub.core.admin import PolicyAdmin, PolicyInline
from envhub.core.admin_site import admin_site
from envhub.registry import models, services


class RegistryAdmin(PolicyAdmin):
    """Registry records are saved through the registry's service, which derives what follows
    from them (a station's facility and province) and keeps dependent stations in step."""

    service = services


@admin.register(models.Province, site=admin_site)
class ProvinceAdmin(RegistryAdmin):
    list_display = ("code", "name", "abbreviation", "division_type")
    search_fields = ("name", "search_text", "abbreviation", "code")
    readonly_fields = ("code", "codename")


@admin.register(models.Ward, site=admin_site)
class WardAdmin(RegistryAdmin):
    list_display = ("code", "name", "division_type", "province")
    list_filter = ("province",)
    search_fields = ("name", "search_text", "code")
    readonly_fields = ("code", "codename", "province")


@admin.register(models.Organisation, site=admin_site)
class OrganisationAdmin(RegistryAdmin):
    list_display = ("name", "kind", "province", "parent")
    list_filter = ("kind", "province")
    search_fields = ("name", "search_text", "tax_code")
    autocomplete_fields = ("parent",)


class SourceInline(PolicyInline, admin.TabularInline):
    """A facility's sources, listed for reading; each is edited on its own page (audited)."""

    model = models.Source
    extra = 0
    fields = ("code", "name", "kind", "design_flow_m3h", "regulation")
    readonly_fields = fields
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(models.Facility, site=admin_site)
class FacilityAdmin(RegistryAdmin):
    list_display = ("name", "tax_code", "sector", "province", "operator")
    list_filter = ("sector", "province")
    search_fields = ("name", "search_text", "tax_code")
    autocomplete_fields = ("operator", "ward")
    inlines = [SourceInline]


@admin.register(models.Source, site=admin_site)
class SourceAdmin(RegistryAdmin):
    list_display = ("code", "name", "kind", "facility", "design_flow_m3h", "regulation")
    list_filter = ("kind", "regulation")
    search_fields = ("code", "name", "search_text", "facility__name")
    autocomplete_fields = ("facility",)


class DeclaredUnitInline(PolicyInline, admin.TabularInline):
    """The units the station's datalogger uses for lines that give none."""

    model = models.DeclaredUnit
    extra = 0
    fields = ("parameter", "unit")
    autocomplete_fields = ("parameter",)


@admin.register(models.Station, site=admin_site)
class StationAdmin(RegistryAdmin):
    list_display = ("code", "name", "kind", "province", "facility", "active")
    list_filter = ("kind", "active", "province")
    search_fields = ("code", "name", "search_text")
    autocomplete_fields = ("source", "operator")
    readonly_fields = ("facility",)
    inlines = [DeclaredUnitInline]

    def get_readonly_fields(self, request, obj=None):
        # A station on a source lies in its facility's province: derived, not chosen.
        fields = tuple(super().get_readonly_fields(request, obj))
        if obj is not None and obj.source_id:
            fields += ("province",)
        return fields


class ParameterAliasInline(PolicyInline, admin.TabularInline):
    model = models.ParameterAlias
    extra = 1
    fields = ("alias",)


@admin.register(models.Parameter, site=admin_site)
class ParameterAdmin(RegistryAdmin):
    list_display = ("code", "medium", "name_vi", "unit")
    list_filter = ("medium",)
    search_fields = ("code", "name_vi", "name_en", "search_text")
    inlines = [ParameterAliasInline]


@admin.register(models.AnnualInventory, site=admin_site)
class AnnualInventoryAdmin(RegistryAdmin):
    """Read here; written only by loading an approved survey version (`registry.inventory`),
    so that every figure keeps the version it came from."""

    list_display = ("source", "year", "fuel", "fuel_use_t", "flow_m3h", "production",
                    "production_unit", "survey_version")
    list_filter = ("year",)
    search_fields = ("source__code", "source__facility__name", "source__facility__tax_code")
    readonly_fields = ("source", "year", "fuel", "fuel_use_t", "flow_m3h", "treatment",
                       "production", "production_unit", "survey_version")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False
