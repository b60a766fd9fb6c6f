"""Settings read from environment variables, parsed strictly.

Pure module (no Django import) so that `envhub check` can report every misconfigured variable
before Django is even set up, and so that the parsing is tested on its own. `settings.py` calls
`load()` and refuses to start when `problems` is not empty.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping
from urllib.parse import parse_qs, unquote, urlsplit

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off"}
MIN_SECRET_KEY_LENGTH = 50


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
    web_bind: str = "127.0.0.1:8000"
    web_workers: int = 2
    late_after: int = 3
    offline_after: int = 12
    max_file_bytes: int = 1_000_000
    max_file_lines: int = 10_000
    future_tolerance_minutes: int = 10
    map_tile_url: str = ""
    map_tile_attribution: str = ""
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


class _Reader:
    """Reads one variable at a time and collects every problem instead of stopping at the first."""

    def __init__(self, environ: Mapping[str, str]):
        self.environ = environ
        self.problems: list[str] = []

    def raw(self, name: str) -> str | None:
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


def parse_database_url(url: str, base_dir: Path) -> dict:
    """Turn a DATABASE_URL into a Django DATABASES entry; raise ValueError with a clear reason.

    Only the two databases envhub is tested on are accepted: SQLite and PostgreSQL. Written here
    rather than with dj-database-url because that library maps any scheme to some engine and
    lets typos through; an operator must get a clear refusal instead.
    """
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    if scheme == "sqlite":
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
        options = {}
        if "sslmode" in query:
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
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(path),
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
            ),
        },
    }


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
    host, _, port = bind.rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        reader.problems.append(f"ENVHUB_BIND={bind!r}: expected HOST:PORT, e.g. 0.0.0.0:8000.")
    config.web_bind = bind
    config.web_workers = reader.integer("ENVHUB_WEB_WORKERS", 2, 1, 64)

    # Connectivity thresholds, in reporting intervals (online → late → offline).
    config.late_after = reader.integer("ENVHUB_LATE_AFTER", 3, 1, 1000)
    config.offline_after = reader.integer("ENVHUB_OFFLINE_AFTER", 12, 1, 10000)
    if config.offline_after <= config.late_after:
        reader.problems.append("ENVHUB_OFFLINE_AFTER must be larger than ENVHUB_LATE_AFTER.")
    # Limits on received monitoring files.
    config.max_file_bytes = reader.integer("ENVHUB_MAX_FILE_BYTES", 1_000_000, 1_000, 100_000_000)
    config.max_file_lines = reader.integer("ENVHUB_MAX_FILE_LINES", 10_000, 1, 1_000_000)
    config.future_tolerance_minutes = reader.integer("ENVHUB_FUTURE_TOLERANCE", 10, 0, 24 * 60)

    config.map_tile_url = (
        reader.raw("ENVHUB_MAP_TILE_URL") or "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    )
    if "{z}" not in config.map_tile_url or "{x}" not in config.map_tile_url:
        reader.problems.append("ENVHUB_MAP_TILE_URL: must contain {z}, {x} and {y}.")
    config.map_tile_attribution = (
        reader.raw("ENVHUB_MAP_TILE_ATTRIBUTION") or "© OpenStreetMap contributors"
    )

    config.secret_key, config.secret_key_source = _secret_key(reader, var_dir, create_secret)

    if config.debug:
        config.warnings.append("DEBUG is on: never run a public server like this.")
    if not config.https and not config.debug:
        config.warnings.append(
            "ENVHUB_HTTPS is off: cookies are not marked Secure. Turn it on behind a TLS proxy."
        )
    config.problems = reader.problems
    return config
