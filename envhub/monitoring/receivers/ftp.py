"""The FTP receiver (`envhub ftp`, on pyftpdlib): dataloggers upload TT10 files.

Accounts: one per facility. The user name is the facility's tax code (`0100109106`, or the 13
digits of a branch; `0100109106-001` is read too), the password one of the API tokens issued for
that facility (`envhub token create --facility TAXCODE`). Failed logins go to the audit log like
the web's and count toward the same rule (`ftp_logins`).

Folders: each facility is jailed in `<root>/<taxcode>/`, created at its first login, and sees
nothing else. It may create sub-folders — dataloggers use layouts such as
`/<station>/<yyyy>/<MM>/<dd>/` — and upload there; the station is taken from the file name,
never from the folder (docs/domain/tt10.md §3).

Uploads: only `.txt` files, sent whole with STOR (no APPE, no resume, no STOU). A file is
written under a hidden temporary name and, once the upload completes (the client has had its
226), handed to the ingestion service as the facility, on channel FTP; then it is deleted: its
bytes are archived with its batch, and its report is in `GET /api/v1/batches`. If the database
fails, the file is kept under its own name and the worker's `ftp-sweep` job ingests it later
(`sweep`), so the worker must see the same folder as the receiver.

Limits: an upload is cut off as soon as it passes ENVHUB_MAX_FILE_BYTES (a 10 GB upload never
reaches the disk); at most MAX_WAITING_FILES files and MAX_FOLDERS folders per facility;
MAX_CONNECTIONS connections, MAX_CONNECTIONS_PER_IP from one address, MAX_LOGIN_ATTEMPTS
attempts per connection with a delay after each failure; a connection must log in soon after it
opens, and an address may have only a few waiting to (`ftp_logins`). The server runs one thread per
connection, so a slow database holds back only the datalogger whose file is being written.
"""

from __future__ import annotations

import dataclasses
import errno
import logging
import os
import secrets
import threading
import time
import warnings
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, close_old_connections, connections
from django.utils import timezone
from django.utils.translation import gettext as _

from envhub.core.permissions import Actor
from envhub.monitoring import ingest
from envhub.monitoring.models import Channel
from envhub.monitoring.receivers.ftp_logins import (
    MAX_WAITING_LOGINS_PER_IP,
    TAX_CODE_SHAPE,
    LoginGuard,
    Refused,
    WaitingLogins,
    authenticate,
    tax_code_of,
)

with warnings.catch_warnings():
    # pyftpdlib is built on asyncore/asynchat, deprecated in Python 3.11 (on 3.12+ it installs
    # their maintained copies, pyasyncore and pyasynchat): nothing for envhub to act on.
    warnings.simplefilter("ignore", DeprecationWarning)
    from pyftpdlib.authorizers import AuthenticationFailed
    from pyftpdlib.filesystems import AbstractedFS
    from pyftpdlib.handlers import DTPHandler, FTPHandler
    from pyftpdlib.ioloop import IOLoop
    from pyftpdlib.servers import ThreadedFTPServer

logger = logging.getLogger("envhub.ftp")

MAX_CONNECTIONS = 256
# Facilities in one industrial park often share a public address.
MAX_CONNECTIONS_PER_IP = 16
MAX_LOGIN_ATTEMPTS = 3
IDLE_TIMEOUT_SECONDS = 120
# A data connection that moves nothing for this long is dropped.
DATA_TIMEOUT_SECONDS = 60
MAX_WAITING_FILES = 1000
MAX_FOLDERS = 5000
# What a facility may do in its folder: e = CWD, l = LIST, r = RETR, d = DELE/RMD, m = MKD,
# w = STOR; a = APPE only so that the handler can answer it with a reason (it never appends).
# No rename (f), chmod (M) or time change (T).
PERMISSIONS = "elradmw"
# Names longer than this leave no room for the temporary name on a 255-byte file system.
MAX_NAME_BYTES = 200

