"""What `envhub check` says of the library (`core/health.py`): whether its storage answers — a
folder that can be written, or an S3 bucket that exists and takes the keys given — and, through
`text_health`, whether text extraction and OCR can run."""

from __future__ import annotations

from envhub.core.health import Report, database_check
from envhub.library import text_health  # noqa: F401 - registers the text and OCR checks

# Seconds an object store has to answer before `envhub check` calls it unreachable.
STORE_TIMEOUT = 5


@database_check
def library_storage(report: Report) -> None:
    from django.conf import settings

    from envhub.core import store_url

    entry = settings.STORAGES["library"]
    where = store_url.describe(entry)
    if entry["BACKEND"] == store_url.S3_BACKEND:
        problem = _s3_problem()
    else:
        problem = _folder_problem(entry["OPTIONS"]["location"])
    if problem:
        report.error(f"library storage ({where}): {problem}")
    else:
        report.ok(f"library storage answers ({where})")


def _folder_problem(location: str) -> str | None:
    import os
    from pathlib import Path

    folder = Path(location)
    parent = folder if folder.exists() else folder.parent
    if not parent.is_dir():
        return "the folder does not exist and cannot be made (its parent is missing)."
    if not os.access(parent, os.W_OK | os.X_OK):
        return "this user cannot write there."
    return None


def _s3_problem() -> str | None:
    """A HEAD of the bucket: it must exist and the keys must open it."""
    from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

    from envhub.library.storage import library_storage

    store = library_storage()
    try:
        store.head_bucket(timeout=STORE_TIMEOUT)
    except ClientError as exc:
        code = str(exc.response.get("Error", {}).get("Code", ""))
        if code in ("404", "NoSuchBucket"):
            return "the bucket does not exist; create it, or correct ENVHUB_LIBRARY_STORAGE_URL."
        if code in ("403", "AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch"):
            return ("the store refuses the keys (access denied); check the access key and "
                    "secret in ENVHUB_LIBRARY_STORAGE_URL.")
        return f"the store answered with an error: {code or exc}."
    except NoCredentialsError:
        return ("no keys: give them in ENVHUB_LIBRARY_STORAGE_URL (s3://KEY:SECRET@bucket) or "
                "as AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.")
    except BotoCoreError as exc:
        return f"cannot reach the store: {exc}."
    return None


@database_check
def library_orphans(report: Report) -> None:
    """Files an interrupted upload or import left in the storage (`sweep.py`)."""
    from envhub.core.uploads import size_words
    from envhub.library import sweep

    try:
        found = list(sweep.orphans())
    except Exception:  # noqa: BLE001 - an unreachable store is `library_storage`'s error
        return
    if found:
        report.warn(
            f"library storage: {len(found)} files ({size_words(sum(o.size for o in found))}) "
            f"no document refers to, left over {sweep.GRACE.total_seconds() / 3600:.0f} h ago "
            "by an interrupted upload or import: `envhub library sweep` lists them, "
            "`envhub library sweep --delete` deletes them.")
    else:
        report.ok("library storage: no orphan files")
