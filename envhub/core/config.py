"""Settings read from environment variables, parsed strictly.

Pure module (no Django import) so that `envhub check` can report every misconfigured variable
before Django is even set up, and so that the parsing is tested on its own. `settings.py` calls
`load()` and refuses to start when `problems` is not empty.
"""

from __future__ import annotations

import ipaddress
import os
import re
import secrets
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping
from urllib.parse import parse_qs, unquote, urlsplit

from envhub.core import proxies, store_url

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off"}
MIN_SECRET_KEY_LENGTH = 50
# What a PostgreSQL DATABASE_URL may say after "?"; anything else is most likely a typo.
POSTGRES_URL_OPTIONS = {"sslmode", "conn_max_age"}
SSL_MODES = ("disable", "allow", "prefer", "require", "verify-ca", "verify-full")


@dataclass
class Config:
    """Everything envhub takes from the environment, already validated."""

    base_dir: Path
    var_dir: Path
    debug: bool = False
    secret_key: str = ""
    secret_key_source: str = ""
    allowed_hosts: list[str] = field(default_factory=list)
    csrf_trusted_origins: list[str] = field(default_factory=list)
    database: dict = field(default_factory=dict)
    database_vendor: str = "sqlite"
    https: bool = False
    trusted_proxies: list = field(default_factory=list)
    web_bind: str = "127.0.0.1:8000"
    web_workers: int = 2
    late_after: int = 3
    offline_after: int = 12
    announce_late: bool = False
    digest_hour: int = 7
    max_file_bytes: int = 1_000_000
    max_file_lines: int = 10_000
    future_tolerance_minutes: int = 10
    max_age_days: int = 730
    hour_coverage: int = 75
    period_coverage: int = 75
    max_param_chars: int = 2_000
    max_query_bytes: int = 4_096
    max_body_bytes: int = 262_144
    max_upload_bytes: int = 20_000_000
    max_dataset_file_bytes: int = 52_428_800
    library_max_file_bytes: int = 2_147_483_648
    library_max_pages: int = 2_000
    news_max_image_bytes: int = 10_485_760
    news_max_attachment_bytes: int = 20_971_520
    # The `library` entry of STORAGES (`core/store_url.py`).
    library_storage: dict = field(default_factory=dict)
    max_survey_rows: int = 200_000
    request_seconds: int = 30
    ftp_bind: str = "127.0.0.1:2121"
    ftp_root: Path | None = None
    ftp_passive_ports: tuple[int, int] = (60000, 60099)
    ftp_masquerade: str = ""
    map_tile_url: str = ""
    # The site's own address, e.g. https://envhub.example.gov.vn: e-mails' links start with it.
    site_url: str = ""
    map_tile_attribution: str = ""
    # The main cities whose VN_AQI days the dashboard counts: province codes.
    dashboard_cities: list[str] = field(default_factory=list)
    email: dict = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


class _Reader:
    """Reads one variable at a time and collects every problem instead of stopping at the first."""

    def __init__(self, environ: Mapping[str, str]):
        self.environ = environ
        self.problems: list[str] = []
        self.read: set[str] = set()  # every variable asked for, to spot unknown ENVHUB_* ones

    def raw(self, name: str) -> str | None:
        self.read.add(name)
        value = self.environ.get(name)
        if value is None:
            return None
        value = value.strip()
        return value if value != "" else None

    def boolean(self, name: str, default: bool) -> bool:
        value = self.raw(name)
        if value is None:
            return default
        word = value.lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        self.problems.append(
            f"{name}={value!r}: expected one of true/false, 1/0, yes/no, on/off."
        )
        return default

    def integer(self, name: str, default: int, minimum: int, maximum: int) -> int:
        value = self.raw(name)
        if value is None:
            return default
        try:
            number = int(value, 10)
        except ValueError:
            self.problems.append(f"{name}={value!r}: expected a whole number.")
            return default
        if not minimum <= number <= maximum:
            self.problems.append(f"{name}={number}: must be between {minimum} and {maximum}.")
            return default
        return number

    def words(self, name: str, default: list[str]) -> list[str]:
        value = self.raw(name)
        if value is None:
            return list(default)
        items = [item.strip() for item in value.split(",")]
        if any(item == "" for item in items):
            self.problems.append(f"{name}={value!r}: empty item in the comma-separated list.")
        return [item for item in items if item]


