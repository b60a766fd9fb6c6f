"""What `envhub check` says of the bulletins' press kit (`core/health.py`): whether its PNG
pictures can be drawn here (poppler's pdftoppm after WeasyPrint; the reports' own check
covers WeasyPrint and the fonts). Without it the kit still offers SVG and XLSX."""

from __future__ import annotations

import shutil

from envhub.core.health import Report, database_check


@database_check
def press_kit_pictures(report: Report) -> None:
    from envhub.news import presskit

    if shutil.which(presskit.PDFTOPPM) is None:
        report.warn("bulletins: pdftoppm not found, so the press kit's charts cannot be had as "
                    "PNG (SVG still can); install poppler-utils (`scripts/system-deps.sh base`).")
    else:
        report.ok("bulletins: pdftoppm is there for the press kit's PNG charts")
