"""The registry in the catalogue: industrial emission sources with their facilities."""

from __future__ import annotations

from django.db.models import Max

from envhub.catalog.providers import Column, DatasetSpec, DataStats, Filters, Provider, register
from envhub.core.timeutil import local_iso
from envhub.registry.models import Source


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
                           "mã số thuế, địa chỉ, ngành, tọa độ, chiều cao và đường kính ống khói, "
                           "lưu lượng thiết kế, nhiên liệu và quy chuẩn áp dụng.",
            description_en="The stacks and wastewater outfalls of industrial facilities: facility, "
                           "tax code, address, sector, coordinates, stack height and diameter, "
                           "design flow, fuel and the regulation that applies.",
            keywords=("nguồn thải", "ống khói", "nước thải", "cơ sở", "khí thải"),
            themes=("ENVI", "ECON"), frequency="IRREG", access_class="open",
            data_code="TNMT-NT-01",
            legal_basis="Luật Bảo vệ môi trường 2020, Điều 114 khoản 1 điểm a",
            provenance="Hồ sơ cấp phép môi trường, cập nhật bởi cán bộ quản lý dữ liệu và sở.")

    def _sources(self, filters: Filters | None = None):
        qs = Source.objects.select_related("facility", "facility__province", "facility__ward",
                                           "facility__operator", "regulation")
        if filters and filters.province:
            qs = qs.filter(facility__province__code=filters.province)
        return qs.order_by("facility__province__code", "facility_id", "code")

    def stats(self, dataset):
        return DataStats(
            modified=Source.objects.aggregate(last=Max("facility__updated_at"))["last"],
            row_count=Source.objects.count(),
            province_ids=set(Source.objects.values_list("facility__province_id",
                                                        flat=True).distinct()))

    def columns(self, dataset):
        return [
            Column("facility", "string", "Tên cơ sở", "Facility"),
            Column("tax_code", "string", "Mã số thuế", "Tax code"),
            Column("sector", "string", "Ngành", "Sector"),
            Column("province_code", "string", "Mã tỉnh", "Province code"),
            Column("province", "string", "Tỉnh/thành phố", "Province"),
            Column("ward", "string", "Xã/phường", "Ward"),
            Column("address", "string", "Địa chỉ", "Address"),
            Column("operator", "string", "Doanh nghiệp", "Operator"),
            Column("permit_number", "string", "Số giấy phép môi trường", "Environmental permit"),
            Column("source_code", "string", "Mã nguồn thải", "Source code"),
            Column("source", "string", "Tên nguồn thải", "Source"),
            Column("kind", "string", "Loại (stack: ống khói, outfall: cửa xả)", "Kind"),
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
        for source in self._sources(filters).iterator(chunk_size=2000):
            facility = source.facility
            latitude = source.latitude if source.latitude is not None else facility.latitude
            longitude = source.longitude if source.longitude is not None else facility.longitude
            yield (facility.name, facility.tax_code, facility.sector, facility.province.code,
                   facility.province.name, facility.ward.name if facility.ward else "",
                   facility.address, facility.operator.name if facility.operator else "",
                   facility.permit_number, source.code, source.name, source.kind,
                   source.stack_height_m, source.stack_diameter_m, source.design_flow_m3h,
                   source.fuel, source.regulation.code if source.regulation else "",
                   latitude, longitude, local_iso(facility.updated_at))


register(SourceRegistry())