def _bind_problem(name: str, bind: str, example_port: int) -> str | None:
    """The complaint about a `HOST:PORT` value, or None when it is one."""
    host, _, port = bind.rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        return f"{name}={bind!r}: expected HOST:PORT, e.g. 0.0.0.0:{example_port}."
    if not _valid_host(host):
        return (f"{name}={bind!r}: {host!r} is not a host name or IP address "
                "(an IPv6 address goes in brackets: [::1]:PORT).")
    return None


_HOST_LABEL = re.compile(r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)")


def _valid_host(host: str) -> bool:
    """A host name (`localhost`, `envhub.gov.vn`), an IPv4 address or a bracketed IPv6 one."""
    if host.startswith("[") and host.endswith("]"):
        try:
            ipaddress.IPv6Address(host[1:-1])
        except ValueError:
            return False
        return True
    try:
        ipaddress.IPv4Address(host)
    except ValueError:
        pass
    else:
        return True
    if re.fullmatch(r"[0-9.]+", host) or len(host) > 253:
        return False  # numbers that are not an address (999.1.1.1), or too long
    return all(_HOST_LABEL.fullmatch(label) for label in host.removesuffix(".").split("."))


_PORT_RANGE = re.compile(r"([0-9]{1,5})-([0-9]{1,5})")


def parse_port_range(value: str) -> tuple[int, int]:
    """`A-B` with 1024 <= A <= B <= 65535; ValueError with the reason otherwise."""
    match = _PORT_RANGE.fullmatch(value)
    if not match:
        raise ValueError("expected a port range FIRST-LAST, e.g. 60000-60099")
    first, last = int(match.group(1)), int(match.group(2))
    # Ports below 1024 need root, which envhub never has.
    if not 1024 <= first <= last <= 65535:
        raise ValueError("the ports must lie between 1024 and 65535, the first not after the last")
    return first, last


def _ftp_settings(reader: _Reader, config: Config) -> None:
    """The FTP receiver (`envhub ftp`): where it listens, where uploads land, passive mode."""
    config.ftp_bind = reader.raw("ENVHUB_FTP_BIND") or "127.0.0.1:2121"
    problem = _bind_problem("ENVHUB_FTP_BIND", config.ftp_bind, 2121)
    if problem:
        reader.problems.append(problem)
    root = reader.raw("ENVHUB_FTP_ROOT")
    config.ftp_root = Path(root) if root else config.var_dir / "ftp"
    if not config.ftp_root.is_absolute():
        config.ftp_root = config.base_dir / config.ftp_root
    ports = reader.raw("ENVHUB_FTP_PASSIVE_PORTS") or "60000-60099"
    try:
        config.ftp_passive_ports = parse_port_range(ports)
    except ValueError as exc:
        reader.problems.append(f"ENVHUB_FTP_PASSIVE_PORTS={ports!r}: {exc}.")
    else:
        control_port = config.ftp_bind.rpartition(":")[2]
        first, last = config.ftp_passive_ports
        if not problem and first <= int(control_port) <= last:
            reader.problems.append(
                "ENVHUB_FTP_PASSIVE_PORTS must not include the port of ENVHUB_FTP_BIND.")
    masquerade = reader.raw("ENVHUB_FTP_MASQUERADE") or ""
    if masquerade:
        # The PASV reply carries four numbers: only an IPv4 address fits, not a host name.
        try:
            masquerade = str(ipaddress.IPv4Address(masquerade))
        except ValueError:
            reader.problems.append(
                f"ENVHUB_FTP_MASQUERADE={masquerade!r}: expected the public IPv4 address "
                "that dataloggers connect to, e.g. 203.0.113.10.")
            masquerade = ""
    config.ftp_masquerade = masquerade


