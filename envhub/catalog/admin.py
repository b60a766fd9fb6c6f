"""What stays of the catalogue in the admin (stewards work on the portal's own pages,
`steward_views`): its metadata (a validated form; every change audited and kept
as a metadata version) and publish file datasets, a new immutable version per upload."""

from django import forms
from django.conf import settings
from django.contrib import admin
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from envhub.catalog import editing, files, models, services
from envhub.catalog.forms import VocabularyFields
from envhub.core.admin import PolicyAdmin, PolicyInline
from envhub.core.admin_site import admin_site
from envhub.core.errors import EnvhubError


class DatasetForm(VocabularyFields):
    """Keywords, themes, languages and the licence picked from their vocabularies (never typed
    as JSON), and a file dataset's next version."""

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
                raise forms.ValidationError(files.too_large_message(upload.size))
            try:  # refused here, before anything is saved
                files.check_file(upload.name, upload.read())
            except EnvhubError as error:
                raise forms.ValidationError(str(error.message)) from None
            upload.seek(0)
        return upload


# Where a dataset's data comes from, in words (the provider keys of `core/providers.py`).
PROVIDERS = {
    files.FileDatasets.key: _("files published by stewards"),
    "monitoring.means": _("means of the automatic monitoring stations"),
    "compliance.exceedances": _("exceedances of the limits"),
    "airquality.vn_aqi": _("air quality index (VN_AQI)"),
    "registry.sources": _("register of facilities and their sources"),
}


class ProviderFilter(admin.SimpleListFilter):
    title = _("provider")
    parameter_name = "provider"

    def lookups(self, request, model_admin):
        return list(PROVIDERS.items())

    def queryset(self, request, queryset):
        return queryset.filter(provider=self.value()) if self.value() else queryset


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
    fields = ("number", "file_name", "size_shown", "rows", "sha256", "created_at",
              "published_by", "note")

    @admin.display(description=_("published by"))
    def published_by(self, obj):
        return editing.actor_names({obj.created_by})[obj.created_by]

    @admin.display(description=_("size"))
    def size_shown(self, obj):
        return obj.size_text


class MetadataVersionInline(ReadOnlyInline):
    model = models.MetadataVersion
    fields = ("number", "at", "who", "changes_shown")

    @admin.display(description=_("who"))
    def who(self, obj):
        return editing.actor_names({obj.actor})[obj.actor]

    @admin.display(description=_("changes"))
    def changes_shown(self, obj):
        """Each changed field by its label, old and new values in words (never JSON)."""
        found = editing.changes({name: old for name, (old, _new) in obj.changes.items()},
                                {name: new for name, (_old, new) in obj.changes.items()})
        if not found:
            return _("first version") if obj.number == 1 else "—"
        return format_html_join("", "<div>{}: {} → {}</div>",
                                ((c.label, c.before, c.after) for c in found))


@admin.register(models.Dataset, site=admin_site)
class DatasetAdmin(PolicyAdmin):
    service = services
    form = DatasetForm
    list_display = ("identifier", "title_vi", "access_class", "accrual_periodicity",
                    "modified", "withdrawn")
    list_filter = ("access_class", "accrual_periodicity", ProviderFilter, "withdrawn")
    search_fields = ("identifier", "search_text", "data_code")
    readonly_fields = ("provider_shown", "provider_key", "modified", "temporal_start",
                       "temporal_end", "row_count", "current_until", "refreshed_at")
    filter_horizontal = ("provinces",)
    inlines = (VersionInline, MetadataVersionInline)

    # Its figures are the whole dataset's (rows, period, provinces): national roles only. A
    # provincial officer reads the catalogue in the portal, where rows and figures are cut to
    # their scope.
    def has_module_permission(self, request):
        return request.actor.sees_everything and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return request.actor.sees_everything and super().has_view_permission(request, obj)

    def get_fields(self, request, obj=None):
        # Publishing a version is for those who may change the dataset; to a reader the form's
        # upload fields would read "None".
        fields = super().get_fields(request, obj)
        if self.has_change_permission(request, obj):
            return fields
        return [field for field in fields if field not in ("upload", "upload_note")]

    @admin.display(description=_("provider"))
    def provider_shown(self, obj):
        return PROVIDERS.get(obj.provider, obj.provider)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.provider = files.FileDatasets.key  # the admin creates file datasets only
        super().save_model(request, obj, form, change)
        upload = form.cleaned_data.get("upload")
        if upload is not None:
            files.publish_version(request.actor, obj, upload.name, upload.read(),
                                  form.cleaned_data.get("upload_note") or "")
