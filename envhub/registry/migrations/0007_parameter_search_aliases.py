"""A parameter's search text includes the symbols dataloggers write (`pm25` finds PM2_5)."""

from django.db import migrations


def with_aliases(apps, schema_editor):
    from envhub.core.text import search_document

    Parameter = apps.get_model("registry", "Parameter")
    ParameterAlias = apps.get_model("registry", "ParameterAlias")
    for parameter in Parameter.objects.all():
        aliases = ParameterAlias.objects.filter(parameter_id=parameter.pk).order_by(
            "alias_key").values_list("alias", flat=True)
        Parameter.objects.filter(pk=parameter.pk).update(search_text=search_document(
            parameter.code, parameter.name_vi, parameter.name_en, *aliases))


def without_aliases(apps, schema_editor):
    from envhub.core.text import search_document

    Parameter = apps.get_model("registry", "Parameter")
    for parameter in Parameter.objects.all():
        Parameter.objects.filter(pk=parameter.pk).update(search_text=search_document(
            parameter.code, parameter.name_vi, parameter.name_en))


class Migration(migrations.Migration):
    dependencies = [("registry", "0006_facility_address_street_only")]

    operations = [migrations.RunPython(with_aliases, without_aliases)]
