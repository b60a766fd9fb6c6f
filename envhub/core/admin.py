"""A ModelAdmin that asks the permission policy and writes through the audited service."""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import ValidationError

from envhub.core import audit, permissions, services


class PolicyAdmin(admin.ModelAdmin):
    """Rows, buttons and choices in the admin follow `envhub.core.permissions`, like everywhere."""

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
                    self.add_error(None, ValidationError(
                        permissions.refusal_message(actor, action, self.instance)))

        return PolicyForm

    def save_model(self, request, obj, form, change):
        services.save(request.actor, obj, validate=False)

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
            services.delete(actor, obj)
        for obj in instances:
            services.save(actor, obj, validate=False)
        formset.save_m2m()
        for inline_form in formset.forms:
            names = self._m2m_names(inline_form)
            if inline_form.instance.pk and names and inline_form.has_changed():
                audit.record(actor, "update", inline_form.instance, {
                    name: [None, sorted(getattr(inline_form.instance, name)
                                        .values_list("pk", flat=True))]
                    for name in names
                })

    @staticmethod
    def _m2m_names(form) -> list[str]:
        return [f.name for f in form.instance._meta.many_to_many if f.name in form.cleaned_data]

    def delete_model(self, request, obj):
        services.delete(request.actor, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            services.delete(request.actor, obj)


class PolicyInline:
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
