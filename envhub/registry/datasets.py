"""The registry in the catalogue: industrial emission sources with their facilities.

Open data by default: a facility's name, sector, address, coordinates, permit number and its
sources' features are public register data (as in the US EPA's ECHO). Its tax code is not: it
is also the facility's FTP user name, so a row carries it only for a reader whose scope holds
the facility, or when a steward opens the dataset's tax codes (`Dataset.tax_codes_open`)."""

from __future__ import annotations

from django.db.models import Max

from envhub.core import permissions
from envhub.core.providers import (
    Column,
    DatasetSpec,
    DataStats,
    Filters,
    Provider,
    in_scope,
    register,
)
from envhub.core.timeutil import local_iso
from envhub.registry.models import Facility, Sector, Source, SourceKind


class SourceRegistry(Provider):
    key = "registry.sources"
    has_province = True
    has_coordinates = True

    def specs(self):
        yield DatasetSpec(
            identifier="co-so-va-nguon-thai", provider_key="",
            title_vi="Cơ sở và nguồn thải công nghiệp",
            title_en="Industrial facilities and emission sources",
            description_vi="Các ống khói và cửa xả nước thải của các cơ sở sản xuất: cơ sở, "
                           "địa chỉ, ngành, tọa độ, chiều cao và đường kính ống khói, lưu lượng "
                           "thiết kế, nhiên liệu và quy chuẩn áp dụng. Mã số thuế chỉ có khi "
                           "được công bố.",
            description_en="The stacks and wastewater outfalls of industrial facilities: facility, "
                           "address, sector, coordinates, stack height and diameter, design "
                           "flow, fuel and the regulation that applies. Tax codes only where "
                           "published.",
            keywords=("nguồn thải", "ống khói", "nước thải", "cơ sở", "khí thải"),
            themes=("ENVI", "ECON"), frequency="IRREG", access_class="open",
            data_code="TNMT-NT-01",
            legal_basis="Luật Bảo vệ môi trường 2020, Điều 114 khoản 1 điểm a",
            provenance="Hồ sơ cấp phép môi trường, cập nhật bởi cán bộ quản lý dữ liệu và sở.")

    def _sources(self, dataset=None, filters: Filters | None = None):
        qs = Source.objects.select_related("facility", "facility__province", "facility__ward",
                                           "facility__operator", "regulation")
        if filters is not None:
            qs = in_scope(dataset, filters.reader, qs)
        if filters and filters.province:
            qs = qs.filter(facility__province__code=filters.province)
        return qs.order_by("facility__province__code", "facility_id", "code")

    def stats(self, dataset):
        return DataStats(
            modified=Source.objects.aggregate(last=Max("facility__updated_at"))["last"],
            row_count=Source.objects.count(),
            province_ids=set(Source.objects.values_list("facility__province_id",
                                                        flat=True).distinct()))

    def count(self, dataset, filters):
        return self._sources(dataset, filters).count()

    def columns(self, dataset):
        return [
            Column("facility", "string", "Tên cơ sở", "Facility"),
            Column("tax_code", "string", "Mã số thuế", "Tax code"),
            Column("sector", "string", "Ngành", "Sector", labels=tuple(Sector.choices)),
            Column("province_code", "string", "Mã tỉnh", "Province code"),
            Column("province", "string", "Tỉnh/thành phố", "Province"),
            Column("ward", "string", "Xã/phường", "Ward"),
            Column("address", "string", "Địa chỉ", "Address"),
            Column("operator", "string", "Doanh nghiệp", "Operator"),
            Column("permit_number", "string", "Số giấy phép môi trường", "Environmental permit"),
            Column("source_code", "string", "Mã nguồn thải", "Source code"),
            Column("source", "string", "Tên nguồn thải", "Source"),
            Column("kind", "string", "Loại (stack: ống khói, outfall: cửa xả)", "Kind",
                   labels=tuple(SourceKind.choices)),
            Column("stack_height_m", "number", "Chiều cao ống khói (m)", "Stack height (m)"),
            Column("stack_diameter_m", "number", "Đường kính ống khói (m)", "Stack diameter (m)"),
            Column("design_flow_m3h", "number", "Lưu lượng thiết kế (m³/h)", "Design flow (m³/h)"),
            Column("fuel", "string", "Nhiên liệu", "Fuel"),
            Column("regulation", "string", "Quy chuẩn áp dụng", "Regulation"),
            Column("latitude", "number", "Vĩ độ", "Latitude", shown_as="coordinate"),
            Column("longitude", "number", "Kinh độ", "Longitude", shown_as="coordinate"),
            Column("updated_at", "datetime", "Cập nhật", "Updated"),
        ]

    def rows(self, dataset, filters):
        # Whose tax codes the reader may have: every one when a steward opened them, else
        # those of the facilities in their scope (as the API shows them).
        known = None if dataset.tax_codes_open else set(permissions.scope(
            filters.reader, Facility.objects.all()).values_list("id", flat=True))
        for source in self._sources(dataset, filters).iterator(chunk_size=2000):
            facility = source.facility
            tax_code = facility.tax_code if known is None or facility.id in known else ""
            latitude = source.latitude if source.latitude is not None else facility.latitude
            longitude = source.longitude if source.longitude is not None else facility.longitude
            yield (facility.name, tax_code, facility.sector, facility.province.code,
                   facility.province.name, facility.ward.name if facility.ward else "",
                   facility.address, facility.operator.name if facility.operator else "",
                   facility.permit_number, source.code, source.name, source.kind,
                   source.stack_height_m, source.stack_diameter_m, source.design_flow_m3h,
                   source.fuel, source.regulation.code if source.regulation else "",
                   latitude, longitude, local_iso(facility.updated_at))


register(SourceRegistry())
