from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from envhub.accounts import models, services
from envhub.core.admin import PolicyAdmin, PolicyInline
from envhub.core.admin_site import admin_site


class MembershipInline(PolicyInline, admin.TabularInline):
    model = models.Membership
    extra = 0
    fields = ("organisation", "role", "provinces", "facilities", "active")
    autocomplete_fields = ("organisation", "provinces", "facilities")


@admin.register(models.User, site=admin_site)
class UserAdmin(PolicyAdmin, DjangoUserAdmin):
    list_display = ("username", "full_name", "email", "is_active", "last_login")
    search_fields = ("username", "full_name", "email")
    list_filter = ("is_active", "memberships__role")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Person"), {"fields": ("full_name", "email")}),
        (_("Status"), {"fields": ("is_active", "last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"fields": ("username", "full_name", "email", "password1", "password2")}),
    )
    readonly_fields = ("last_login", "date_joined")
    inlines = [MembershipInline]


@admin.register(models.ApiToken, site=admin_site)
class ApiTokenAdmin(PolicyAdmin):
    """Tokens are listed and revoked here; they are created on the token page, which shows the
    secret once."""

    list_display = ("name", "lookup", "user", "station", "facility", "expires_at", "revoked_at",
                    "last_used_at")
    list_filter = ("revoked_at",)
    search_fields = ("name", "lookup", "user__username", "station__code", "facility__tax_code")
    readonly_fields = ("name", "lookup", "user", "station", "facility", "created_by",
                       "created_at", "expires_at", "revoked_at", "last_used_at")
    actions = ["revoke"]

    def has_add_permission(self, request, *args):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request, queryset):
        count = 0
        for token in queryset.filter(revoked_at=None):
            services.revoke_token(request.actor, token)
            count += 1
        self.message_user(request, _("%(n)d token(s) revoked.") % {"n": count})


@admin.register(models.AuditEvent, site=admin_site)
class AuditEventAdmin(PolicyAdmin):
    list_display = ("at", "actor", "action", "object_type", "object_repr", "ip_address")
    list_filter = ("action", "object_type")
    search_fields = ("actor", "object_repr", "object_id")
    date_hierarchy = "at"
    readonly_fields = [f.name for f in models.AuditEvent._meta.fields]

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
