"""The library's files in an S3-compatible object store (django-storages' S3 backend), set up
by ENVHUB_LIBRARY_STORAGE_URL (`core/store_url.py`).

Tuned for documents of up to gigabytes: uploads go in parts of `part_bytes` (multipart past
one part), two at a time, so that memory holds a few parts whatever the file's size; reads
are streamed from the GET's body (`open_chunks`), and a file opened the Django way spills to
disk past `max_memory_size` instead of being held whole. Timeouts are short enough for
`envhub check` to call a store unreachable rather than hang."""

from __future__ import annotations

from collections.abc import Iterator

from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from storages.backends.s3 import S3Storage
from storages.utils import clean_name

PART_BYTES = 8 << 20
# Parts in flight at once, and parts read ahead of them (boto3 reads ten ahead by default):
# each is held in memory while it waits or is sent.
CONCURRENCY = 2


class LibraryS3Storage(S3Storage):
    def __init__(self, part_bytes: int = PART_BYTES, **options):
        transfer = TransferConfig(multipart_threshold=part_bytes, multipart_chunksize=part_bytes,
                                  max_concurrency=CONCURRENCY, io_chunksize=1 << 20)
        transfer.max_in_memory_upload_chunks = CONCURRENCY  # s3transfer's, not in boto3's args
        options.setdefault("transfer_config", transfer)
        options.setdefault("client_config", Config(
            s3={"addressing_style": options.get("addressing_style") or "path"},
            signature_version="s3v4", connect_timeout=5, read_timeout=60,
            retries={"max_attempts": 3, "mode": "standard"}))
        options.setdefault("max_memory_size", part_bytes)
        options.setdefault("file_overwrite", True)  # names are new uuids: no HEAD before a PUT
        options.setdefault("default_acl", None)
        options.setdefault("querystring_auth", True)
        super().__init__(**options)

    def key(self, name: str) -> str:
        return self._normalize_name(clean_name(name))

    def open_chunks(self, name: str, size: int, start: int = 0,
                    length: int | None = None) -> Iterator[bytes]:
        """The object's bytes as its GET streams them — all, or `length` from `start` (the
        GET's own Range, so the store sends only those); FileNotFoundError if it is missing."""
        from botocore.exceptions import ClientError

        wanted = {}
        if start or length is not None:
            end = "" if length is None else str(start + length - 1)
            wanted["Range"] = f"bytes={start}-{end}"
        try:
            body = self.bucket.Object(self.key(name)).get(**wanted)["Body"]
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                raise FileNotFoundError(f"not in the library's store: {name}") from None
            raise

        def read() -> Iterator[bytes]:
            try:
                yield from body.iter_chunks(size)
            finally:
                body.close()
        return read()

    def walk_objects(self, prefixes) -> Iterator[tuple[str, int, object]]:
        """(name, size, last modified) of every object under each prefix, from the bucket's
        listing a page (1,000 keys) at a time: no HEAD per object."""
        root = f"{self.location.strip('/')}/" if self.location.strip("/") else ""
        for prefix in prefixes:
            for item in self.bucket.objects.filter(Prefix=root + prefix):
                yield item.key[len(root):], item.size, item.last_modified

    def head_bucket(self, timeout: int) -> None:
        """Raise the store's error unless the bucket exists and the keys open it."""
        client = self._create_session().client(
            "s3", region_name=self.region_name, use_ssl=self.use_ssl,
            endpoint_url=self.endpoint_url, verify=self.verify,
            config=self.client_config.merge(Config(connect_timeout=timeout,
                                                   read_timeout=timeout,
                                                   retries={"max_attempts": 1})))
        client.head_bucket(Bucket=self.bucket_name)