# The sweep takes files that have been left alone this long (seconds) ...
SWEEP_AFTER_SECONDS = 60
# ... removes temporary files of uploads that never finished ...
ABANDONED_UPLOAD_SECONDS = 60 * 60
# ... and empty date folders (all digits: yyyy, MM, dd, yyyyMMdd) untouched for three days.
EMPTY_DATE_FOLDER_SECONDS = 3 * 24 * 60 * 60
# One sweep stops after this long and the next goes on, so that a sweep stays well within the
# periodic job's longest run (5 minutes) and two workers never sweep the same files.
SWEEP_BUDGET_SECONDS = 120

PARTIAL_SUFFIX = ".part"


# --- folders ---------------------------------------------------------------------------------

def home_of(root: Path, tax_code: str) -> Path:
    return Path(root) / tax_code


def is_data_file(name: str) -> bool:
    return name.lower().endswith(".txt") and not name.startswith(".")


def partial_name(name: str) -> str:
    """The hidden name an upload is written under until it is complete (unique, so that two
    connections sending the same name never write into one file)."""
    return f".{name}.{secrets.token_hex(4)}{PARTIAL_SUFFIX}"


def is_partial(name: str) -> bool:
    return name.startswith(".") and name.endswith(PARTIAL_SUFFIX)


def count_entries(home: Path, *, enough: int) -> tuple[int, int]:
    """(files, folders) under `home`, counting no further once either reaches `enough`."""
    files = folders = 0
    pending = [str(home)]
    while pending and files < enough and folders < enough:
        try:
            with os.scandir(pending.pop()) as entries:
                for entry in entries:
                    if entry.is_dir(follow_symlinks=False):
                        folders += 1
                        pending.append(entry.path)
                    else:
                        files += 1
        except OSError:
            continue
    return files, folders


# --- handing a file to the ingestion service --------------------------------------------------

def read_upload(path: Path, name: str) -> ingest.IncomingFile:
    """The file as the service takes it; past the size limit only its size is read."""
    limit = settings.ENVHUB_MAX_FILE_BYTES
    with open(path, "rb") as handle:
        content = handle.read(limit + 1)
        if len(content) > limit:
            return ingest.IncomingFile(name, b"", size=os.fstat(handle.fileno()).st_size)
    return ingest.IncomingFile(name, content)


def ingest_file(actor: Actor, path: Path, name: str) -> list[ingest.BatchReport]:
    """Ingest one file as `actor` on channel FTP; DatabaseError when it could not be written."""
    close_old_connections()
    try:
        reports = ingest.ingest(actor, Channel.FTP, [read_upload(path, name)])
    except DatabaseError:
        # Whatever broke, the next attempt starts from a fresh connection.
        connections["default"].close_if_unusable_or_obsolete()
        raise
    for report in reports:
        _log_report(actor, name, report)
    return reports


def _log_report(actor: Actor, name: str, report: ingest.BatchReport) -> None:
    first = f"; first reject: {report.rejects[0].code}" if report.rejects else ""
    logger.info(
        "%s sent %s: %s (batch %s): %d accepted, %d rejected, %d duplicate, %d conflicting%s",
        actor.label, name, report.status, report.batch_id, report.accepted, report.rejected,
        report.duplicates, report.conflicts, first)


def receive_upload(actor: Actor, partial: Path, final: Path) -> bool:
    """Ingest a completed upload and delete it; when that fails keep it under its own name for
    the sweep. True when it was ingested."""
    try:
        ingest_file(actor, partial, final.name)
    except Exception:  # noqa: BLE001 - whatever failed, the file must not be lost
        logger.exception("%s: %s could not be ingested now; it waits for the sweep",
                         actor.label, final.name)
        try:
            os.replace(partial, final)
        except OSError:
            logger.exception("%s: could not keep %s", actor.label, final)
        return False
    partial.unlink(missing_ok=True)
    return True


# --- logins (`ftp_logins`) ----------------------------------------------------------------------

