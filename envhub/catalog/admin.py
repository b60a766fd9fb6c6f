"""Stewards keep the catalogue's metadata here (a validated form; every change audited and kept
as a metadata version) and publish file datasets, a new immutable version per upload."""

from django import forms
from django.conf import settings
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from envhub.catalog import files, models, services
from envhub.core.admin import PolicyAdmin, PolicyInline
from envhub.core.admin_site import admin_site
from envhub.core.errors import EnvhubError


class DatasetForm(forms.ModelForm):
    upload = forms.FileField(
        label=_("Publish a new version (file datasets)"), required=False,
        help_text=_("CSV (UTF-8), JSON, GeoJSON, XLSX, Parquet, PDF, ZIP or TXT. Each upload "
                    "is a new version; earlier versions stay downloadable."))
    upload_note = forms.CharField(label=_("What changed in this version"), required=False,
                                  max_length=300)

    class Meta:
        model = models.Dataset
        fields = "__all__"

    def clean_upload(self):
        upload = self.cleaned_data.get("upload")
        if upload is not None:
            if upload.size > settings.ENVHUB_MAX_DATASET_FILE_BYTES:
                raise forms.ValidationError(_("The file is too large."))
            try:  # refused here, before anything is saved
                files.check_file(upload.name, upload.read())
            except EnvhubError as error:
                raise forms.ValidationError(str(error.message)) from None
            upload.seek(0)
        return upload


class ReadOnlyInline(PolicyInline, admin.TabularInline):
    """Versions are kept, never edited."""

    extra = 0
    can_delete = False

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class VersionInline(ReadOnlyInline):
    model = models.DatasetVersion
    fields = ("number", "file_name", "size", "rows", "sha256", "created_at", "created_by",
              "note")


class MetadataVersionInline(ReadOnlyInline):
    model = models.MetadataVersion
    fields = ("number", "at", "actor", "changes")


@admin.register(models.Dataset, site=admin_site)
class DatasetAdmin(PolicyAdmin):
    service = services
    form = DatasetForm
    list_display = ("identifier", "title_vi", "access_class", "accrual_periodicity",
                    "modified", "withdrawn")
    list_filter = ("access_class", "accrual_periodicity", "provider", "withdrawn")
    search_fields = ("identifier", "search_text", "data_code")
    readonly_fields = ("provider", "provider_key", "modified", "temporal_start", "temporal_end",
                       "row_count", "current_until", "refreshed_at")
    filter_horizontal = ("provinces",)
    inlines = (VersionInline, MetadataVersionInline)

    # Its figures are the whole dataset's (rows, period, provinces): national roles only. A
    # provincial officer reads the catalogue in the portal, where rows and figures are cut to
    # their scope.
    def has_module_permission(self, request):
        return request.actor.sees_everything and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return request.actor.sees_everything and super().has_view_permission(request, obj)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.provider = files.FileDatasets.key  # the admin creates file datasets only
        super().save_model(request, obj, form, change)
        upload = form.cleaned_data.get("upload")
        if upload is not None:
            files.publish_version(request.actor, obj, upload.name, upload.read(),
                                  form.cleaned_data.get("upload_note") or "")
