"""What the site's number formats cost an XLSX download (docs/formatting.md): rows of the
hourly-rollups dataset's shape (4 number columns of 11) through `catalog.downloads.xlsx_file`,
with and without the number formats, in turn; CPU time of this process, best of `--repeat`.

    python -m bench.xlsx_numbers [--rows 100000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import random
import time


def _rows(count: int) -> list[tuple]:
    rng = random.Random(1)
    return [("HN_KK_01", f"2026-01-01T{hour % 24:02d}:00:00+07:00", "PM2_5", "µg/m3",
             rng.uniform(0, 200), rng.uniform(0, 50), rng.uniform(50, 500), 12, 11, 12,
             rng.uniform(50, 100)) for hour in range(count)]


def measure(rows: int, repeat: int) -> dict[str, list[float]]:
    from envhub.catalog import downloads
    from envhub.core.providers import Column
    from envhub.core.spreadsheets import DataSheet

    columns = [Column(name, kind, "") for name, kind in (
        ("station", "string"), ("time", "string"), ("parameter", "string"), ("unit", "string"),
        ("mean", "number"), ("minimum", "number"), ("maximum", "number"),
        ("count", "integer"), ("valid_count", "integer"), ("expected_count", "integer"),
        ("coverage", "number"))]
    data = _rows(rows)
    kinds = {"without number formats": lambda sheet, numbers=None: DataSheet(sheet),
             "with number formats": DataSheet}
    spent: dict[str, list[float]] = {name: [] for name in kinds}
    try:
        for _ in range(repeat):
            for name, kind in kinds.items():
                downloads.DataSheet = kind
                started = time.process_time()
                downloads.xlsx_file(columns, iter(data), "data").close()
                spent[name].append(time.process_time() - started)
    finally:
        downloads.DataSheet = DataSheet
    return spent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "envhub.settings")
    import django

    django.setup()
    for name, spent in measure(options.rows, options.repeat).items():
        print(f"{name}: {options.rows:,} rows x 11 columns, CPU best {min(spent):.2f} s "
              f"({', '.join(f'{t:.2f}' for t in spent)}); load {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