class FacilityAuthorizer:
    """pyftpdlib's authorizer interface, answered from the database: every facility with a
    token is an account, jailed in its own folder under `root`."""

    def __init__(self, root: Path):
        self.root = Path(root)

    def validate_authentication(self, username, password, handler):
        try:
            tax_code, actor = authenticate(username, password, handler.remote_ip or None)
        except Refused as refusal:
            handler.refusal_delay = refusal.delay
            raise
        handler.signed_in(tax_code, actor)

    def get_home_dir(self, username) -> str:
        tax_code = tax_code_of(username)
        if tax_code is None:
            raise AuthenticationFailed(_("Wrong tax code or token."))
        home = home_of(self.root, tax_code)
        home.mkdir(mode=0o750, parents=True, exist_ok=True)
        return str(home.resolve())

    def has_user(self, username) -> bool:
        return tax_code_of(username) is not None

    def has_perm(self, username, perm, path=None) -> bool:
        tax_code = tax_code_of(username)
        if tax_code is None or perm not in PERMISSIONS:
            return False
        if path is None:
            return True
        home = os.path.realpath(home_of(self.root, tax_code))
        return os.path.realpath(path) == home or \
            os.path.realpath(path).startswith(home + os.sep)

    def get_perms(self, username) -> str:
        return PERMISSIONS if tax_code_of(username) else ""

    def get_msg_login(self, username) -> str:
        return _("Logged in. Upload TT10 .txt files; each is read when its upload completes.")

    def get_msg_quit(self, username) -> str:
        return _("Goodbye.")

    def impersonate_user(self, username, password) -> None:
        """Files are written as the server's own system user."""

    def terminate_impersonation(self, username) -> None:
        """Nothing to undo (see impersonate_user)."""


# --- the protocol handlers -------------------------------------------------------------------

class JailedFS(AbstractedFS):
    """pyftpdlib's virtual file system rooted at the facility's folder, without `os.chdir`: the
    process has one current directory, and a connection's thread must never move it under
    another's feet."""

    def chdir(self, path):
        if not os.path.isdir(path):
            raise OSError(errno.ENOENT, os.strerror(errno.ENOENT))
        self.cwd = self.fs2ftp(path)


class CappedDTPHandler(DTPHandler):
    """The data connection, cut off as soon as an upload passes the file size limit, so that
    nothing larger than the limit (plus one read) is ever written to disk."""

    timeout = DATA_TIMEOUT_SECONDS

    def handle_read(self):
        super().handle_read()
        limit = settings.ENVHUB_MAX_FILE_BYTES
        if self.receive and not self._closed and self.tot_bytes_received > limit:
            self.transfer_finished = False
            self._resp = ("552 " + _(
                "The file is larger than %(limit)d bytes: the upload was stopped and nothing "
                "was kept.") % {"limit": limit}, logger.info)
            self.close()

    # pyftpdlib's IO loop calls this alias, bound to the base method when its class was made.
    handle_read_event = handle_read


