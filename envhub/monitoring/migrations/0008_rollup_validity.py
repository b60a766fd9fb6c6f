"""Hourly and daily rollups record whether they are valid (`core.completeness`).

The hours' flags are set here, in one statement per reporting interval, so that the VN_AQI and
the QCVN 05 comparison read them right at once; the days (whose mean now averages valid hours
only) are recomputed by the worker's `revalidate-rollups` job (`monitoring.revalidation`),
which walks the series a slice at a time.
"""

from django.db import migrations, models


def flag_valid_hours(apps, schema_editor):
    from django.conf import settings

    from envhub.core import completeness

    share = settings.ENVHUB_COMPLETENESS.hour_share
    hourly = apps.get_model("monitoring", "HourlyRollup").objects
    for expected in hourly.values_list("expected_count", flat=True).distinct():
        hourly.filter(expected_count=expected,
                      valid_count__gte=completeness.needed(expected, share)).update(valid=True)


class Migration(migrations.Migration):

    dependencies = [
        ('monitoring', '0007_batch_sha256_head'),
    ]

    operations = [
        migrations.AddField(
            model_name='dailyrollup',
            name='valid',
            field=models.BooleanField(db_default=False, default=False),
        ),
        migrations.AddField(
            model_name='hourlyrollup',
            name='valid',
            field=models.BooleanField(db_default=False, default=False),
        ),
        migrations.RunPython(flag_valid_hours, migrations.RunPython.noop),
    ]
