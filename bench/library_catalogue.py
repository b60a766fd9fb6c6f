"""The library in the catalogue's sync (issue 18): with 1,000 public documents, the sync that
refreshes every document's dataset (the baseline: `sync(full=True)`, what every run cost
before the library's provider became incremental) beside the sync after one document changed
(a new file noted: that document's dataset alone is refreshed) and after nothing changed.
Every sync also refreshes the catalogue's other providers in full; they are the floor.

    python -m bench.library --part catalogue [--vendor sqlite|postgresql|both]
                                             [--documents 1000] [--runs 20]

PostgreSQL: the database named by BENCH_POSTGRES (dropped and created again).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

from bench import common


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def make_documents(count: int) -> list:
    """`count` public documents, each with one original (rows only: the sync reads no bytes)."""
    from envhub.library.models import Collection, Document, DocumentFile
    from envhub.registry.models import Organisation, OrganisationKind, Province

    if not Organisation.objects.filter(kind=OrganisationKind.MINISTRY_UNIT).exists():
        Organisation.objects.create(name="Trung tâm dữ liệu", kind=OrganisationKind.MINISTRY_UNIT)
    collection = Collection.objects.create(code="phong-bench", title="Phông đo")
    provinces = list(Province.objects.order_by("code")[:34])
    documents = Document.objects.bulk_create([
        Document(collection=collection, identifier=f"TL-{n:05d}", title=f"Báo cáo số {n}",
                 subjects=["môi trường", "quan trắc"], access_level="public", year=2020 + n % 6)
        for n in range(count)])
    DocumentFile.objects.bulk_create([
        DocumentFile(document=document, version=1, role="original", name=f"tl-{n}.pdf",
                     storage_name=f"bench/tl-{n}.pdf", size=1000 + n, sha256=f"{n:064x}",
                     media_type="application/pdf") for n, document in enumerate(documents)])
    Through = Document.provinces.through
    Through.objects.bulk_create([Through(document_id=document.pk,
                                         province_id=provinces[n % len(provinces)].pk)
                                 for n, document in enumerate(documents)])
    return documents


def _timed(call) -> tuple[float, object]:
    started = time.perf_counter()
    result = call()
    return (time.perf_counter() - started) * 1000, result


def run(vendor: str, documents: int, runs: int) -> None:
    common.prepare_environment(vendor)
    common.setup_django()
    from envhub.catalog import services
    from envhub.catalog.models import Dataset
    from envhub.library.models import DocumentFile

    shelf = make_documents(documents)
    first, report = _timed(lambda: services.sync(full=True))
    offered = Dataset.objects.filter(provider="library.documents", withdrawn=False).count()
    print(f"{vendor}: {documents} public documents, {offered} library datasets "
          f"(first sync, creating them: {first / 1000:.1f} s)")
    full = [_timed(lambda: services.sync(full=True))[0] for _ in range(max(2, runs // 10))]
    idle = [_timed(services.sync)[0] for _ in range(runs)]
    one = []
    for number in range(runs):
        document = shelf[(number * 37) % len(shelf)]
        DocumentFile.objects.create(
            document=document, version=2 + number, role="original", name="moi.pdf",
            storage_name=f"bench/moi-{number}.pdf", size=10, sha256=f"{number:064x}",
            media_type="application/pdf")  # noted by the library's signal
        elapsed, report = _timed(services.sync)
        assert report.refreshed >= 1 and not report.problems, report
        one.append(elapsed)
    for label, samples in (("full sync (baseline)", full), ("one document changed", one),
                           ("nothing changed", idle)):
        print(f"  {label:22} median {statistics.median(samples):8.1f} ms   "
              f"p95 {percentile(samples, 0.95):8.1f} ms   max {max(samples):8.1f} ms   "
              f"({len(samples)} runs)")
    print(f"  ratio full / one changed: median "
          f"{statistics.median(full) / statistics.median(one):.1f}×, p95 "
          f"{percentile(full, 0.95) / percentile(one, 0.95):.1f}×;   library's share of "
          f"one change: {statistics.median(one) - statistics.median(idle):.1f} ms")


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vendor", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--documents", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=20)
    return parser


def main(args) -> None:
    print(common.machine())
    vendors = ["sqlite", "postgresql"] if args.vendor == "both" else [args.vendor]
    for vendor in vendors:
        if len(vendors) > 1:  # each database in its own process: Django is set up once
            subprocess.run([sys.executable, "-m", "bench.library_catalogue", "--vendor", vendor,
                            "--documents", str(args.documents), "--runs", str(args.runs)],
                           check=True)
        else:
            run(vendor, args.documents, args.runs)


if __name__ == "__main__":
    main(parser().parse_args())
