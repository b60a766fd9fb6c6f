"""The library's import (issue 18): `envhub library import`'s road (`library/importer.py`) on
text PDFs, in documents a minute, beside the bare floor of the same work (each file read,
hashed and copied into a folder, no database); its memory over 1,000 documents (RSS sampled
every 50 documents, then a second import under tracemalloc), which must stay flat; one large
file, whose bytes must never be in memory; and OCR pages a minute (OCRmyPDF with Tesseract
vie+eng, as the worker runs it) beside bare Tesseract on the same pages.

    python -m bench.library_import                       # both databases, 1,000 documents
    python -m bench.library_import --documents 200 --vendor sqlite --ocr-pages 2

`run(args)` is what `python -m bench.library` calls for its import part. PostgreSQL: the
database named by BENCH_POSTGRES (dropped and created again).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from bench import common

SAMPLE_EVERY = 50
CHUNK = 1 << 20


def rss_kib() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def peak_rss_kib() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def write_archive(folder: Path, count: int, prefix: str, bases: list[bytes]) -> Path:
    """`count` text PDFs (the demo's, each made unique by a trailing comment, which PDF readers
    ignore) and their manifest."""
    from envhub.library import samples

    folder.mkdir(parents=True, exist_ok=True)
    rows = []
    for number in range(count):
        name = f"{prefix}-{number:05d}.pdf"
        (folder / name).write_bytes(bases[number % len(bases)]
                                    + f"\n% envhub bench {prefix} {number}\n".encode())
        sample = samples.TEXT_PDFS[number % len(samples.TEXT_PDFS)]
        row = samples.manifest_row(sample)
        row.update(identifier=f"{prefix}-{number:05d}", title=f"{sample.title} ({number})",
                   collection="bench", dossier="", files=name,
                   access_level="public" if sample.access_level == "restricted"
                   else sample.access_level)
        rows.append(row)
    return samples.write_manifest(folder / f"{prefix}.csv", rows)


def baseline_copy(folder: Path, target: Path) -> tuple[int, float]:
    """The floor: every file read once, hashed and written to another folder."""
    target.mkdir(parents=True, exist_ok=True)
    count = 0
    started = time.perf_counter()
    for path in sorted(folder.glob("*.pdf")):
        digest = hashlib.sha256()
        with open(path, "rb") as source, open(target / path.name, "wb") as copy:
            while chunk := source.read(CHUNK):
                digest.update(chunk)
                copy.write(chunk)
            copy.flush()
        count += 1
    return count, time.perf_counter() - started


def import_folder(folder: Path, manifest: Path, trace: bool) -> dict:
    from envhub.core.permissions import system_actor
    from envhub.library import importer

    plan = importer.read_manifest(manifest, folder)
    samples_taken: list[tuple[int, int, int]] = []  # (documents, RSS KiB, traced bytes)

    def sample(outcome) -> None:
        if outcome.done % SAMPLE_EVERY == 0:
            traced = tracemalloc.get_traced_memory()[0] if trace else 0
            samples_taken.append((outcome.done, rss_kib(), traced))

    if trace:
        tracemalloc.start()
    started = time.perf_counter()
    outcome = importer.run(system_actor("bench"), folder, plan, on_row=sample)
    seconds = time.perf_counter() - started
    traced_peak = tracemalloc.get_traced_memory()[1] if trace else 0
    if trace:
        tracemalloc.stop()
    assert outcome.imported == len(plan.rows) and not outcome.failures, outcome.failures[:3]
    return {"documents": outcome.imported, "seconds": seconds, "bytes": outcome.bytes,
            "samples": samples_taken, "traced_peak": traced_peak}


def big_file(folder: Path, megabytes: int) -> dict:
    """One PDF of `megabytes` MB: the import's peak memory must not grow with it."""
    from envhub.library import samples

    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "big.pdf"
    with open(path, "wb") as handle:
        handle.write(samples.text_pdfs(samples.TEXT_PDFS[:1])[0])
        block = b"% padding of a large scan\n" * (CHUNK // 26)
        for _ in range(megabytes):
            handle.write(block)
    samples.write_manifest(folder / "big.csv", [{
        **samples.manifest_row(samples.TEXT_PDFS[0]), "identifier": "BIG-1",
        "collection": "bench", "dossier": "", "files": "big.pdf"}])
    before = rss_kib()
    result = import_folder(folder, folder / "big.csv", trace=True)
    return {"megabytes": path.stat().st_size / 2**20, "seconds": result["seconds"],
            "rss_growth_kib": rss_kib() - before, "traced_peak": result["traced_peak"]}


def ocr(pages: int, work: Path) -> dict:
    """Pages a minute through OCRmyPDF as the worker runs it, and through bare Tesseract."""
    from envhub.library import samples

    if not (shutil.which("ocrmypdf") and shutil.which("tesseract") and shutil.which("pdftoppm")):
        return {"missing": True}
    source = work / "scan.pdf"
    source.write_bytes(samples.scanned_pdf(samples.SCANNED.paragraphs, pages=pages))
    target = work / "scan-searchable.pdf"
    started = time.perf_counter()
    try:  # the worker's own call (library/ocr.py), when the text part is in this build
        from envhub.library.ocr import make_searchable

        make_searchable(source, target)
        road = "library.ocr.make_searchable"
    except ModuleNotFoundError:
        jobs = max(1, (os.cpu_count() or 2) // 2)
        subprocess.run(["ocrmypdf", "--language", "vie+eng", "--output-type", "pdf", "--jobs",
                        str(jobs), "--skip-text", "--quiet", str(source), str(target)],
                       check=True, env={**os.environ, "OMP_THREAD_LIMIT": "1"})
        road = "ocrmypdf command (as library/ocr.py runs it)"
    ocrmypdf_seconds = time.perf_counter() - started
    started = time.perf_counter()
    subprocess.run(["pdftoppm", "-r", str(samples.SCAN_DPI), "-gray", "-png", str(source),
                    str(work / "page")], check=True)
    found = ""
    for image in sorted(work.glob("page-*.png")):
        found += subprocess.run(["tesseract", str(image), "-", "-l", "vie+eng"],
                                capture_output=True, text=True, check=True,
                                env={**os.environ, "OMP_THREAD_LIMIT": "1"}).stdout
    tesseract_seconds = time.perf_counter() - started
    layer = subprocess.run(["pdftotext", str(target), "-"], capture_output=True,
                           text=True, check=True).stdout
    return {"pages": pages, "road": road, "ocrmypdf_seconds": ocrmypdf_seconds,
            "tesseract_seconds": tesseract_seconds,
            "recognised": "sông Đồng Nai" in layer and "sông Đồng Nai" in found}


def run_one(vendor: str, documents: int, big_mb: int, ocr_pages: int) -> dict:
    common.prepare_environment(vendor)
    common.setup_django()
    from envhub.library import samples
    from envhub.library.models import Collection

    Collection.objects.create(code="bench", title="Kho thử")
    work = Path(tempfile.mkdtemp(prefix="envhub-bench-library-"))
    try:
        bases = samples.text_pdfs(samples.TEXT_PDFS)
        first = write_archive(work / "first", documents, "A", bases)
        second = write_archive(work / "second", documents, "B", bases)
        copied, copy_seconds = baseline_copy(work / "first", work / "copies")
        before = rss_kib()
        plain = import_folder(work / "first", first, trace=False)
        traced = import_folder(work / "second", second, trace=True)
        result = {"vendor": vendor, "documents": documents, "copy_seconds": copy_seconds,
                  "copied": copied, "import": plain, "traced": traced, "rss_before": before,
                  "peak_kib": peak_rss_kib(), "file_kib": plain["bytes"] / documents / 1024}
        if big_mb:
            result["big"] = big_file(work / "big", big_mb)
        if ocr_pages:
            result["ocr"] = ocr(ocr_pages, work)
        return result
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _flatness(samples_taken, index: int) -> tuple[float, float, float]:
    """(value after the first tenth, at the end, growth per 100 documents after the first
    tenth) of column `index` of the samples, in MiB."""
    start = samples_taken[max(0, len(samples_taken) // 10 - 1)]
    end = samples_taken[-1]
    per_100 = (end[index] - start[index]) / max(end[0] - start[0], 1) * 100
    scale = 1024 if index == 1 else 2**20
    return start[index] / scale, end[index] / scale, per_100 / scale


def report(r: dict) -> None:
    documents = r["documents"]
    plain, traced = r["import"], r["traced"]
    rate = documents * 60 / plain["seconds"]
    floor = r["copied"] * 60 / r["copy_seconds"]
    rss_start, rss_end, rss_slope = _flatness(plain["samples"], 1)
    tm_start, tm_end, tm_slope = _flatness(traced["samples"], 2)
    rows = [
        ("bare floor: read, hash, copy (no database)", f"{floor:>10,.0f} documents/min"),
        ("envhub library import (text PDFs)",
         f"{rate:>10,.0f} documents/min  ({plain['seconds']:.1f} s, "
         f"{r['file_kib']:.0f} KiB a file)"),
        ("ratio floor / import", f"{floor / rate:.1f}"),
        (f"RSS after {documents // 10} and {documents} documents",
         f"{rss_start:.1f} → {rss_end:.1f} MiB ({rss_slope * 1024:+.0f} KiB per 100 documents)"),
        (f"tracemalloc after {documents // 10} and {documents} documents",
         f"{tm_start:.2f} → {tm_end:.2f} MiB ({tm_slope * 1024:+.0f} KiB per 100 documents, "
         f"peak {traced['traced_peak'] / 2**20:.2f} MiB)"),
        ("import under tracemalloc",
         f"{documents * 60 / traced['seconds']:>10,.0f} documents/min"),
        ("peak RSS of the process (VmHWM)", f"{r['peak_kib'] / 1024:.1f} MiB"),
    ]
    if "big" in r:
        big = r["big"]
        rows.append((f"one {big['megabytes']:.0f} MB file",
                     f"{big['seconds']:.1f} s, RSS growth {big['rss_growth_kib'] / 1024:.1f} "
                     f"MiB, tracemalloc peak {big['traced_peak'] / 2**20:.2f} MiB"))
    if "ocr" in r:
        o = r["ocr"]
        if o.get("missing"):
            rows.append(("OCR", "ocrmypdf, tesseract or pdftoppm missing: not measured"))
        else:
            road = o["pages"] * 60 / o["ocrmypdf_seconds"]
            bare = o["pages"] * 60 / o["tesseract_seconds"]
            rows += [(f"OCR, {o['road']}", f"{road:>10,.1f} pages/min "
                      f"({o['pages']} pages, {o['ocrmypdf_seconds']:.1f} s)"),
                     ("OCR, bare pdftoppm + tesseract one page at a time",
                      f"{bare:>10,.1f} pages/min ({o['tesseract_seconds']:.1f} s)"),
                     ("ratio bare / OCRmyPDF", f"{bare / road:.2f}"),
                     ("the scan's words found in both", str(o["recognised"]))]
    common.report(f"{r['vendor']}: {documents:,} text PDFs", rows)


def run(args) -> None:
    """The import part of the library's benchmark: args has documents, vendor, big_mb and
    ocr_pages (as this module's own command line gives them)."""
    vendors = ["sqlite", "postgresql"] if args.vendor == "both" else [args.vendor]
    print(f"bench.library_import — {args.documents:,} documents — {common.machine()}")
    for vendor in vendors:
        # A fresh process per database: Django's settings are fixed once it starts.
        output = subprocess.run(
            [sys.executable, "-m", "bench.library_import", "--child", "--vendor", vendor,
             "--documents", str(args.documents), "--big-mb", str(args.big_mb),
             "--ocr-pages", str(args.ocr_pages if vendor == vendors[0] else 0)],
            cwd=common.ROOT, capture_output=True, text=True, check=False)
        if output.returncode != 0:
            print(output.stdout, output.stderr, file=sys.stderr)
            raise SystemExit(f"bench.library_import failed on {vendor}")
        report(json.loads(output.stdout.strip().splitlines()[-1]))


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=1000)
    parser.add_argument("--vendor", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--big-mb", type=int, default=200,
                        help="Size of the one large file (0: none).")
    parser.add_argument("--ocr-pages", type=int, default=4,
                        help="Pages of the scan OCR'd (0: no OCR), on the first database.")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    return parser


def main() -> None:
    args = parser().parse_args()
    if args.child:
        print(json.dumps(run_one(args.vendor, args.documents, args.big_mb, args.ocr_pages)))
        return
    run(args)


if __name__ == "__main__":
    main()
