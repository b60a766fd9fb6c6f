"""A ModelAdmin that asks the permission policy and writes through the audited service.

The admin keeps no history of its own: Django's `LogEntry` rows are not written (they could be
edited or deleted like any table), and an object's "History" page shows its events from the
append-only audit log instead.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.response import TemplateResponse
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from envhub.core import audit, permissions, services

# How many events the History page shows, newest first; the audit log admin has them all.
HISTORY_EVENTS = 200


class ScopedChoicesMixin:
    """Foreign-key and many-to-many choices cut down to what the actor may see."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        kwargs.setdefault(
            "queryset",
            permissions.scope(request.actor, db_field.related_model._default_manager.all()),
        )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        kwargs.setdefault(
            "queryset",
            permissions.scope(request.actor, db_field.related_model._default_manager.all()),
        )
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class PolicyAdmin(ScopedChoicesMixin, admin.ModelAdmin):
    """Rows, buttons and choices in the admin follow `envhub.core.permissions`, like everywhere.

    Writes go through `service` (a module with `save(actor, obj, validate=...)` and
    `delete(actor, obj)`): the shared `envhub.core.services` by default, an app's own service
    where saving has domain steps (the registry re-derives stations)."""

    service = services
    object_history_template = "admin/audit_history.html"

    def get_queryset(self, request):
        return permissions.scope(request.actor, super().get_queryset(request))

    def _admin_actor(self, request):
        actor = request.actor
        return actor if permissions.may_use_admin(actor) else None

    def has_module_permission(self, request):
        actor = self._admin_actor(request)
        return actor is not None and permissions.can(actor, permissions.VIEW, self.model)

    def has_view_permission(self, request, obj=None):
        actor = self._admin_actor(request)
        return actor is not None and permissions.can(actor, permissions.VIEW, obj or self.model)

    def has_add_permission(self, request, *args):
        actor = self._admin_actor(request)
        return actor is not None and permissions.can(actor, permissions.ADD, self.model)

    def has_change_permission(self, request, obj=None):
        actor = self._admin_actor(request)
        return actor is not None and permissions.can(actor, permissions.CHANGE, obj or self.model)

    def has_delete_permission(self, request, obj=None):
        actor = self._admin_actor(request)
        return actor is not None and permissions.can(actor, permissions.DELETE, obj or self.model)

    def lookup_allowed(self, lookup, value, request=None):
        # No filtering on secrets through the URL (`?digest__startswith=ab` would reveal a token's
        # digest a character at a time), on this model or through a relation.
        if set(lookup.split("__")) & audit.SECRET_FIELDS:
            return False
        return super().lookup_allowed(lookup, value, request)

    def get_form(self, request, obj=None, **kwargs):
        form_class = super().get_form(request, obj, **kwargs)
        actor = request.actor

        class PolicyForm(form_class):
            def _post_clean(self):
                super()._post_clean()
                if self.errors:
                    return
                action = permissions.CHANGE if self.instance.pk else permissions.ADD
                if not permissions.can(actor, action, self.instance):
                    self.add_error(None, ValidationError(permissions.refusal_message(action)))

        return PolicyForm

    def save_model(self, request, obj, form, change):
        self.service.save(request.actor, obj, validate=False)

    def save_related(self, request, form, formsets, change):
        before = {name: set(getattr(form.instance, name).values_list("pk", flat=True))
                  for name in self._m2m_names(form)} if change else {}
        super().save_related(request, form, formsets, change)
        changes = {}
        for name in self._m2m_names(form):
            after = set(getattr(form.instance, name).values_list("pk", flat=True))
            if after != before.get(name, set()):
                changes[name] = [sorted(before.get(name, set())), sorted(after)]
        if changes:
            audit.record(request.actor, "update", form.instance, changes)

    def save_formset(self, request, form, formset, change):
        """Inline rows go through the audited service one by one, like the main object."""
        actor = request.actor
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            self.service.delete(actor, obj)
        for obj in instances:
            self.service.save(actor, obj, validate=False)
        # The rows' many-to-many values as they were, read before save_m2m() replaces them.
        forms = [f for f in formset.forms
                 if f.instance.pk and self._m2m_names(f) and f not in formset.deleted_forms]
        before = {id(f): self._m2m_values(f) for f in forms}
        formset.save_m2m()
        for inline_form in forms:
            after = self._m2m_values(inline_form)
            changes = {name: [sorted(before[id(inline_form)][name]), sorted(values)]
                       for name, values in after.items()
                       if values != before[id(inline_form)][name]}
            if changes:
                audit.record(actor, "update", inline_form.instance, changes)

    @classmethod
    def _m2m_values(cls, form) -> dict[str, set]:
        return {name: set(getattr(form.instance, name).values_list("pk", flat=True))
                for name in cls._m2m_names(form)}

    @staticmethod
    def _m2m_names(form) -> list[str]:
        if not hasattr(form, "cleaned_data"):
            return []
        return [f.name for f in form.instance._meta.many_to_many if f.name in form.cleaned_data]

    def delete_model(self, request, obj):
        self.service.delete(request.actor, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.service.delete(request.actor, obj)

    # The audit log is the history: no LogEntry rows.
    def log_addition(self, request, obj, message):
        return None

    def log_change(self, request, obj, message):
        return None

    def log_deletions(self, request, queryset):
        return None

    def history_view(self, request, object_id, extra_context=None):
        """The object's events from the audit log (for those who may read the log: admins)."""
        AuditEvent = audit.event_model()  # noqa: N806  (a model, named as one)
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        actor = request.actor
        may_read = permissions.can(actor, permissions.VIEW, AuditEvent)
        events = []
        if may_read:
            events = list(permissions.scope(actor, AuditEvent.objects.filter(
                object_type=self.opts.label_lower, object_id=str(obj.pk),
            )).select_related("user").order_by("-at", "-id")[:HISTORY_EVENTS])
        context = {
            **self.admin_site.each_context(request),
            "title": _("Change history: %s") % obj,
            "subtitle": None,
            "module_name": str(capfirst(self.opts.verbose_name_plural)),
            "object": obj,
            "opts": self.opts,
            "may_read_audit_log": may_read,
            "events": events,
            "limit": HISTORY_EVENTS,
            "preserved_filters": self.get_preserved_filters(request),
            **(extra_context or {}),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, self.object_history_template, context)


class PolicyInline(ScopedChoicesMixin):
    """Inline rows follow the policy too: they may be edited when the actor may change both the
    parent object and rows of the inline model (mixed into TabularInline/StackedInline)."""

    def _allowed(self, request, action, obj) -> bool:
        actor = request.actor
        if not permissions.may_use_admin(actor) or not permissions.can(actor, action, self.model):
            return False
        return obj is None or permissions.can(actor, permissions.CHANGE, obj)

    def has_view_permission(self, request, obj=None):
        actor = request.actor
        return permissions.may_use_admin(actor) and permissions.can(
            actor, permissions.VIEW, self.model)

    def has_add_permission(self, request, obj=None):
        return self._allowed(request, permissions.ADD, obj)

    def has_change_permission(self, request, obj=None):
        return self._allowed(request, permissions.CHANGE, obj)

    def has_delete_permission(self, request, obj=None):
        return self._allowed(request, permissions.DELETE, obj)


class ReadOnlyPolicyAdmin(PolicyAdmin):
    """Records the system writes (the audit log, judged events, notifications): read in the
    admin, never added, changed or deleted there."""

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