def _proxy_settings(reader: _Reader, config: Config) -> None:
    """Which proxies' X-Forwarded-For is believed (`core/proxies.py`): those listed, or with
    ENVHUB_HTTPS and no list a proxy on this machine; `none` for no proxy at all."""
    items = reader.words("ENVHUB_TRUSTED_PROXIES", [])
    if [item.lower() for item in items] == ["none"]:
        items = []
        if config.https:
            config.warnings.append(
                "ENVHUB_TRUSTED_PROXIES=none with ENVHUB_HTTPS: behind a proxy every visitor "
                "seems to come from the proxy's address, and sign-in throttling counts them as "
                "one.")
    elif not items and config.https:
        items = list(proxies.LOOPBACK)
        host = config.web_bind.rpartition(":")[0].strip("[]")
        if host not in ("127.0.0.1", "::1", "localhost"):
            config.warnings.append(
                f"ENVHUB_BIND={config.web_bind} with ENVHUB_HTTPS trusts X-Forwarded-For from "
                "this machine only: list the proxy's address in ENVHUB_TRUSTED_PROXIES if it "
                "runs elsewhere.")
    networks, problems = proxies.parse_networks(items)
    reader.problems.extend(
        f"ENVHUB_TRUSTED_PROXIES: {problem} (expected addresses or CIDR blocks such as "
        "10.0.0.0/8, or none)." for problem in problems)
    config.trusted_proxies = networks
def _request_limits(reader: _Reader, config: Config) -> None:
    """What one web request may ask of the server: every public input has a cap, checked
    before it is read or parsed (see docs/operations.md, "Limits on requests")."""
    # Kept under gunicorn's request-line limit (8,190 bytes), so that Django answers first.
    config.max_query_bytes = reader.integer("ENVHUB_MAX_QUERY_BYTES", 4_096, 256, 8_000)
    config.max_param_chars = reader.integer("ENVHUB_MAX_PARAM_CHARS", 2_000, 100, 100_000)
    config.max_body_bytes = reader.integer("ENVHUB_MAX_BODY_BYTES", 262_144, 1_024,
                                           100_000_000)
    config.max_upload_bytes = reader.integer("ENVHUB_MAX_UPLOAD_BYTES", 20_000_000, 1_000,
                                             1_000_000_000)
    if config.max_upload_bytes < config.max_file_bytes:
        reader.problems.append("ENVHUB_MAX_UPLOAD_BYTES must be at least ENVHUB_MAX_FILE_BYTES.")
    config.max_dataset_file_bytes = reader.integer("ENVHUB_MAX_DATASET_FILE_BYTES", 52_428_800,
                                                   1_000, 10_000_000_000)
    config.library_max_file_bytes = reader.integer("ENVHUB_LIBRARY_MAX_FILE_BYTES",
                                                   2_147_483_648, 1_000, 1_000_000_000_000)
    # A 5,000-page PDF is refused by default: past this, split it (and OCR stays bounded).
    config.library_max_pages = reader.integer("ENVHUB_LIBRARY_MAX_PAGES", 2_000, 1, 100_000)
    # A post's image and attached file (kept in memory while checked: bounded low).
    config.news_max_image_bytes = reader.integer("ENVHUB_NEWS_MAX_IMAGE_BYTES", 10_485_760,
                                                 1_000, 104_857_600)
    config.news_max_attachment_bytes = reader.integer("ENVHUB_NEWS_MAX_ATTACHMENT_BYTES",
                                                      20_971_520, 1_000, 209_715_200)
    config.request_seconds = reader.integer("ENVHUB_REQUEST_SECONDS", 30, 1, 3_600)
    config.max_survey_rows = reader.integer("ENVHUB_MAX_SURVEY_ROWS", 200_000, 1, 10_000_000)


# The centrally-run cities (thành phố trực thuộc trung ương) after the 2025 reform: Hà Nội,
# Hải Phòng, Huế, Đà Nẵng, Hồ Chí Minh City, Cần Thơ (the registry's province data).
DEFAULT_DASHBOARD_CITIES = ["01", "31", "46", "48", "79", "92"]


