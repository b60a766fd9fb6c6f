"""What `envhub check` says of accounts (`core/health.py`)."""

from __future__ import annotations

from django.db import DatabaseError

from envhub.accounts.audit_triggers import missing_audit_triggers
from envhub.core.health import Report, database_check


@database_check
def audit_triggers(report: Report) -> None:
    try:
        missing = missing_audit_triggers()
    except DatabaseError as exc:
        report.error(f"cannot read the audit log's triggers: {exc}".strip())
        return
    if missing:
        report.error(
            f"the audit log is not protected: trigger(s) {', '.join(sorted(missing))} "
            "missing, so its rows could be changed or deleted; run `envhub migrate` "
            "(it puts them back)."
        )
    else:
        report.ok("audit log is append-only (database triggers in place)")
