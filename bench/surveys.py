"""Validation of a survey upload against reading it: a file of periodic monitoring results
(16 columns) as XLSX and as CSV, validated by `surveys.validation.validate`, against a baseline
that only reads the same file (openpyxl read-only iteration; the `csv` module over the decoded
text), in turn in one run. Prints rows/s of each, their ratio (target ≥ 0.5; also by the CPU
time of the process, steadier on a shared machine) and the peak
memory Python allocated during validation (tracemalloc, in a run of its own; target < 200 MB),
plus the peak of Arrow's memory pool (a CSV's first pass, `surveys/columnar.py`).

No database is read: the registry's codes are built here as `validate` takes them (sets), from
the registry's parameter file and the file's own sites — loading them from the database is one
query per table, once per upload.

    python -m bench.surveys [--rows 100000] [--repeat 2] [--only csv|xlsx]
"""

from __future__ import annotations

import argparse
import csv
import datetime
import json
import os
import time
import tracemalloc
from pathlib import Path

HEADER = ["Mã điểm quan trắc", "Tên điểm quan trắc", "Mã tỉnh", "Vĩ độ (°)", "Kinh độ (°)",
          "Ngày lấy mẫu", "Giờ lấy mẫu", "Thành phần môi trường", "Thông số", "Giá trị",
          "Đơn vị", "Dưới giới hạn phát hiện", "Giới hạn phát hiện", "Phương pháp",
          "Phòng thí nghiệm", "Số hiệu VIMCERTS"]
_PARAMETERS = [("air", "PM10", "µg/m3"), ("air", "SO2", "µg/m3"), ("air", "NO2", "µg/m3"),
               ("water", "pH", ""), ("water", "COD", "mg/L"), ("water", "TSS", "mg/L"),
               ("water", "BOD5", "mg/L"), ("air", "CO", "µg/m3")]
SITES = 250


def site(number: int) -> str:
    return f"DK{number:04d}"