def _dashboard_settings(reader: _Reader, config: Config) -> None:
    problems = len(reader.problems)
    cities = reader.words("ENVHUB_DASHBOARD_CITIES", DEFAULT_DASHBOARD_CITIES)
    for code in cities:
        if not (len(code) == 2 and code.isascii() and code.isdigit()):
            reader.problems.append(f"ENVHUB_DASHBOARD_CITIES: {code!r} is not a province code "
                                   "(two digits, e.g. 01).")
    if len(set(cities)) != len(cities):
        reader.problems.append("ENVHUB_DASHBOARD_CITIES: a province is listed twice.")
    if len(cities) > 34:
        reader.problems.append("ENVHUB_DASHBOARD_CITIES: at most 34 provinces.")
    # A value that cannot be read is reported and the default used, as with the other settings.
    config.dashboard_cities = cities if len(reader.problems) == problems \
        else list(DEFAULT_DASHBOARD_CITIES)


def parse_smtp_url(url: str) -> dict:
    """`smtp://user:password@host:587` (STARTTLS), `smtps://…@host:465` (TLS from the start) or
    `smtp://host:25` (plain, inside a trusted network) as Django's e-mail settings."""
    parsed = urlsplit(url)
    if parsed.scheme not in ("smtp", "smtps") or not parsed.hostname:
        raise ValueError("expected smtp://[user:password@]host[:port] or smtps://…")
    try:
        port = parsed.port or (465 if parsed.scheme == "smtps" else 587)
    except ValueError:
        raise ValueError("the port is not a number") from None
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": parsed.hostname, "EMAIL_PORT": port,
        "EMAIL_HOST_USER": unquote(parsed.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parsed.password or ""),
        "EMAIL_USE_SSL": parsed.scheme == "smtps",
        "EMAIL_USE_TLS": parsed.scheme == "smtp" and port != 25,
        "EMAIL_TIMEOUT": 20,
    }


SITE_URL_EXAMPLE = "https://envhub.example.gov.vn"


def parse_site_url(value: str) -> str:
    """The site's address as people open it (`https://host` or `http://host:port`), without a
    trailing slash; ValueError with the reason otherwise. Nothing after the host: the links
    made from it are the site's own paths."""
    if len(value) > 200:
        raise ValueError("longer than 200 characters")
    if any(char.isspace() or not char.isprintable() for char in value):
        raise ValueError("contains spaces or control characters")
    parsed = urlsplit(value)
    if parsed.scheme not in ("http", "https") or not value.lower().startswith(
            f"{parsed.scheme}://"):
        raise ValueError(f"expected an absolute http:// or https:// address, e.g. "
                         f"{SITE_URL_EXAMPLE}")
    if "@" in parsed.netloc:
        raise ValueError("no user name or password in the site's address")
    if parsed.path not in ("", "/") or parsed.query or parsed.fragment \
            or value.endswith(("?", "#")):
        raise ValueError(f"the site's address only, nothing after the host, e.g. "
                         f"{SITE_URL_EXAMPLE}")
    try:
        port = parsed.port
    except ValueError:
        raise ValueError("the port is not a number from 1 to 65535") from None
    if port == 0:
        raise ValueError("the port is not a number from 1 to 65535")
    host = parsed.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    if not host or not _valid_host(host):
        raise ValueError(f"{host or parsed.netloc!r} is not a host name or IP address")
    return f"{parsed.scheme}://{host}" + (f":{port}" if port else "")


def _site_settings(reader: _Reader, config: Config) -> None:
    """The site's address for links that leave the site (e-mails); without it (or with a bad
    one, reported) links stay the site's paths, which still name the page."""
    value = reader.raw("ENVHUB_SITE_URL")
    if value is None:
        config.warnings.append("ENVHUB_SITE_URL is not set: e-mails carry links as paths of "
                               f"the site (/notifications/), not addresses such as "
                               f"{SITE_URL_EXAMPLE}/notifications/.")
        return
    try:
        config.site_url = parse_site_url(value)
    except ValueError as exc:
        reader.problems.append(f"ENVHUB_SITE_URL={value[:200]!r}: {exc}.")
        return
    host = urlsplit(config.site_url).hostname or ""
    if "*" not in config.allowed_hosts and not any(
            host == allowed or (allowed.startswith(".") and host.endswith(allowed))
            for allowed in config.allowed_hosts):
        config.warnings.append(f"ENVHUB_SITE_URL: {host!r} is not in ALLOWED_HOSTS, so the "
                               "links in e-mails lead to a site that refuses them.")


