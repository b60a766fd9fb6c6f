from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db import transaction
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from envhub.accounts import models, naming, services
from envhub.core import audit, permissions
from envhub.core.admin import PolicyAdmin, PolicyInline, ReadOnlyPolicyAdmin
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
        (_("Person"), {"fields": ("full_name", "email", "language")}),
        (_("Status"), {"fields": ("is_active", "last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"fields": ("username", "full_name", "email", "password1", "password2")}),
    )
    readonly_fields = ("last_login", "date_joined")
    inlines = [MembershipInline]

    def user_change_password(self, request, id, form_url=""):
        """Django's password page, with the change recorded in the audit log."""
        with transaction.atomic():
            before = models.User.objects.filter(pk=_pk(id)).values_list(
                "password", flat=True).first()
            response = super().user_change_password(request, id, form_url)
            user = models.User.objects.filter(pk=_pk(id)).first()
            if request.method == "POST" and user is not None and user.password != before:
                changes = {"password": [audit.fingerprint(before),
                                        audit.fingerprint(user.password)]}
                if not user.has_usable_password():
                    changes["usable_password"] = [True, False]
                audit.record(request.actor, "password_set", user, changes)
        return response


def _pk(object_id: str) -> int | None:
    value = unquote(object_id)
    return int(value) if value.isdigit() else None


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

    def lookup_allowed(self, lookup, value, request=None):
        # The digest never leaves the database, not even one prefix at a time.
        if "digest" in lookup.split("__"):
            return False
        return super().lookup_allowed(lookup, value, request)

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request, queryset):
        """Revoke what the actor may revoke; the others are left as they are and named."""
        count, skipped = 0, []
        for token in queryset.filter(revoked_at=None):
            if not permissions.can(request.actor, permissions.CHANGE, token):
                skipped.append(str(token))
                continue
            services.revoke_token(request.actor, token)
            count += 1
        self.message_user(request, _("%(n)d token(s) revoked.") % {"n": count})
        if skipped:
            self.message_user(
                request,
                _("Not revoked, as you may not revoke them: %(tokens)s.") % {
                    "tokens": ", ".join(skipped)},
                level=messages.WARNING,
            )


class ActionFilter(admin.SimpleListFilter):
    """The actions by their labels (the log stores codes such as `token_create`)."""

    title = _("action")
    parameter_name = "action"

    def lookups(self, request, model_admin):
        return [(code, naming.action_label(code)) for code in naming.ACTION_LABELS]

    def queryset(self, request, queryset):
        return queryset.filter(action=self.value()) if self.value() else queryset


class ObjectTypeFilter(admin.SimpleListFilter):
    """The kinds of object by their names (the log stores `registry.facility`)."""

    title = _("object type")
    parameter_name = "object_type"

    def lookups(self, request, model_admin):
        types = model_admin.get_queryset(request).order_by().values_list(
            "object_type", flat=True).distinct()
        return sorted(((t, naming.object_type_label(t)) for t in types if t),
                      key=lambda pair: pair[1])

    def queryset(self, request, queryset):
        return queryset.filter(object_type=self.value()) if self.value() else queryset


@admin.register(models.AuditEvent, site=admin_site)
class AuditEventAdmin(ReadOnlyPolicyAdmin):
    list_display = ("at", "actor_name", "action_name", "object_type_name", "object_repr",
                    "ip_address")
    list_filter = (ActionFilter, ObjectTypeFilter)
    search_fields = ("actor", "object_repr", "object_id")
    date_hierarchy = "at"
    fields = ("at", "actor_name", "action_name", "object_type_name", "object_id", "object_repr",
              "changes_in_words", "ip_address")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")

    @admin.display(description=_("actor"), ordering="actor")
    def actor_name(self, event):
        return naming.actor_named(event.actor, getattr(event, "user", None)).text

    @admin.display(description=_("action"), ordering="action")
    def action_name(self, event):
        return naming.action_label(event.action)

    @admin.display(description=_("object type"), ordering="object_type")
    def object_type_name(self, event):
        return naming.object_type_label(event.object_type)

    @admin.display(description=_("changes"))
    def changes_in_words(self, event):
        rows = naming.changes_of(event.object_type, event.changes)
        return format_html_join(
            "", "<div>{}: {} → {}</div>",
            ((row.field, naming.as_text(row.before), naming.as_text(row.after)) for row in rows),
        ) or "—"
