"""The catalogue: package_search latency over 5,000 generated datasets with facets, and the
download speed of a large dataset against the database's own export of the same rows.

    python -m bench.catalog [--vendor sqlite|postgresql|both] [--datasets 5000]
                            [--rows 1000000] [--requests 200]

Targets (issue 6): package_search p95 under 50 ms on SQLite and PostgreSQL; downloads at least
half the MB/s of the database's own export (sqlite3 `.mode csv` / PostgreSQL `COPY TO`). Also
measured (issue 15): the download form's row count over those rows.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import shutil
import statistics
import subprocess
import sys
import time

from bench import common

WORDS = ["không khí", "nước mặt", "nước thải", "khí thải", "quan trắc", "chất lượng", "bụi mịn",
         "đa dạng sinh học", "chất thải rắn", "hiện trạng", "báo cáo", "trạm", "tỉnh", "sông",
         "hồ", "rừng", "đất", "biển", "ven biển", "công nghiệp"]
QUERIES = ["khong khi", "chat luong nuoc", "quan trac ha noi", "bui min", "dong nai",
           "chat thai ran", "", "song", "bao cao hien trang", "khi thai cong nghiep"]


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def make_datasets(count: int) -> None:
    from envhub.catalog.models import Dataset, Distribution
    from envhub.registry.models import Organisation, OrganisationKind, Province

    rng = random.Random(2026)
    publishers = [Organisation.objects.create(name=f"Đơn vị {n}",
                                              kind=OrganisationKind.MINISTRY_UNIT)
                  for n in range(12)]
    provinces = list(Province.objects.all())
    themes = ["ENVI", "HEAL", "REGI", "ENER", "GOVE", "AGRI"]
    now = datetime.datetime.now(datetime.timezone.utc)
    datasets = []
    for number in range(count):
        words = rng.sample(WORDS, 4)
        province = rng.choice(provinces)
        item = Dataset(
            identifier=f"bo-du-lieu-{number}", provider="bench", provider_key="",
            title_vi=f"{words[0].capitalize()} {words[1]} — {province.name} {number}",
            title_en=f"Dataset {number}", description_vi=" ".join(words) + " " + province.name,
            keywords=words[2:], themes=rng.sample(themes, 2), language=["vi"],
            accrual_periodicity=rng.choice(["DAILY", "HOURLY", "ANNUAL", "IRREG"]),
            publisher=rng.choice(publishers), contact_name="Bench", contact_email="b@e.vn",
            access_class=rng.choice(["open", "open", "open", "shared", "internal"]),
            modified=now - datetime.timedelta(hours=rng.randint(0, 5000)))
        item.save()
        item.provinces.add(province)
        datasets.append(item)
    Distribution.objects.bulk_create([
        Distribution(dataset=item, format=fmt, title=fmt, media_type="text/csv")
        for item in datasets for fmt in rng.sample(["CSV", "JSON", "XLSX", "PARQUET"], 2)],
        batch_size=2000)


def bench_search(requests: int) -> dict:
    from django.test import Client

    client = Client()
    samples = []
    rng = random.Random(7)
    for index in range(requests + 10):
        q = rng.choice(QUERIES)
        params = {"q": q, "rows": "20", "facet.field": '["groups","organization","res_format",'
                  '"tags","license_id"]', "facet.limit": "20"}
        if index % 3 == 0:
            params["fq"] = "res_format:CSV"
        started = time.perf_counter()
        response = client.get("/api/3/action/package_search", params)
        elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, response.content[:300]
        if index >= 10:  # warm-up
            samples.append(elapsed)
    return {"p50": statistics.median(samples), "p95": percentile(samples, 0.95)}


def make_rows(rows: int) -> str:
    """A monitoring dataset of `rows` hourly rollups (one province, ambient air)."""
    from envhub.catalog import services
    from envhub.monitoring.models import HourlyRollup, Series
    from envhub.registry.models import Parameter

    stations = common.create_air_stations(10)
    province = stations[0].province
    stations = [s for s in stations if s.province_id == province.id] or stations[:1]
    parameters = list(Parameter.objects.filter(medium="air").order_by("code")[:8])
    series = Series.objects.bulk_create([Series(station=s, parameter=p)
                                         for s in stations for p in parameters])
    hours = rows // len(series) + 1
    start = datetime.datetime(2025, 1, 1, tzinfo=datetime.timezone.utc)
    batch = []
    made = 0
    for item in series:
        for hour in range(hours):
            if made >= rows:
                break
            batch.append(HourlyRollup(series=item, hour_end=start + datetime.timedelta(
                hours=hour), count=12, valid_count=12, expected_count=12, total=480.0,
                mean=40.0 + hour % 17, minimum=30.0, maximum=50.0, coverage=100.0))
            made += 1
            if len(batch) >= 20000:
                HourlyRollup.objects.bulk_create(batch)
                batch = []
    HourlyRollup.objects.bulk_create(batch)
    from envhub.registry.models import Organisation, OrganisationKind

    if not Organisation.objects.filter(kind=OrganisationKind.MINISTRY_UNIT).exists():
        Organisation.objects.create(name="Trung tâm dữ liệu", kind=OrganisationKind.MINISTRY_UNIT)
    services.sync()
    from envhub.catalog.models import Dataset

    return Dataset.objects.get(provider="monitoring.means", provider_key__endswith=":hourly",
                               provider_key__startswith=province.code).identifier


BASELINE_SQL = (
    "SELECT st.code, st.name, p.code, st.latitude, st.longitude, pa.code, pa.unit, r.hour_end, "
    "r.mean, r.minimum, r.maximum, r.count, r.valid_count, r.expected_count, r.coverage "
    "FROM monitoring_hourlyrollup r JOIN monitoring_series s ON s.id = r.series_id "
    "JOIN registry_station st ON st.id = s.station_id "
    "JOIN registry_province p ON p.id = st.province_id "
    "JOIN registry_parameter pa ON pa.id = s.parameter_id ORDER BY r.series_id, r.hour_end")


def bench_download(identifier: str, vendor: str) -> dict:
    from django.conf import settings
    from django.test import Client

    client = Client()
    started = time.perf_counter()
    response = client.get(f"/datasets/{identifier}/download.csv")
    size = sum(len(chunk) for chunk in response.streaming_content)
    envhub_seconds = time.perf_counter() - started
    database = settings.DATABASES["default"]
    started = time.perf_counter()
    if vendor == "sqlite":
        sqlite = shutil.which("sqlite3")
        if sqlite:
            out = subprocess.run([sqlite, "-csv", "-header", database["NAME"], BASELINE_SQL],
                                 capture_output=True, check=True).stdout
        else:  # the Python module, when the command-line shell is not installed
            import csv
            import io
            import sqlite3

            buffer = io.StringIO()
            writer = csv.writer(buffer)
            for row in sqlite3.connect(database["NAME"]).execute(BASELINE_SQL):
                writer.writerow(row)
            out = buffer.getvalue().encode()
        baseline_size = len(out)
    else:
        import psycopg

        url = os.environ["DATABASE_URL"]
        baseline_size = 0
        with psycopg.connect(url) as connection, connection.cursor() as cursor:
            with cursor.copy(f"COPY ({BASELINE_SQL}) TO STDOUT WITH (FORMAT csv, HEADER)") as copy:
                for block in copy:
                    baseline_size += len(block)
    baseline_seconds = time.perf_counter() - started
    return {"envhub_mb_s": size / envhub_seconds / 1e6, "envhub_mb": size / 1e6,
            "baseline_mb_s": baseline_size / baseline_seconds / 1e6,
            "baseline_mb": baseline_size / 1e6}


def bench_count(identifier: str) -> dict:
    """The download form's row count (rows.json): every row counted (a period from 2000), one
    month, and the whole dataset (the figure the catalogue's sync counted); then the dataset
    page that renders it. The median of 7 requests after one to warm up."""
    from django.test import Client

    client = Client()
    month = {"from": "2025-03-01", "to": "2025-03-31"}
    every = {"from": "2000-01-01"}
    found = {}
    for name, path, query in (("count_all", "rows.json", every),
                              ("count_month", "rows.json", month),
                              ("count_whole", "rows.json", {}), ("page", "", {})):
        samples = []
        for index in range(8):
            started = time.perf_counter()
            response = client.get(f"/datasets/{identifier}/{path}", query)
            assert response.status_code == 200, response.content[:300]
            if index:
                samples.append((time.perf_counter() - started) * 1000)
        found[name] = statistics.median(samples)
    found["rows_all"] = client.get(f"/datasets/{identifier}/rows.json", every).json()["rows"]
    found["rows_month"] = client.get(f"/datasets/{identifier}/rows.json", month).json()["rows"]
    return found


def run(vendor: str, datasets: int, rows: int, requests: int) -> None:
    common.prepare_environment(vendor)
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
    common.setup_django()
    print(f"[{vendor}] generating {datasets:,} datasets …", flush=True)
    make_datasets(datasets)
    search = bench_search(requests)
    print(f"[{vendor}] package_search over {datasets:,} datasets with 5 facets: "
          f"p50 {search['p50']:.1f} ms, p95 {search['p95']:.1f} ms (target p95 < 50 ms)",
          flush=True)
    print(f"[{vendor}] generating {rows:,} hourly rows …", flush=True)
    identifier = make_rows(rows)
    download = bench_download(identifier, vendor)
    ratio = download["envhub_mb_s"] / download["baseline_mb_s"]
    print(f"[{vendor}] CSV download of {rows:,} rows: baseline (database export) "
          f"{download['baseline_mb_s']:.1f} MB/s ({download['baseline_mb']:.0f} MB), envhub "
          f"{download['envhub_mb_s']:.1f} MB/s ({download['envhub_mb']:.0f} MB), ratio "
          f"{ratio:.2f} (target ≥ 0.50)", flush=True)
    count = bench_count(identifier)
    print(f"[{vendor}] row count of the download form: every row counted "
          f"({count['rows_all']:,} rows) {count['count_all']:.1f} ms, one month "
          f"({count['rows_month']:,} rows) {count['count_month']:.1f} ms, the whole dataset "
          f"(the sync's figure) {count['count_whole']:.1f} ms; the dataset page "
          f"{count['page']:.1f} ms (medians of 7)", flush=True)

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vendor", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--datasets", type=int, default=5000)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    print(common.machine())
    vendors = ["sqlite", "postgresql"] if args.vendor == "both" else [args.vendor]
    for vendor in vendors:
        # Each database in its own process: Django is set up once per process.
        subprocess.run([sys.executable, "-m", "bench.catalog", "--vendor", vendor,
                        "--datasets", str(args.datasets), "--rows", str(args.rows),
                        "--requests", str(args.requests)], check=True) \
            if len(vendors) > 1 else run(vendor, args.datasets, args.rows, args.requests)


if __name__ == "__main__":
    main()