def _email_settings(reader: _Reader, config: Config, var_dir: Path) -> None:
    """Alerts by e-mail: through an SMTP server when ENVHUB_SMTP_URL says which; otherwise
    written as files under var/mail, so that nothing is lost and a person can read them."""
    url = reader.raw("ENVHUB_SMTP_URL")
    sender = reader.raw("ENVHUB_EMAIL_FROM") or "envhub <noreply@localhost>"
    if "@" not in sender:
        reader.problems.append(f"ENVHUB_EMAIL_FROM={sender!r}: expected an e-mail address.")
    email = {"DEFAULT_FROM_EMAIL": sender, "SERVER_EMAIL": sender}
    if url:
        try:
            email.update(parse_smtp_url(url))
        except ValueError as exc:
            reader.problems.append(f"ENVHUB_SMTP_URL: {exc}.")
    else:
        email.update(EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
                     EMAIL_FILE_PATH=str(var_dir / "mail"))
        config.warnings.append(
            "ENVHUB_SMTP_URL is not set: alert e-mails are written to var/mail, not sent.")
    config.email = email


def parse_database_url(url: str, base_dir: Path) -> dict:
    """Turn a DATABASE_URL into a Django DATABASES entry; raise ValueError with a clear reason.

    Only the two databases envhub is tested on are accepted: SQLite and PostgreSQL. Written here
    rather than with dj-database-url because that library maps any scheme to some engine and
    lets typos through; an operator must get a clear refusal instead.
    """
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    query = {key: values[-1]
             for key, values in parse_qs(parts.query, keep_blank_values=True).items()}
    if scheme == "sqlite":
        if parts.netloc:
            raise ValueError(
                f"a SQLite URL has no host part ({parts.netloc!r} here): write "
                "sqlite:///relative/path (three slashes; relative to the project folder) or "
                "sqlite:////absolute/path (four slashes)"
            )
        # sqlite:///relative/path and sqlite:////absolute/path, as dj-database-url reads them.
        path = unquote(parts.path)
        if path.startswith("/"):
            path = path[1:]
        if not path:
            raise ValueError("a SQLite URL needs a file path, e.g. sqlite:///var/envhub.sqlite3")
        if path == ":memory:":
            raise ValueError("an in-memory SQLite database cannot be shared by web and worker")
        file_path = Path(path) if Path(path).is_absolute() else base_dir / path
        return sqlite_database(file_path)
    if scheme in {"postgres", "postgresql", "pgsql"}:
        name = unquote(parts.path.lstrip("/"))
        if not name:
            raise ValueError("a PostgreSQL URL needs a database name, e.g. postgres://user@host/envhub")
        try:
            port = parts.port
        except ValueError as exc:
            raise ValueError(f"bad port: {exc}") from None
        unknown = sorted(set(query) - POSTGRES_URL_OPTIONS)
        if unknown:
            raise ValueError(
                f"unknown option(s) {', '.join(unknown)} in the PostgreSQL URL; only sslmode and "
                "conn_max_age are accepted"
            )
        options = {}
        if "sslmode" in query:
            if query["sslmode"] not in SSL_MODES:
                raise ValueError(
                    f"sslmode={query['sslmode']!r}: expected one of {', '.join(SSL_MODES)}")
            options["sslmode"] = query["sslmode"]
        conn_max_age = query.get("conn_max_age", "60")
        if not conn_max_age.isdigit():
            raise ValueError("conn_max_age must be a whole number of seconds")
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": name,
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(port or ""),
            "CONN_MAX_AGE": int(conn_max_age),
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": options,
        }
    if not scheme:
        raise ValueError("not a URL; expected sqlite:///path or postgres://user@host:port/name")
    raise ValueError(
        f"unsupported database {scheme!r}; envhub runs on SQLite (sqlite:///...) "
        "or PostgreSQL (postgres://...)"
    )


