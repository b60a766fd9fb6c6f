"""Dataset providers: the one extension point through which every app — core and future ones —
puts its data in the catalogue.

An app registers a `Provider` in its `datasets.py` (imported by `discover`, like `jobs.py`). A
provider says which datasets it offers (`specs`: identifier and default metadata), and for each
one computes from the data what the catalogue must not make up (`stats`: when the data last
changed, the period it covers, its rows, its provinces), describes its columns (`columns`) and
streams its rows (`rows`, a generator: downloads never hold a dataset in memory). Datasets with
versions (files a steward uploads, and later the approved versions of survey datasets) say so
and serve any version, or the version in force on a date.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet

from envhub.core import permissions
from envhub.core.apps import import_app_modules
from envhub.core.permissions import ANONYMOUS, Actor
from envhub.core.timeutil import local_day, local_days


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # string, integer, number, datetime, date, boolean
    description_vi: str
    description_en: str = ""
    # How a spreadsheet shows its numbers: a unit or kind of `core.numbers` ("coordinate",
    # "limit", "µg/m3"); None: two decimals at most.
    shown_as: str | None = None
    # A column of codes (`good`, `thermal_power`): code → label, a lazy translation or a
    # (Vietnamese, English) pair. Files keep the codes; pages show the labels (`shown`).
    labels: tuple[tuple[str, Any], ...] = ()

    def shown(self, value: Any, language: str | None) -> Any:
        """`value` as a page in `language` shows it: a code by its label."""
        for code, label in self.labels:
            if code == value:
                if isinstance(label, tuple):
                    return label[0] if (language or "vi").startswith("vi") else label[1]
                return str(label)
        return value


@dataclass(frozen=True)
class DatasetSpec:
    """What a provider offers; the metadata are defaults a steward may then edit."""

    identifier: str
    provider_key: str
    title_vi: str
    title_en: str
    description_vi: str
    description_en: str
    keywords: tuple[str, ...] = ()
    themes: tuple[str, ...] = ("ENVI",)
    frequency: str = "IRREG"
    access_class: str = "open"
    data_code: str = ""
    legal_basis: str = ""
    conforms_to: str = ""
    provenance: str = ""


@dataclass(frozen=True)
class FileDistribution:
    """A file a dataset is distributed as, beside the downloads of its rows (a library
    document's PDF): DCAT lists it with its own download address (`path`, on this site)."""

    key: str  # unique within the dataset: names its distribution node
    title: str
    media_type: str
    file_type: str  # the EU file-type code (PDF, DOCX, ...)
    byte_size: int | None
    checksum: str  # SHA-256, hex
    path: str


@dataclass
class DataStats:
    modified: datetime.datetime | None = None
    temporal_start: datetime.datetime | None = None
    temporal_end: datetime.datetime | None = None
    row_count: int | None = None
    current_until: datetime.datetime | None = None  # see Dataset.current_until
    province_ids: set[int] = field(default_factory=set)


@dataclass(frozen=True)
class Filters:
    """What a download may ask for (each provider applies what its data has)."""

    start: datetime.datetime | None = None  # rows after
    end: datetime.datetime | None = None  # rows up to and including
    province: str | None = None  # province code
    version: int | None = None
    as_of: datetime.datetime | None = None  # the version in force then
    # Who reads the rows: they are cut to what the policy shows them (`in_scope`). Nobody
    # named is the anonymous visitor, so a forgotten reader sees less, never more.
    reader: Actor = ANONYMOUS


# --- the one rule for rows ------------------------------------------------------------------
# A dataset's row belongs to a record of the policy (a station, a source, an exceedance event):
# the reader gets the row when `permissions.scope` shows them the record, whichever road they
# take (API, portal, download, CKAN, DCAT). An open dataset's rows are open data (the
# provider's default from the policy — ambient air and water — or a steward's audited choice),
# so everyone gets them all.

def sees_all_rows(reader: Actor, dataset) -> bool:
    """Whether the reader gets every row of the dataset (open data, or a national role);
    otherwise its rows are cut to their scope, and the whole dataset's figures (rows, period,
    provinces) are not theirs to see either."""
    # "open" is the catalogue's AccessClass.OPEN, named by its value: core reads no app's model.
    return dataset.access_class == "open" or reader.sees_everything


# The catalogue's dataset of a provider's part, for the roads that do not start from the
# catalogue (the API): registered by the catalogue, since core reads no app's model.
_PUBLISHED: list = []


def register_published(finder) -> None:
    """`finder(provider, provider_key)`: the catalogue's dataset (not withdrawn), or None."""
    _PUBLISHED[:] = [finder]


def published(provider: str, provider_key: str):
    """The catalogue's dataset of `provider`'s part `provider_key`, or None (none published,
    withdrawn, or no catalogue): what `sees_all_rows` is asked of on another road."""
    return _PUBLISHED[0](provider, provider_key) if _PUBLISHED else None


# The provider keys of a provider's published datasets a reader may read by their access
# class (the catalogue's `catalogue_condition`): for rows that belong to no record of the
# policy but to the dataset itself (a generic survey table's), so that their app's scope rule
# admits exactly the readers the catalogue does.
_READABLE: list = []


def register_readable(finder) -> None:
    """`finder(provider, reader)`: the provider keys of the datasets (not withdrawn) whose
    access class the reader may read."""
    _READABLE[:] = [finder]


def readable_keys(provider: str, reader: Actor) -> list[str]:
    """The keys of `provider`'s published datasets `reader` may read (none without a
    catalogue)."""
    return list(_READABLE[0](provider, reader)) if _READABLE else []


def in_scope(dataset, reader: Actor, qs: QuerySet, record: str = "") -> QuerySet:
    """The rows of `qs` this reader may have: all of them when `sees_all_rows`, else those
    whose record (`qs` itself, or the related object at `record`, e.g. "station") is in the
    reader's scope by the policy (`permissions.scope`, the rule the API applies)."""
    if sees_all_rows(reader, dataset):
        return qs
    if not record:
        return permissions.scope(reader, qs)
    field = qs.model._meta.get_field(record)
    allowed = permissions.scope(reader, field.related_model._default_manager.all())
    return qs.filter(**{f"{record}__in": allowed.values("pk")})


# The columns that place a station, first in every dataset of stations' values.
STATION_COLUMNS = (
    Column("station", "string", "Mã trạm", "Station code"),
    Column("station_name", "string", "Tên trạm", "Station"),
    Column("province_code", "string", "Mã tỉnh", "Province code"),
    Column("latitude", "number", "Vĩ độ", "Latitude", shown_as="coordinate"),
    Column("longitude", "number", "Kinh độ", "Longitude", shown_as="coordinate"),
)


def time_column(hourly: bool) -> Column:
    """The time of an hourly value (the hour by its end, docs/time.md) or a daily one."""
    if hourly:
        return Column("hour_end", "datetime", "Giờ (kết thúc), giờ Việt Nam",
                      "Hour (ending), Viet Nam time")
    return Column("day", "date", "Ngày (01:00–24:00)", "Day (01:00–24:00)")


def days_of(first, last, hourly: bool) -> tuple[datetime.date, datetime.date] | None:
    """The local days of a first and a last row time (instants, or days already), as a
    download's `from` and `to` name them (`core.timeutil.local_day`: an hour ending at
    midnight is the last of the day before)."""
    if first is None or last is None:
        return None
    return (local_day(first), local_day(last)) if hourly else (first, last)


def period_bounds(hourly: bool, filters: Filters) -> tuple:
    """The filters' period (start, end] as bounds on hourly or daily values' own time: hour
    ends after `lower` up to `upper`; or local days from `lower` to `upper`, both included
    (`core.timeutil.local_days`). None for a side the filters leave open."""
    if hourly:
        return filters.start, filters.end
    return local_days(filters.start, filters.end)


class Provider:
    """Base class. Subclasses set `key` and the capability flags, and implement the methods."""

    key: str = ""
    has_time = False
    has_province = False
    has_coordinates = False  # rows carry `latitude` and `longitude` columns: GeoJSON possible
    versioned = False
    # A dataset the provider no longer offers is withdrawn (its data is gone); datasets that
    # stewards create themselves are not the provider's to withdraw.
    withdraws_missing = True
    # Many datasets, changing one at a time: the provider notes each change
    # (`catalog.changes.note`) and implements `spec(key)`; the sync then refreshes only those.
    incremental = False
    formats: tuple[str, ...] = ("CSV", "JSON", "XLSX", "PARQUET")

    def specs(self) -> Iterable[DatasetSpec]:
        raise NotImplementedError

    def spec(self, key: str) -> DatasetSpec | None:
        """An incremental provider's spec for one key, or None when it no longer offers it."""
        raise NotImplementedError

    def stats(self, dataset) -> DataStats:
        raise NotImplementedError

    def columns(self, dataset) -> list[Column]:
        raise NotImplementedError

    def rows(self, dataset, filters: Filters) -> Iterator[tuple]:
        raise NotImplementedError

    def chart(self, dataset) -> dict | None:
        """For a time series, what its page charts: {"time": column, "value": column,
        "series": [columns naming a line], "unit": {"column": the column holding each row's
        unit} or {"value": one unit for all, "name": its axis name}}; None when it has no
        chart. Lines are grouped by unit, one y-axis each (docs/charts.md)."""
        return None

    def count(self, dataset, filters: Filters) -> int | None:
        """How many rows `rows(dataset, filters)` gives, counted by the database with the same
        filters and the same scope (`in_scope`); None when the provider cannot say cheaply."""
        return None

    def span(self, dataset, filters: Filters) -> tuple[datetime.date, datetime.date] | None:
        """The local days (Viet Nam time) of the first and the last row the reader may have
        with these filters' province, whatever their period — as `from` and `to` would name
        them; None without rows or without time."""
        return None

    def copy_csv(self, dataset, filters: Filters):
        """Optionally, the CSV rows (no header) written by the database itself, for speed;
        None (the default) when the provider has no such path."""
        return None

    def files(self, dataset) -> list[FileDistribution]:
        """The files the dataset is distributed as besides its rows' downloads (none by
        default); DCAT lists them as distributions."""
        return []

    def all_formats(self) -> tuple[str, ...]:
        return self.formats + (("GEOJSON",) if self.has_coordinates else ())


PROVIDERS: dict[str, Provider] = {}


def register(provider: Provider) -> Provider:
    if not provider.key:
        raise ValueError("a provider needs a key")
    PROVIDERS[provider.key] = provider
    return provider


def discover() -> dict[str, Provider]:
    """Import `<app>.datasets` of every envhub app (each registers its providers)."""
    import_app_modules("datasets")
    return PROVIDERS


def provider_of(dataset) -> Provider | None:
    return discover().get(dataset.provider)