class FacilityFTPHandler(LoginGuard, FTPHandler):
    """One facility's connection: its uploads are read as soon as they complete."""

    abstracted_fs = JailedFS
    dtp_handler = CappedDTPHandler
    timeout = IDLE_TIMEOUT_SECONDS
    max_login_attempts = MAX_LOGIN_ATTEMPTS
    banner = "envhub FTP receiver: log in with your tax code and token; send TT10 .txt files."
    # Set per server by `make_server`.
    authorizer: FacilityAuthorizer

    def __init__(self, conn, server, ioloop=None):
        self.actor: Actor | None = None
        self.tax_code: str | None = None
        # temporary path → the path the client named
        self.uploads: dict[str, str] = {}
        super().__init__(conn, server, ioloop=ioloop)

    def signed_in(self, tax_code: str, actor: Actor) -> None:
        self.tax_code, self.actor = tax_code, actor
        # Everything after the login (home folder, permissions, logs) goes by the compact code.
        self.username = tax_code

    def flush_account(self):
        super().flush_account()
        self.tax_code, self.actor = None, None

    # uploads

    def ftp_STOR(self, file, mode="w"):
        refusal = self._refusal(file, mode)
        if refusal:
            self._restart_position = 0
            self.respond(refusal)
            return None
        if not self._token_still_usable():
            self.respond("530 " + _("This token was revoked or has expired."))
            self.close_when_done()
            return None
        partial = os.path.join(os.path.dirname(file), partial_name(os.path.basename(file)))
        self.uploads[partial] = file
        started = super().ftp_STOR(partial, mode)
        if started is None:
            self.uploads.pop(partial, None)
        return started

    def _refusal(self, file: str, mode: str) -> str | None:
        name = os.path.basename(file)
        if "a" in mode:
            return "553 " + _("Appending is not supported: send each file whole with STOR.")
        if self._restart_position:
            return "553 " + _("Resuming is not supported: send the whole file again.")
        if not is_data_file(name):
            return "553 " + _("Only TT10 data files (.txt) are accepted.")
        if len(name.encode("utf-8")) > MAX_NAME_BYTES:
            return "553 " + _("The file name is too long.")
        files, _folders = count_entries(Path(self.fs.root), enough=MAX_WAITING_FILES)
        if files >= MAX_WAITING_FILES:
            return "452 " + _("Too many files are waiting in your folder; try again later.")
        return None

    def _token_still_usable(self) -> bool:
        """A datalogger may stay connected for hours: a token revoked meanwhile stops it."""
        from envhub.accounts.models import ApiToken

        token = self.actor.token if self.actor is not None else None
        if token is None:
            return False
        close_old_connections()
        try:
            return ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True,
                                           expires_at__gt=timezone.now()).exists()
        except DatabaseError:
            # Cannot tell now; the upload is kept for the sweep if the database stays down.
            connections["default"].close_if_unusable_or_obsolete()
            return True

    def ftp_APPE(self, file):
        self.respond("553 " + _("Appending is not supported: send each file whole with STOR."))

    def ftp_STOU(self, line):
        self.respond("553 " + _("Send each file with STOR and its TT10 name."))

    def ftp_MKD(self, path):
        _files, folders = count_entries(Path(self.fs.root), enough=MAX_FOLDERS)
        if folders >= MAX_FOLDERS:
            self.respond("552 " + _("Too many folders; remove the ones you no longer use."))
            return None
        return super().ftp_MKD(path)

    def on_file_received(self, file):
        final = self.uploads.pop(file, None)
        if final is None or self.actor is None:
            Path(file).unlink(missing_ok=True)
            return
        receive_upload(self.actor, Path(file), Path(final))

    def on_incomplete_file_received(self, file):
        self.uploads.pop(file, None)
        Path(file).unlink(missing_ok=True)


class ReceiverServer(ThreadedFTPServer):
    """A thread per connection; each thread closes its database connection when it ends."""

    max_cons = MAX_CONNECTIONS
    max_cons_per_ip = MAX_CONNECTIONS_PER_IP

    def __init__(self, address, handler, ioloop=None):
        # pyftpdlib keeps the stop flag and lock on the class: one per server here, so that
        # stopping one server (a test's) never stops another.
        self._exit = threading.Event()
        self._lock = threading.Lock()
        super().__init__(address, handler, ioloop=ioloop)

    def _loop(self, handler):
        try:
            super()._loop(handler)
        finally:
            connections.close_all()


def make_server(bind: str, root: Path, *, passive_ports: tuple[int, int] | None = None,
                masquerade: str = "") -> ReceiverServer:
    """The receiver, listening on `bind` (HOST:PORT; port 0 picks a free one), with each
    facility's folder under `root`. OSError when the address cannot be taken."""
    host, _sep, port = bind.rpartition(":")
    root = Path(root)
    root.mkdir(mode=0o750, parents=True, exist_ok=True)
    handler = type("ConfiguredFacilityFTPHandler", (FacilityFTPHandler,), {
        "authorizer": FacilityAuthorizer(root),
        "waiting_logins": WaitingLogins(MAX_WAITING_LOGINS_PER_IP),
        "passive_ports": list(range(passive_ports[0], passive_ports[1] + 1))
        if passive_ports else None,
        "masquerade_address": masquerade or None,
    })
    return ReceiverServer((host.strip("[]"), int(port)), handler, ioloop=IOLoop())