def sqlite_database(path: Path) -> dict:
    """SQLite in WAL mode with a busy timeout, so web, worker and receivers can share it."""
    return {
        # Django's, with writers that take the write lock as soon as it is free.
        "ENGINE": "envhub.core.sqlite_backend",
        "NAME": str(path),
        # Keep connections: opening one runs the PRAGMAs below, which costs more than a small
        # request's queries.
        "CONN_MAX_AGE": 600,
        "CONN_HEALTH_CHECKS": True,
        # Tests get a file too, not Django's shared-cache memory database: there, two
        # connections that touch one table fail at once with "table is locked" instead of
        # waiting, so tests of concurrent workers could not run as production runs. One file per
        # test run (two runs at once must not share it), in the temporary folder.
        "TEST": {"NAME": str(Path(tempfile.gettempdir()) / f"envhub-test-{os.getpid()}.sqlite3")},
        "OPTIONS": {
            # Seconds a writer waits for the lock instead of failing with "database is locked".
            "timeout": 30,
            # Take the write lock at BEGIN so that read-then-write transactions do not deadlock.
            "transaction_mode": "IMMEDIATE",
            "init_command": (
                "PRAGMA journal_mode=WAL;"
                "PRAGMA synchronous=NORMAL;"
                "PRAGMA foreign_keys=ON;"
                "PRAGMA busy_timeout=30000;"
                "PRAGMA cache_size=-65536;"
            ),
        },
    }


def create_private_file(path: Path) -> None:
    """Create `path` empty with mode 600, unless it exists. For the SQLite database, which holds
    session keys: SQLite gives its -wal and -shm files the database file's mode."""
    try:
        handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except (FileExistsError, FileNotFoundError):
        return  # there already, or its folder is missing (SQLite will say so)
    os.close(handle)


def _secret_key(reader: _Reader, var_dir: Path, create: bool) -> tuple[str, str]:
    value = reader.raw("SECRET_KEY")
    if value is not None:
        if len(value) < MIN_SECRET_KEY_LENGTH or value.startswith("django-insecure"):
            reader.problems.append(
                f"SECRET_KEY: too weak; use at least {MIN_SECRET_KEY_LENGTH} random characters "
                "(or unset it to have one generated into var/secret_key)."
            )
        return value, "environment"
    key_file = var_dir / "secret_key"
    if key_file.exists():
        key = key_file.read_text(encoding="ascii").strip()
        if len(key) < MIN_SECRET_KEY_LENGTH:
            reader.problems.append(f"{key_file}: the stored secret key is too short; delete it.")
        return key, str(key_file)
    if not create:
        return "", str(key_file)
    var_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(64)
    # Create with 0600 so that no other local user can read it.
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key + "\n")
    return key, str(key_file)


