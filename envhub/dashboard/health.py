"""What `envhub check` says of the reports (`core/health.py`): whether the PDF can be made at
all here (WeasyPrint's Pango, the Noto fonts), and reports waiting long (no worker running)."""

from __future__ import annotations

import datetime

from django.db import DatabaseError
from django.utils import timezone

from envhub.core.health import Report, database_check

LONG_WAIT = datetime.timedelta(minutes=15)
FONTS = ("Noto Sans", "Noto Serif")


def missing_fonts() -> list[str]:
    """The report's font families fontconfig cannot find (it would substitute another, without
    some Vietnamese glyphs, silently)."""
    import subprocess

    missing = []
    for family in FONTS:
        try:
            found = subprocess.run(["fc-list", f"{family}:style=Regular", "family"],
                                   capture_output=True, text=True, timeout=10).stdout
        except (OSError, subprocess.SubprocessError):
            return list(FONTS)
        if family not in found:
            missing.append(family)
    return missing


@database_check
def reports_can_be_made(report: Report) -> None:
    from envhub.dashboard.models import Report as StoredReport
    from envhub.dashboard.models import ReportStatus

    try:
        import weasyprint  # noqa: F401 - loads Pango through cffi
    except (ImportError, OSError) as error:
        report.error(f"reports: WeasyPrint cannot start ({error}); install the Debian packages "
                     "of `scripts/system-deps.sh base` (libpango-1.0-0, libpangoft2-1.0-0).")
        return
    missing = missing_fonts()
    if missing:
        report.error(f"reports: fonts not found: {', '.join(missing)}; install the Debian "
                     "package fonts-noto-core (`scripts/system-deps.sh base`).")
    try:
        waiting = StoredReport.objects.filter(status=ReportStatus.QUEUED,
                                              created_at__lt=timezone.now() - LONG_WAIT).count()
    except DatabaseError:
        return  # reported as pending migrations
    if waiting:
        report.warn(f"reports waiting over 15 minutes: {waiting}; is `envhub worker` running?")
    elif not missing:
        report.ok("reports: WeasyPrint and the Noto fonts are there; none waiting long")
