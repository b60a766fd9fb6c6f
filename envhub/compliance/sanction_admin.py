"""Stewards keep Decree 45/2022's sanction structure here (audited, like the regulations'
tables): the rule of each medium, the flow bands, the parameter classes and the clauses. The
classification shown on events is computed on read, so an edit shows at once."""

from django.contrib import admin

from envhub.compliance import sanction_models as models
from envhub.core.admin import PolicyAdmin
from envhub.core.admin_site import admin_site


@admin.register(models.SanctionRule, site=admin_site)
class SanctionRuleAdmin(PolicyAdmin):
    list_display = ("medium", "scheme", "flow_unit", "organisation_multiplier",
                    "repeat_window_days", "multiple_min_parameters", "aggravated_from",
                    "aggravated_to", "multiplier_verification", "repetition_verification")


@admin.register(models.FlowBand, site=admin_site)
class FlowBandAdmin(PolicyAdmin):
    list_display = ("medium", "code", "lower", "upper", "label", "verification")
    list_filter = ("medium", "verification")


@admin.register(models.ParameterClass, site=admin_site)
class ParameterClassAdmin(PolicyAdmin):
    list_display = ("parameter", "kind", "verification", "note")
    list_filter = ("parameter__medium", "kind", "verification")
    search_fields = ("parameter__code",)
    autocomplete_fields = ("parameter",)


@admin.register(models.SanctionClause, site=admin_site)
class SanctionClauseAdmin(PolicyAdmin):
    list_display = ("band", "flow_band", "parameter_class", "penalty", "article", "clause",
                    "point", "fine_min", "fine_max", "verification")
    list_filter = ("band__medium", "band", "parameter_class", "penalty", "verification")
    list_select_related = ("band", "flow_band")
