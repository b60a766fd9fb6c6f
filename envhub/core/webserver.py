"""How `envhub run` starts gunicorn, and gunicorn's own refusals in the API's envelope.

Gunicorn answers some requests itself, before Django sees them: a request line or header over
its limits (414, 431) or one it cannot parse (400). It writes an HTML page for those;
`EnvelopeThreadWorker` writes the envelope `{"ok": false, "error": {...}}` instead, so that
every 4xx a client gets has one shape. Its request-line limit is set to the largest gunicorn
takes, above `ENVHUB_MAX_QUERY_BYTES`, so that an address that is merely too long reaches
Django, which names the limit in the caller's language.

Slow clients (a header sent a byte at a time) hold a gunicorn thread each; in production a
reverse proxy that buffers whole requests stands in front (docs/operations.md).
"""

from __future__ import annotations

import sys
from pathlib import Path

from gunicorn import util
from gunicorn.workers.gthread import ThreadWorker

# gunicorn's largest request line (its MAX_REQUEST_LINE) and header field.
REQUEST_LINE_BYTES = 8190
HEADER_FIELD_BYTES = 8190
# A Unix socket's path may have at most 107 bytes (sun_path).
MOST_SOCKET_PATH_BYTES = 100


def gunicorn_command(bind: str, workers: int, var_dir: Path) -> list[str]:
    """The command line of the web server. Its control socket lies in this installation's
    var folder, so that two installations on one machine never share (or delete) it."""
    control = var_dir / "gunicorn.ctl"
    if len(str(control).encode()) <= MOST_SOCKET_PATH_BYTES:
        control_socket = ["--control-socket", str(control)]
    else:
        control_socket = ["--no-control-socket"]  # nothing of envhub uses it
    return [
        sys.executable, "-m", "gunicorn", "envhub.wsgi:application",
        "--bind", bind, "--workers", str(workers),
        "--worker-class", "envhub.core.webserver.EnvelopeThreadWorker", "--threads", "4",
        "--graceful-timeout", "15", "--timeout", "120",
        "--limit-request-line", str(REQUEST_LINE_BYTES),
        "--limit-request-field_size", str(HEADER_FIELD_BYTES),
        *control_socket,
        "--access-logfile", "-", "--error-logfile", "-", "--log-level", "info",
    ]


class _Written:
    """Takes the place of the client's socket while gunicorn writes its error page."""

    def __init__(self):
        self.data = b""

    def gettimeout(self) -> float:
        return 0.0

    def sendall(self, data: bytes) -> None:
        self.data += data


class EnvelopeThreadWorker(ThreadWorker):
    def handle_error(self, req, client, addr, exc):
        written = _Written()
        super().handle_error(req, written, addr, exc)  # logs, and chooses the status
        try:
            answer = _envelope_answer(written.data)
        except Exception:  # noqa: BLE001 - never fail worse than gunicorn would
            answer = written.data
        try:
            util.write_nonblock(client, answer)
        except Exception:  # noqa: BLE001 - the client may be gone
            self.log.debug("Failed to send error message.")


def _envelope_answer(page: bytes) -> bytes:
    """Gunicorn's HTML error answer rewritten as the API's envelope, in the site's language."""
    from django.conf import settings
    from django.utils import translation

    from envhub.core.api_errors import envelope

    status_line = page.split(b"\r\n", 1)[0].decode("latin-1")
    _version, status, reason = status_line.split(" ", 2)
    with translation.override(settings.LANGUAGE_CODE):
        body = envelope(int(status)).content
    head = (f"HTTP/1.1 {status} {reason}\r\nConnection: close\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n")
    return head.encode("latin-1") + body
