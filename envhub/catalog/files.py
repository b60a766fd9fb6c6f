"""File datasets: a steward publishes files (a report's tables, a survey's spreadsheet); each
upload is a new, immutable version, and a download can ask for any version or for the one in
force on a date ("as it was on 1 March"). Registered as a provider like every other dataset."""

from __future__ import annotations

import csv
import hashlib
import io
import re
from pathlib import PurePath

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from envhub.catalog.models import Dataset, DatasetVersion, Distribution
from envhub.core import audit, permissions
from envhub.core.errors import InvalidInput, NotFound, TooLarge
from envhub.core.providers import Column, DataStats, Provider, register
from envhub.core.uploads import size_words

FORMATS = {  # extension → (format code, media type)
    "csv": ("CSV", "text/csv"), "json": ("JSON", "application/json"),
    "geojson": ("GEOJSON", "application/geo+json"),
    "xlsx": ("XLSX", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "parquet": ("PARQUET", "application/vnd.apache.parquet"),
    "pdf": ("PDF", "application/pdf"), "zip": ("ZIP", "application/zip"),
    "txt": ("TXT", "text/plain"),
}
_SAFE_NAME = re.compile(r"[^\w.\-]+", re.UNICODE)


def file_format(name: str) -> tuple[str, str]:
    extension = PurePath(name).suffix.lower().lstrip(".")
    if extension not in FORMATS:
        raise InvalidInput(_("Files of this kind cannot be published: use CSV, JSON, GeoJSON, "
                             "XLSX, Parquet, PDF, ZIP or TXT."), {"file": [extension or "?"]})
    return FORMATS[extension]


def _csv_text(content: bytes) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput(_("The CSV file is not UTF-8 text: save it as “CSV UTF-8” and "
                             "upload it again.")) from None


def too_large_message(size: int | None = None) -> str:
    limit = size_words(settings.ENVHUB_MAX_DATASET_FILE_BYTES)
    if size is None:
        return _("The file is larger than %(limit)s, the largest file a version may hold.") % {
            "limit": limit}
    return _("The file is %(size)s: the largest file a version may hold is %(limit)s.") % {
        "size": size_words(size), "limit": limit}


def check_file(file_name: str, content: bytes) -> tuple[str, str, int | None]:
    """(format code, media type, rows for CSV) of a file fit to publish; InvalidInput or
    TooLarge with the reason otherwise."""
    if not content:
        raise InvalidInput(_("The file is empty."), {"file": [_("empty")]})
    # Versions are kept in the database and read whole when published or downloaded.
    if len(content) > settings.ENVHUB_MAX_DATASET_FILE_BYTES:
        raise TooLarge(too_large_message(len(content)))
    code, media_type = file_format(file_name)
    rows = None
    if code == "CSV":
        reader = csv.reader(io.StringIO(_csv_text(content)), strict=True)
        try:
            rows = max(0, sum(1 for _row in reader) - 1)
        except csv.Error as error:
            raise InvalidInput(_("The CSV file cannot be read: %(error)s") % {
                "error": str(error)[:200]}) from None
    return code, media_type, rows


def publish_version(actor, dataset: Dataset, file_name: str, content: bytes,
                    note: str = "") -> DatasetVersion:
    """A new version of a file dataset, checked (kind, size, CSV readable) and audited."""
    permissions.require(actor, permissions.CHANGE, dataset)
    if dataset.provider != FileDatasets.key:
        raise InvalidInput(_("Only file datasets take uploaded versions."))
    code, media_type, rows = check_file(file_name, content)
    name = _SAFE_NAME.sub("_", PurePath(file_name.replace("\\", "/")).name)[:200] or "data"
    with transaction.atomic():
        Dataset.objects.select_for_update().filter(pk=dataset.pk).first()
        number = (dataset.versions.order_by("-number").values_list("number", flat=True)
                  .first() or 0) + 1
        version = DatasetVersion.objects.create(
            dataset=dataset, number=number, file_name=name, media_type=media_type,
            size=len(content), sha256=hashlib.sha256(content).hexdigest(), content=content,
            rows=rows, note=note[:300], created_by=actor.label)
        Distribution.objects.update_or_create(
            dataset=dataset, format=code, defaults={
                "title": f"{dataset.title_vi} ({code})", "media_type": media_type,
                "byte_size": len(content), "checksum": version.sha256})
        dataset.version = str(number)
        dataset.modified = version.created_at
        dataset.row_count = rows
        dataset.save(update_fields=["version", "modified", "row_count", "search_text",
                                    "updated_at"])
        audit.record(actor, "publish_version", dataset, {
            "version": [None, number], "file_name": [None, name], "sha256": [None, version.sha256],
            "size": [None, len(content)]})
    return version


def version_for(dataset: Dataset, number: int | None = None, as_of=None) -> DatasetVersion:
    """The version asked for: by number, else the one in force at `as_of`, else the newest."""
    versions = dataset.versions.all()
    if number is not None:
        found = versions.filter(number=number).first()
    elif as_of is not None:
        found = versions.filter(created_at__lte=as_of).order_by("-number").first()
    else:
        found = versions.order_by("-number").first()
    if found is None:
        raise NotFound(_("No such version of this dataset."))
    return found


class FileDatasets(Provider):
    key = "catalog.files"
    versioned = True
    withdraws_missing = False
    formats = ()

    def specs(self):
        return ()  # stewards create these datasets themselves

    def stats(self, dataset):
        latest = dataset.versions.order_by("-number").first()
        return DataStats(modified=latest.created_at if latest else None,
                         row_count=latest.rows if latest else None,
                         province_ids=set(dataset.provinces.values_list("id", flat=True)))

    def columns(self, dataset):
        latest = dataset.versions.order_by("-number").first()
        if latest is None or latest.media_type != "text/csv":
            return [Column("file", "string", "Tệp", "File")]
        header = next(csv.reader(io.StringIO(_csv_text(bytes(latest.content)))), [])
        return [Column(name, "string", name) for name in header]

    def rows(self, dataset, filters):
        if filters.version is None and filters.as_of is None and not dataset.versions.exists():
            return  # nothing published yet: its page shows no rows, and the form for the first
        version = version_for(dataset, filters.version, filters.as_of)
        if version.media_type != "text/csv":
            yield (version.file_name,)
            return
        reader = csv.reader(io.StringIO(_csv_text(bytes(version.content))))
        next(reader, None)
        yield from (tuple(row) for row in reader)


register(FileDatasets())
