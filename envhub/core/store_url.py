"""ENVHUB_LIBRARY_STORAGE_URL, read strictly into the `library` entry of Django's STORAGES
(pure module: `core/config.py` calls it before Django is set up).

- unset: the folder ENVHUB_VAR_DIR/library;
- `file:///absolute/folder`: another local folder (a mounted disk);
- `s3://ACCESS_KEY:SECRET_KEY@BUCKET/optional/prefix?endpoint=https://host:9000&region=…`:
  an S3-compatible object store (MinIO, Ceph, a provider's) through django-storages. Without
  the keys, boto3 finds them itself (AWS_ACCESS_KEY_ID…, a machine role). Options: `endpoint`
  (http or https URL; AWS when absent), `region`, `addressing` (`path` — what most
  self-hosted stores need —, `virtual` or `auto`), `part_mb` (the size of a multipart
  upload's parts, 5–512 MB, 8 by default).
A typo is refused with its reason rather than guessed at, as DATABASE_URL is."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

S3_BACKEND = "envhub.library.s3.LibraryS3Storage"
LOCAL_BACKEND = "django.core.files.storage.FileSystemStorage"
S3_OPTIONS = {"endpoint", "region", "addressing"} | {"part_mb"}
ADDRESSING = ("path", "virtual", "auto")
# S3's rules for a bucket name: 3–63 lower-case letters, digits, dots and hyphens, starting and
# ending with a letter or digit.
_BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
_REGION = re.compile(r"[a-z0-9-]{1,40}")


def local(folder: Path) -> dict:
    return {"BACKEND": LOCAL_BACKEND, "OPTIONS": {"location": str(folder)}}


def parse(url: str | None, var_dir: Path) -> dict:
    """The STORAGES entry `url` names; ValueError with the reason otherwise."""
    if not url:
        return local(var_dir / "library")
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "file":
        if parts.netloc or not parts.path.startswith("/"):
            raise ValueError("write a folder as file:///absolute/path (three slashes)")
        return local(Path(unquote(parts.path)))
    if scheme != "s3":
        raise ValueError("expected s3://[KEY:SECRET@]BUCKET[/prefix][?endpoint=…] or "
                         "file:///folder")
    return {"BACKEND": S3_BACKEND, "OPTIONS": _s3_options(parts)}


def _s3_options(parts) -> dict:
    bucket = parts.netloc.rpartition("@")[2]  # as written: `hostname` would lower-case it
    if ":" in bucket:
        raise ValueError("the store's address goes in ?endpoint=, not beside the bucket")
    if not _BUCKET.fullmatch(bucket) or ".." in bucket:
        raise ValueError(f"{bucket!r} is not a bucket name (3–63 lower-case letters, digits, "
                         "dots and hyphens)")
    if (parts.username is None) != (parts.password is None):
        raise ValueError("give both the access key and the secret key (KEY:SECRET@), or "
                         "neither")
    query = parse_qs(parts.query, keep_blank_values=True)
    unknown = sorted(set(query) - S3_OPTIONS)
    if unknown:
        raise ValueError(f"unknown option(s) {', '.join(unknown)}; accepted: "
                         f"{', '.join(sorted(S3_OPTIONS))}")
    if any(len(values) > 1 for values in query.values()):
        raise ValueError("an option is given twice")
    option = {key: values[0] for key, values in query.items()}
    prefix = unquote(parts.path).strip("/")
    if any(part in ("", ".", "..") for part in prefix.split("/")) and prefix:
        raise ValueError(f"the prefix {prefix!r} has an empty, . or .. part")
    options = {"bucket_name": bucket, "location": prefix,
               "addressing_style": option.get("addressing", "path")}
    if options["addressing_style"] not in ADDRESSING:
        raise ValueError(f"addressing={options['addressing_style']!r}: expected "
                         f"{', '.join(ADDRESSING)}")
    if "endpoint" in option:
        endpoint = urlsplit(option["endpoint"])
        if endpoint.scheme not in ("http", "https") or not endpoint.hostname or \
                endpoint.path.strip("/") or endpoint.query:
            raise ValueError(f"endpoint={option['endpoint']!r}: expected http(s)://host[:port]")
        try:
            endpoint.port  # noqa: B018 - a port that is not a number raises here
        except ValueError:
            raise ValueError(f"endpoint={option['endpoint']!r}: the port is not a "
                             "number") from None
        options["endpoint_url"] = f"{endpoint.scheme}://{endpoint.netloc}"
    if "region" in option:
        if not _REGION.fullmatch(option["region"]):
            raise ValueError(f"region={option['region']!r} is not a region name")
        options["region_name"] = option["region"]
    part_mb = option.get("part_mb", "8")
    if not part_mb.isdigit() or not 5 <= int(part_mb) <= 512:
        raise ValueError(f"part_mb={part_mb!r}: expected a whole number from 5 to 512")
    options["part_bytes"] = int(part_mb) << 20
    if parts.username is not None:
        options["access_key"] = unquote(parts.username)
        options["secret_key"] = unquote(parts.password)
    return options


def describe(entry: dict) -> str:
    """Where the library's files are, without its keys (for `envhub check`)."""
    options = entry.get("OPTIONS", {})
    if entry.get("BACKEND") == S3_BACKEND:
        where = options.get("endpoint_url", "AWS")
        prefix = f"/{options['location']}" if options.get("location") else ""
        return f"S3 bucket {options['bucket_name']}{prefix} at {where}"
    return f"folder {options.get('location')}"