def rows(count: int, *, text: bool):
    """`count` valid rows; `text`: cells as a CSV holds them (dates dd/mm/yyyy, decimal
    commas), else as typed XLSX cells."""
    start = datetime.date(2026, 1, 1)
    for index in range(count):
        medium, parameter, unit = _PARAMETERS[index % len(_PARAMETERS)]
        number = index // len(_PARAMETERS)
        day = start + datetime.timedelta(days=number // SITES % 360)
        hour = datetime.time(7 + number // (SITES * 360) % 12, 0)
        value = 10 + (index * 7919) % 500 / 10
        lat, lon = 21.0 + (number % SITES) / 1000, 105.8 + (number % SITES) / 1000
        below = index % 97 == 0
        if text:
            yield [site(number % SITES), f"Điểm quan trắc số {number % SITES}", "01",
                   f"{lat:.4f}".replace(".", ","), f"{lon:.4f}".replace(".", ","),
                   day.strftime("%d/%m/%Y"), hour.strftime("%H:%M"), medium, parameter,
                   "" if below else f"{value:.1f}".replace(".", ","), unit,
                   "<LOD" if below else "", "0,5" if below else "", "TCVN 6492:2011",
                   "Trung tâm Quan trắc môi trường miền Bắc", "VIMCERTS 024"]
        else:
            yield [site(number % SITES), f"Điểm quan trắc số {number % SITES}", "01", lat, lon,
                   datetime.datetime.combine(day, datetime.time(0)), hour, medium, parameter,
                   None if below else value, unit, "<LOD" if below else None,
                   0.5 if below else None, "TCVN 6492:2011",
                   "Trung tâm Quan trắc môi trường miền Bắc", "VIMCERTS 024"]


def csv_file(path: Path, count: int) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(rows(count, text=True))
    return path


def xlsx_file(path: Path, count: int) -> Path:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Dữ liệu")
    sheet.append(HEADER)
    for row in rows(count, text=False):
        sheet.append(row)
    workbook.save(path)
    return path


def registry_codes():
    """The codes `validate` checks the file against, as it would load them."""
    from envhub.surveys.codes import RegistryCodes

    data = Path(__file__).resolve().parent.parent / "envhub" / "registry" / "data"
    parameters = json.loads((data / "parameters.json").read_text(encoding="utf-8"))
    parameters = parameters.get("parameters", parameters) if isinstance(parameters, dict) \
        else parameters
    return RegistryCodes(
        keys={("registry:province", ("code",)): {(f"{code:02d}",) for code in range(1, 100)},
              ("registry:station", ("code",)): {(site(number),) for number in range(SITES)},
              ("registry:parameter", ("medium", "code")): {
                  (p["medium"], p["code"]) for p in parameters}},
        parameter_units={(p["medium"], p["code"]): p["unit"] for p in parameters})


def read_baseline(path: Path) -> int:
    """Rows the baseline reads: every cell of every row, nothing checked."""
    if path.suffix == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as handle:
            return sum(1 for _ in csv.reader(handle)) - 1
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True)
    try:
        return sum(1 for _ in workbook.worksheets[0].iter_rows(values_only=True)) - 1
    finally:
        workbook.close()


def validate_file(path: Path, codes, max_rows: int):
    from envhub.surveys import tableschema, validation

    with path.open("rb") as handle:
        return validation.validate(handle, tableschema.built_in("periodic_results"), codes,
                                   max_rows=max_rows)


def measure(path: Path, codes, repeat: int) -> dict:
    """Rows/s of reading and of validating, best of `repeat` each, by the clock and by the
    CPU time of this process (steadier than the clock on a machine others share)."""
    best_read = best_check = cpu_read = cpu_check = float("inf")
    report = None
    for _ in range(repeat):
        started, cpu = time.perf_counter(), time.process_time()
        count = read_baseline(path)
        best_read = min(best_read, time.perf_counter() - started)
        cpu_read = min(cpu_read, time.process_time() - cpu)
        started, cpu = time.perf_counter(), time.process_time()
        report = validate_file(path, codes, max_rows=count + 1)
        best_check = min(best_check, time.perf_counter() - started)
        cpu_check = min(cpu_check, time.process_time() - cpu)
    # Memory in a run of its own: tracemalloc slows Python down several times.
    tracemalloc.start()
    validate_file(path, codes, max_rows=count + 1)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    # Arrow's buffers (a CSV's first pass, surveys/columnar.py) are not Python's: its pool's
    # own peak, over the whole run.
    import pyarrow

    arrow = pyarrow.default_memory_pool().max_memory() or 0
    return {"arrow_mb": arrow / 1e6, "rows": count, "read": count / best_read,
            "validate": count / best_check, "cpu_read": count / cpu_read,
            "cpu_validate": count / cpu_check,
            "peak_mb": peak / 1e6, "errors": report.error_count, "checked": report.rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--only", choices=("csv", "xlsx"), help="one kind of file only")
    options = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "envhub.settings")
    import tempfile

    import django

    django.setup()
    codes = registry_codes()
    with tempfile.TemporaryDirectory() as folder:
        for maker, name in ((csv_file, "results.csv"), (xlsx_file, "results.xlsx")):
            if options.only and not name.endswith(options.only):
                continue
            path = maker(Path(folder) / name, options.rows)
            found = measure(path, codes, options.repeat)
            print(f"{name}: {found['rows']:,} rows, {path.stat().st_size / 1e6:.1f} MB; "
                  f"read only {found['read']:,.0f} rows/s, validated {found['validate']:,.0f} "
                  f"rows/s, ratio {found['validate'] / found['read']:.2f} (CPU time: "
                  f"{found['cpu_read']:,.0f} against {found['cpu_validate']:,.0f} rows/s, "
                  f"ratio {found['cpu_validate'] / found['cpu_read']:.2f}); peak "
                  f"{found['peak_mb']:.1f} MB (tracemalloc) + Arrow's "
                  f"{found['arrow_mb']:.1f} MB; {found['checked']:,} rows checked, "
                  f"{found['errors']} errors; load {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