def serve(server: ReceiverServer, stop: threading.Event, poll_seconds: float = 0.5) -> None:
    """Serve until `stop` is set, then close every connection."""
    try:
        while not stop.is_set():
            server.serve_forever(timeout=poll_seconds, blocking=False, handle_exit=False)
    finally:
        server.close_all()


# --- the sweep: files left behind when the database failed ----------------------------------

@dataclasses.dataclass
class SweepResult:
    ingested: int = 0
    kept: int = 0
    abandoned_uploads_removed: int = 0
    folders_removed: int = 0
    out_of_time: bool = False


def sweep_actor(facility) -> Actor:
    """The facility as the sender of files found in its folder (no token: the login that
    brought them has ended)."""
    return Actor(
        kind="facility",
        label=f"facility:{facility.tax_code} (ftp sweep)",
        facility_ids=frozenset({facility.id}),
        organisation_ids=frozenset({facility.operator_id}),
    )


def sweep(root: Path | None = None, *, now: float | None = None) -> SweepResult:
    """Ingest the `.txt` files that have waited in the facilities' folders for more than a
    minute, remove abandoned temporary files and old empty date folders. Stops at the first
    database failure: the database is most likely still down."""
    root = Path(root or settings.ENVHUB_FTP_ROOT)
    result = SweepResult()
    if not root.is_dir():
        return result
    now = time.time() if now is None else now
    deadline = time.monotonic() + SWEEP_BUDGET_SECONDS
    for home in sorted(root.iterdir()):
        if not TAX_CODE_SHAPE.fullmatch(home.name) or home.is_symlink() or not home.is_dir():
            continue
        try:
            _sweep_home(home, now, deadline, result)
        except DatabaseError:
            logger.warning("ftp sweep: the database fails; %d files wait for the next sweep",
                           result.kept)
            connections["default"].close_if_unusable_or_obsolete()
            break
        if result.out_of_time:
            break
    return result


def _sweep_home(home: Path, now: float, deadline: float, result: SweepResult) -> None:
    from envhub.registry.models import Facility

    facility = None
    # Folder times as they were before this sweep removed anything inside them.
    touched = {folder: os.stat(folder).st_mtime for folder, _dirs, _files in os.walk(home)}
    for folder, _subfolders, file_names in os.walk(home, topdown=False):
        for name in file_names:
            path = Path(folder) / name
            try:
                info = path.lstat()
            except OSError:
                continue
            if not os.path.isfile(path) or path.is_symlink():
                continue
            age = now - info.st_mtime
            if is_partial(name):
                if age > ABANDONED_UPLOAD_SECONDS:
                    path.unlink(missing_ok=True)
                    result.abandoned_uploads_removed += 1
                continue
            if not is_data_file(name) or age < SWEEP_AFTER_SECONDS:
                continue
            if time.monotonic() > deadline:
                result.out_of_time = True
                return
            if facility is None:
                facility = Facility.objects.filter(tax_code=home.name).first()
                if facility is None:
                    logger.warning("ftp sweep: no facility has the tax code %s; its files wait",
                                   home.name)
                    return
            _sweep_file(sweep_actor(facility), path, result)
        if Path(folder) != home:
            _remove_if_old_empty_date_folder(Path(folder), now - touched.get(folder, now),
                                             result)


def _sweep_file(actor: Actor, path: Path, result: SweepResult) -> None:
    try:
        ingest_file(actor, path, path.name)
    except DatabaseError:
        result.kept += 1
        raise
    except Exception:  # noqa: BLE001 - one broken file must not stop the others
        logger.exception("ftp sweep: %s could not be ingested; it stays", path)
        result.kept += 1
        return
    path.unlink(missing_ok=True)
    result.ingested += 1


def _remove_if_old_empty_date_folder(folder: Path, age: float, result: SweepResult) -> None:
    """Datalogger layouts make a folder per day; once empty and old, it only costs space.
    Named folders (a station's, a configured path) are kept: a datalogger may expect them."""
    if not folder.name.isdigit() or folder.is_symlink():
        return
    try:
        if age > EMPTY_DATE_FOLDER_SECONDS and not any(folder.iterdir()):
            folder.rmdir()
            result.folders_removed += 1
    except OSError:
        pass