def load(environ: Mapping[str, str], base_dir: Path, create_secret: bool = True) -> Config:
    """Read and validate the environment. Problems are collected in `Config.problems`."""
    reader = _Reader(environ)
    var_raw = reader.raw("ENVHUB_VAR_DIR")
    var_dir = Path(var_raw) if var_raw else base_dir / "var"
    if not var_dir.is_absolute():
        var_dir = base_dir / var_dir
    config = Config(base_dir=base_dir, var_dir=var_dir)

    config.debug = reader.boolean("DEBUG", False)
    config.https = reader.boolean("ENVHUB_HTTPS", False)
    config.allowed_hosts = reader.words("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
    for host in config.allowed_hosts:
        if "/" in host or " " in host:
            reader.problems.append(f"ALLOWED_HOSTS: {host!r} is not a host name.")
    config.csrf_trusted_origins = reader.words("CSRF_TRUSTED_ORIGINS", [])
    for origin in config.csrf_trusted_origins:
        if not origin.startswith(("http://", "https://")):
            reader.problems.append(
                f"CSRF_TRUSTED_ORIGINS: {origin!r} must start with http:// or https://."
            )

    database_url = reader.raw("DATABASE_URL")
    if database_url is None:
        config.database = sqlite_database(var_dir / "envhub.sqlite3")
    else:
        try:
            config.database = parse_database_url(database_url, base_dir)
        except ValueError as exc:
            reader.problems.append(f"DATABASE_URL: {exc}.")
            config.database = sqlite_database(var_dir / "envhub.sqlite3")
    config.database_vendor = (
        "postgresql" if "postgresql" in config.database["ENGINE"] else "sqlite"
    )

    bind = reader.raw("ENVHUB_BIND") or "127.0.0.1:8000"
    problem = _bind_problem("ENVHUB_BIND", bind, 8000)
    if problem:
        reader.problems.append(problem)
    config.web_bind = bind
    _proxy_settings(reader, config)
    # One process per core, plus one to use a core while another waits on the database.
    config.web_workers = reader.integer("ENVHUB_WEB_WORKERS", (os.cpu_count() or 1) + 1, 1, 64)

    # Connectivity thresholds, in reporting intervals (online → late → offline).
    config.late_after = reader.integer("ENVHUB_LATE_AFTER", 3, 1, 1000)
    config.offline_after = reader.integer("ENVHUB_OFFLINE_AFTER", 12, 1, 10000)
    if config.offline_after <= config.late_after:
        reader.problems.append("ENVHUB_OFFLINE_AFTER must be larger than ENVHUB_LATE_AFTER.")
    # Whether online ↔ late changes are announced too (else only offline and back).
    config.announce_late = reader.boolean("ENVHUB_ANNOUNCE_LATE", False)
    # The local hour (Asia/Ho_Chi_Minh) from which the worker sends the digests of the day
    # before (daily) and of the week before (weekly, on Mondays).
    config.digest_hour = reader.integer("ENVHUB_DIGEST_HOUR", 7, 0, 23)
    # Limits on received monitoring files.
    config.max_file_bytes = reader.integer("ENVHUB_MAX_FILE_BYTES", 1_000_000, 1_000, 100_000_000)
    config.max_file_lines = reader.integer("ENVHUB_MAX_FILE_LINES", 10_000, 1, 1_000_000)
    config.future_tolerance_minutes = reader.integer("ENVHUB_FUTURE_TOLERANCE", 10, 0, 24 * 60)
    # Older values are refused: a datalogger whose clock was reset writes 1970 or 2000, and
    # every month named would become a partition. Archives older than this go in with a larger
    # value for the occasion.
    config.max_age_days = reader.integer("ENVHUB_MAX_AGE_DAYS", 730, 1, 36500)
    # When an hour, and a day or window of hours, holds enough data (`core.completeness`):
    # envhub's choice where the regulations set none, so a setting.
    config.hour_coverage = reader.integer("ENVHUB_HOUR_COVERAGE", 75, 50, 100)
    config.period_coverage = reader.integer("ENVHUB_PERIOD_COVERAGE", 75, 50, 100)
    _request_limits(reader, config)
    _ftp_settings(reader, config)
    try:  # the library's files: a folder under var/ or an S3-compatible store
        config.library_storage = store_url.parse(reader.raw("ENVHUB_LIBRARY_STORAGE_URL"),
                                                 var_dir)
    except ValueError as exc:
        reader.problems.append(f"ENVHUB_LIBRARY_STORAGE_URL: {exc}.")
        config.library_storage = store_url.local(var_dir / "library")

    config.map_tile_url = (
        reader.raw("ENVHUB_MAP_TILE_URL") or "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    )
    if any(part not in config.map_tile_url for part in ("{z}", "{x}", "{y}")):
        reader.problems.append("ENVHUB_MAP_TILE_URL: must contain {z}, {x} and {y}.")
    config.map_tile_attribution = (
        reader.raw("ENVHUB_MAP_TILE_ATTRIBUTION") or "© OpenStreetMap contributors"
    )

    _dashboard_settings(reader, config)
    _site_settings(reader, config)
    _email_settings(reader, config, var_dir)
    config.secret_key, config.secret_key_source = _secret_key(reader, var_dir, create_secret)

    if config.debug:
        config.warnings.append("DEBUG is on: never run a public server like this.")
    if not config.https and not config.debug:
        config.warnings.append(
            "ENVHUB_HTTPS is off: cookies are not marked Secure. Turn it on behind a TLS proxy."
        )
    if "*" in config.allowed_hosts and not config.debug:
        config.warnings.append(
            "ALLOWED_HOSTS=*: any Host header is accepted (links in e-mails and redirects can be "
            "forged); list the server's names instead."
        )
    for name in sorted(environ):
        if name.startswith("ENVHUB_") and name not in reader.read:
            config.warnings.append(f"{name} is set but is not an envhub setting (a typo?).")
    config.problems = reader.problems
    return config
