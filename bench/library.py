"""The library: search latency over generated documents of about 20 pages of Vietnamese text
each, against the bare full-text query of the same engine on the same data in the same run.

    python -m bench.library [--vendor sqlite|postgresql|both] [--documents 10000]
                            [--pages 20] [--requests 200]

envhub's figure is `library.search.search()` as the home page and the API call it: the access
rule, the facets over every match, the order, one page of 20 and its snippets. The baseline is
the engine alone: `SELECT rowid … MATCH ? ORDER BY rank LIMIT 20` (FTS5, BM25) or `… WHERE
all_vec @@ q [AND the phrase's <-> check] ORDER BY ts_rank(all_vec, q) DESC LIMIT 20`
(PostgreSQL). Target (issue 18): p95
under 100 ms and within 2× the baseline.

    python -m bench.library --part import [--documents 1000] [--big-mb 200] [--ocr-pages 4]

runs the other half of issue 18's benchmark, `bench/library_import.py`: import throughput of
text PDFs, OCR pages a minute and the import's memory over 1,000 documents.

    python -m bench.library --part catalogue [--documents 1000] [--runs 20]

times the catalogue's sync with 1,000 public documents, in full and after one document
changed (`bench/library_catalogue.py`).
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import statistics
import subprocess
import sys
import time

from bench import common

SYLLABLES = ("môi trường nước không khí đất rừng biển sông hồ quan trắc chất lượng thải rắn "
             "khí bụi mịn tiếng ồn phóng xạ đa dạng sinh học hiện trạng báo cáo kết quả điểm "
             "trạm tỉnh thành phố huyện xã khu công nghiệp nhà máy cơ sở doanh nghiệp dự án "
             "đánh giá tác động giấy phép xử lý nồng độ quy chuẩn vượt ngưỡng mẫu phân tích "
             "thông số nhiệt độ độ ẩm mưa lũ hạn hán xâm nhập mặn sạt lở bờ biển năng lượng "
             "tái tạo điện gió mặt trời than đá xi măng thép dệt may chế biến thủy sản nông "
             "nghiệp phân bón thuốc bảo vệ thực vật nước ngầm giếng khoan hồ chứa đập thủy "
             "điện lưu vực đồng bằng miền núi đô thị nông thôn dân cư sức khỏe cộng đồng").split()
QUERIES = [("dong nai", {}), ("chat luong nuoc", {}), ('"quan trac moi truong"', {}),
           ("xam nhap man", {}), ("thuy san", {"type": ["survey_report"]}), ("nuoc", {}),
           ("nha may xi mang", {}), ("han han", {"year": ["2020"]}), ("bui min ha noi", {}),
           ("phong*", {}), ("giay phep", {"access_level": ["public"]}), ("tram quan trac", {})]
TYPES = ["state_of_environment", "survey_report", "monitoring_report", "legal", "eia", "map"]


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def _vocabulary(rng: random.Random) -> tuple[list[str], list[float]]:
    words = list(dict.fromkeys(SYLLABLES))
    words += [f"{a} {b}" for a, b in zip(rng.choices(words, k=3000), rng.choices(words, k=3000),
                                         strict=True)]
    weights = [1 / (rank + 1) for rank in range(len(words))]  # Zipf: a few words everywhere
    return words, list(__import__("itertools").accumulate(weights))


def make_library(documents: int, pages: int) -> float:
    """The documents and their texts, then the index rebuilt; the indexing time in seconds."""
    from envhub.library import search
    from envhub.library.models import Collection, Document, DocumentText
    from envhub.registry.models import Organisation, OrganisationKind, Province

    rng = random.Random(2026)
    words, weights = _vocabulary(rng)
    provinces = list(Province.objects.all())
    organisations = [Organisation.objects.create(name=f"Sở {n}", kind=OrganisationKind
                                                 .PROVINCIAL_DEPARTMENT) for n in range(10)]
    collections = [Collection.objects.create(code=f"phong-{n}", title=f"Phông {n}")
                   for n in range(6)]
    bodies = [f"Sở Tài nguyên và Môi trường {province.name}" for province in provinces[:30]]
    Through = Document.provinces.through
    Allowed = Document.allowed_organisations.through
    started = time.perf_counter()
    for first in range(0, documents, 500):
        batch = []
        for number in range(first, min(documents, first + 500)):
            province = rng.choice(provinces)
            year = rng.randint(2000, 2025)
            title = " ".join(rng.choices(words, cum_weights=weights, k=6)).capitalize()
            batch.append(Document(
                collection=rng.choice(collections), identifier=f"TL-{number:06d}",
                title=f"{title} {province.name} {year}", type=rng.choice(TYPES),
                issuing_body=rng.choice(bodies), issued_on=datetime.date(year, 6, 1), year=year,
                subjects=rng.sample(SYLLABLES, 3), description=" ".join(
                    rng.choices(words, cum_weights=weights, k=40)),
                access_level=rng.choices(["public", "internal", "restricted"], [7, 2, 1])[0]))
        saved = Document.objects.bulk_create(batch)
        Through.objects.bulk_create([Through(document_id=item.pk,
                                             province_id=rng.choice(provinces).pk)
                                     for item in saved])
        Allowed.objects.bulk_create([Allowed(document_id=item.pk,
                                             organisation_id=rng.choice(organisations).pk)
                                     for item in saved if item.access_level == "restricted"])
        DocumentText.objects.bulk_create([DocumentText(
            document=item, version=1, pages=pages, method="text_layer",
            content="\n\f".join(". ".join(" ".join(rng.choices(words, cum_weights=weights,
                                                                 k=12)).capitalize()
                                          for _ in range(20)) for _ in range(pages)))
            for item in saved])
        print(f"  {first + len(batch)} documents generated", flush=True)
    print(f"generated in {time.perf_counter() - started:.0f} s", flush=True)
    started = time.perf_counter()
    search.rebuild(batch=500)
    return time.perf_counter() - started


def _baseline(query_text: str) -> None:
    from django.db import connection

    from envhub.library import search, search_postgres, search_sqlite
    from envhub.library.search_query import parse

    query = parse(query_text)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The engine's own condition: the words in the GIN index, and a phrase checked with
            # `<->` in the positional vectors (before, the baseline left phrases unchecked and
            # so answered another query: documents holding the words anywhere).
            condition, params = search_postgres._condition(query, "all")
            cursor.execute(f"SELECT document_id FROM library_search WHERE {condition} ORDER BY "
                           "ts_rank(all_vec, to_tsquery('simple', %s)) DESC LIMIT 20",
                           [*params, search_postgres._tsquery(query)])
        else:
            cursor.execute(f"SELECT rowid FROM {search_sqlite.TABLE} WHERE "
                           f"{search_sqlite.TABLE} MATCH %s ORDER BY rank LIMIT 20",
                           [search_sqlite._expression(query)])
        cursor.fetchall()
    assert search  # the same modules as envhub's path


def _reuse(vendor: str, where: str) -> None:
    """Point envhub at the installation of an earlier run (its var folder on SQLite; on
    PostgreSQL the database is kept as that run left it)."""
    import os

    os.environ["DJANGO_SETTINGS_MODULE"] = "envhub.settings"
    if vendor == "postgresql":
        os.environ["DATABASE_URL"] = common.PG_URL
    else:
        os.environ.pop("DATABASE_URL", None)
        os.environ["ENVHUB_VAR_DIR"] = where
    common.setup_django(migrate=False)


def run(vendor: str, documents: int, pages: int, requests: int, reuse: str = "") -> None:
    if reuse:
        _reuse(vendor, reuse)
    else:
        common.prepare_environment(vendor)
        common.setup_django()
    from django.contrib.auth import get_user_model

    from envhub.core.permissions import ANONYMOUS, actor_for_user
    from envhub.library import search
    from envhub.library.models import Document, DocumentText

    indexing = make_library(documents, pages) if not reuse else 0.0
    documents = Document.objects.count()
    admin, _created = get_user_model().objects.get_or_create(
        username="bench-admin", defaults={"is_superuser": True, "is_staff": True})
    readers = [actor_for_user(admin), ANONYMOUS]
    size = sum(len(text) for text in DocumentText.objects.values_list("content", flat=True)
               .iterator(chunk_size=500)) / documents
    print(f"{vendor}: {documents} documents, {size / 1000:.0f} kB of text each; "
          + (f"index rebuilt in {indexing:.0f} s ({documents / indexing:.0f} documents/s)"
             if indexing else "the installation of an earlier run"))
    load_before = os.getloadavg()
    ours, bare, matches = [], [], []
    for number in range(requests):
        text, filters = QUERIES[number % len(QUERIES)]
        reader = readers[number % 2]
        started = time.perf_counter()
        results = search.search(reader, text, search.Filters(**filters), limit=20)
        ours.append((time.perf_counter() - started) * 1000)
        matches.append(results.total)
        started = time.perf_counter()
        _baseline(text)
        bare.append((time.perf_counter() - started) * 1000)
    load_after = os.getloadavg()
    for label, samples in (("envhub search", ours), ("bare engine query", bare)):
        print(f"  {label:18} p50 {statistics.median(samples):7.1f} ms   "
              f"p95 {percentile(samples, 0.95):7.1f} ms   max {max(samples):7.1f} ms")
    print(f"  ratio p95 {percentile(ours, 0.95) / percentile(bare, 0.95):.2f}×   "
          f"(matches per query: median {statistics.median(matches):.0f}, "
          f"max {max(matches)})")
    print(f"  load average (1, 5, 15 min) before {_load(load_before)}, after {_load(load_after)}")
    print(f"    {'query':28} {'envhub p95':>10} {'bare p95':>10} {'ratio':>6}")
    for text, _filters in QUERIES:
        picked = [n for n in range(requests) if QUERIES[n % len(QUERIES)][0] == text]
        mine = percentile([ours[n] for n in picked], 0.95)
        theirs = percentile([bare[n] for n in picked], 0.95)
        print(f"    {text!r:28} {mine:7.1f} ms {theirs:7.1f} ms {mine / theirs:5.2f}×")


def _load(values: tuple[float, float, float]) -> str:
    return " / ".join(f"{value:.1f}" for value in values)


def main() -> None:
    part = argparse.ArgumentParser(add_help=False)
    part.add_argument("--part", choices=["search", "import", "catalogue"], default="search")
    chosen, rest = part.parse_known_args()
    if chosen.part == "catalogue":
        from bench import library_catalogue

        library_catalogue.main(library_catalogue.parser().parse_args(rest))
        return
    if chosen.part == "import":
        from bench import library_import

        library_import.run(library_import.parser().parse_args(rest))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=["search", "import", "catalogue"], default="search")
    parser.add_argument("--vendor", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--documents", type=int, default=10_000)
    parser.add_argument("--pages", type=int, default=20)
    parser.add_argument("--requests", type=int, default=240)
    parser.add_argument("--reuse", default="", metavar="VAR_DIR",
                        help="time the search only, over an earlier run's installation (its "
                             "var folder on SQLite; any value on PostgreSQL: its database)")
    args = parser.parse_args()
    print(common.machine())
    vendors = ["sqlite", "postgresql"] if args.vendor == "both" else [args.vendor]
    for vendor in vendors:
        if len(vendors) > 1:  # each database in its own process: Django is set up once
            subprocess.run([sys.executable, "-m", "bench.library", "--vendor", vendor,
                            "--documents", str(args.documents), "--pages", str(args.pages),
                            "--requests", str(args.requests), "--reuse", args.reuse],
                           check=True)
        else:
            run(vendor, args.documents, args.pages, args.requests, args.reuse)


if __name__ == "__main__":
    main()
