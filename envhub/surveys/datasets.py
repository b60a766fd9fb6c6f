"""The catalogue's provider of approved generic survey tables: each generic-table assignment
with a loaded version is a dataset (versioned: a download asks for a version, or the one in
force on a date; the newest loaded by default). Its columns are the schema's fields, its
access class the one the steward chose for the assignment, its rows cut by the one rule
(`in_scope`)."""

from __future__ import annotations

from django.db.models import Max

from envhub.core.providers import (
    Column,
    DatasetSpec,
    DataStats,
    Filters,
    Provider,
    in_scope,
    register,
)
from envhub.core.text import slug
from envhub.surveys.policy import TABLES

TYPES = {"string": "string", "integer": "integer", "number": "number", "boolean": "boolean",
         "date": "date", "datetime": "datetime", "time": "string", "year": "integer"}


LINE = Column("line", "integer", "Dòng trong tệp", "Line in the file")


def columns_for(schema) -> list[Column]:
    """A compiled table schema's columns as downloads write them, the file's line first."""
    return [LINE, *(Column(item.name, TYPES.get(item.type, "string"), item.header("vi"),
                           item.header("en")) for item in schema.fields)]


class SurveyTables(Provider):
    key = TABLES
    versioned = True
    formats = ("CSV", "JSON", "XLSX", "PARQUET")

    def _assignments(self):
        from envhub.surveys.models import Assignment, LoadState, SchemaKind

        return Assignment.objects.filter(
            schema__kind=SchemaKind.GENERIC, versions__load_state=LoadState.LOADED).distinct() \
            .select_related("campaign", "schema", "organisation").order_by("pk")

    def specs(self):
        for item in self._assignments():
            campaign, schema, unit = item.campaign, item.schema, item.organisation
            yield DatasetSpec(
                identifier=f"khao-sat-{campaign.year}-{schema.slug}-{item.pk}"[:100],
                provider_key=str(item.pk),
                title_vi=f"{schema.title_vi} — {unit.name} ({campaign.year})",
                title_en=f"{schema.title_en or schema.title_vi} — {unit.name} "
                         f"({campaign.year})",
                description_vi=f"Bảng số liệu điều tra “{schema.title_vi}” do {unit.name} "
                               f"nộp trong đợt “{campaign.title}”, đã được thẩm định và phê "
                               "duyệt. Mỗi lần phê duyệt bản sửa tạo một phiên bản mới.",
                description_en=f"Survey table “{schema.title_en or schema.title_vi}” sent by "
                               f"{unit.name} for the campaign “{campaign.title}”, reviewed "
                               "and approved. Each approved correction is a new version.",
                keywords=("điều tra", "khảo sát", slug(schema.title_vi)[:40]),
                access_class=item.access_class if item.access_class in (
                    "open", "shared", "internal") else "shared",
                data_code=f"TNMT-DT-{campaign.year}-{item.pk}",
                provenance=f"Tệp do {unit.name} tải lên, kiểm tra theo lược đồ "
                           f"“{schema.slug}” và phê duyệt bởi đơn vị quản lý dữ liệu.")

    def _assignment(self, dataset):
        from envhub.surveys.models import Assignment

        return Assignment.objects.select_related("schema").filter(
            pk=int(dataset.provider_key)).first()

    def version(self, dataset, filters: Filters | None = None):
        """The loaded version asked for: by number, else in force at `as_of`, else the
        newest; None when there is none."""
        from envhub.surveys.models import LoadState, Version

        versions = Version.objects.filter(assignment_id=int(dataset.provider_key),
                                          load_state=LoadState.LOADED).order_by("-number")
        if filters is not None and filters.version is not None:
            return versions.filter(number=filters.version).first()
        if filters is not None and filters.as_of is not None:
            return versions.filter(loaded_at__lte=filters.as_of).first()
        return versions.first()

    def stats(self, dataset):
        from envhub.surveys.models import LoadState, TableRow, Version

        newest = self.version(dataset)
        if newest is None:
            return DataStats()
        last = Version.objects.filter(assignment_id=newest.assignment_id,
                                      load_state=LoadState.LOADED).aggregate(
            at=Max("loaded_at"))["at"]
        return DataStats(modified=last,
                         row_count=TableRow.objects.filter(version=newest).count())

    def columns(self, dataset):
        from envhub.surveys import checking

        newest = self.version(dataset)
        if newest is None:
            return [LINE]
        return columns_for(checking.schema_of(newest.schema_version))

    def _rows(self, dataset, filters: Filters):
        from envhub.surveys.models import TableRow

        version = self.version(dataset, filters)
        if version is None:
            return None, TableRow.objects.none()
        return version, in_scope(dataset, filters.reader,
                                 TableRow.objects.filter(version=version))

    def count(self, dataset, filters):
        return self._rows(dataset, filters)[1].count()

    def rows(self, dataset, filters):
        version, qs = self._rows(dataset, filters)
        if version is None:
            return
        # The newest version's columns, for every version: a field an older schema lacked
        # is empty there, so that a file's columns never shift between versions.
        names = [column.name for column in self.columns(dataset)][1:]
        for line, data in qs.order_by("line").values_list("line", "data").iterator(
                chunk_size=2000):
            yield (line, *(data.get(name) for name in names))


register(SurveyTables())
