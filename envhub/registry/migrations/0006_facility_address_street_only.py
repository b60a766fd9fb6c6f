"""`Facility.address` holds only the street part; the ward and province are fields of their own.
Older installations (demo data from before that rule) stored "street, ward, province": cut the
trailing ", <ward name>, <province name>" where it is there, and refresh the search text."""

from django.db import migrations


def _search_text(facility) -> str:
    from envhub.core.text import search_document

    return search_document(
        facility.name, facility.abbreviation, facility.tax_code, facility.address,
        facility.ward.name if facility.ward_id else None,
        facility.province.name if facility.province_id else None,
    )


def street_only(apps, schema_editor):
    Facility = apps.get_model("registry", "Facility")
    for facility in Facility.objects.select_related("ward", "province").filter(
            ward__isnull=False):
        suffix = f", {facility.ward.name}, {facility.province.name}"
        address = facility.address.rstrip()
        if address.endswith(suffix) and len(address) > len(suffix):
            facility.address = address[: -len(suffix)].rstrip(" ,")
            Facility.objects.filter(pk=facility.pk).update(
                address=facility.address, search_text=_search_text(facility))


class Migration(migrations.Migration):
    dependencies = [("registry", "0005_source_facility_protect")]

    # Nothing to undo: the ward and province are still in their own columns.
    operations = [migrations.RunPython(street_only, migrations.RunPython.noop)]
