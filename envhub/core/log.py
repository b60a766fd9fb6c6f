"""Logging filters."""

from __future__ import annotations

import logging


class RefusalsWithoutTraceback(logging.Filter):
    """A refusal the site means to give (a 4xx: permission denied, a form too large) is one line
    in the log; Django attaches the exception's traceback, which tells an operator nothing."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if status is not None and status < 500:
            record.exc_info = None
            record.exc_text = None
        return True
