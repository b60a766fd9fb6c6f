"""The library in the catalogue: every public document is a dataset (`dcat:Dataset`) whose
distributions are its files — the originals of its newest version, the searchable PDF made by
OCR, the extracted text — each downloaded from the library (`/library/files/<id>/download/`,
where the access rule is applied again).

Only public documents are offered: a document made internal or restricted is no longer
offered and the catalogue's sync withdraws its dataset (`withdraws_missing`), so the
catalogue never lists what the library's policy hides. The dataset's rows, for its page's
preview and its CSV/JSON, are the list of its files.

The provider is incremental: every save or delete of a document, of one of its files or of
its provinces notes that document (`catalog.changes.note`, in the same transaction), and the
sync refreshes or withdraws only the noted documents' datasets.
"""

from __future__ import annotations

import re
from pathlib import PurePath

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from envhub.catalog import changes
from envhub.core.providers import (
    Column,
    DatasetSpec,
    DataStats,
    FileDistribution,
    Provider,
    register,
)
from envhub.core.text import slug
from envhub.library.models import Document, DocumentFile, FileRole
from envhub.library.oai_views import public_documents

IDENTIFIER_PREFIX = "thu-vien-"
# EU file-type codes of the media types the library keeps (DCAT `dct:format`).
FILE_TYPES = {
    "application/pdf": "PDF",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "DOCX",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "XLSX",
    "application/vnd.oasis.opendocument.text": "ODT",
    "text/plain": "TXT",
    "image/png": "PNG",
    "image/jpeg": "JPEG",
    "image/tiff": "TIFF",
}
ROLE_TITLES = {FileRole.ORIGINAL: "Bản gốc", FileRole.SEARCHABLE_PDF: "PDF tìm kiếm được",
               FileRole.TEXT: "Văn bản trích xuất"}
_SLUG_CUT = re.compile(r"-+$")


def dataset_identifier(document) -> str:
    """The catalogue's identifier of a document's dataset: a slug of the library's own,
    with the document's number so that two identifiers that slug alike stay apart."""
    name = _SLUG_CUT.sub("", slug(document.identifier)[:90]) or "tai-lieu"
    return f"{IDENTIFIER_PREFIX}{name}-{document.pk}"


def _document(dataset) -> Document | None:
    key = dataset.provider_key
    if not key.isdecimal():
        return None
    return public_documents().filter(pk=int(key)).first()


def newest_files(document) -> list[DocumentFile]:
    """The files of the document's newest version (originals, searchable PDF, text)."""
    newest = document.files.filter(role=FileRole.ORIGINAL).order_by("-version").values_list(
        "version", flat=True).first()
    if newest is None:
        return []
    return list(document.files.filter(version=newest).order_by("role", "id"))


def _spec(document: Document) -> DatasetSpec:
    return DatasetSpec(
        identifier=dataset_identifier(document), provider_key=str(document.pk),
        title_vi=document.title[:300], title_en="",
        description_vi=document.description or document.title,
        description_en="A document of the environmental library.",
        keywords=tuple(word for word in document.subjects or [] if word)[:20],
        themes=("ENVI",), frequency="IRREG", access_class="open",
        data_code=document.identifier[:60],
        legal_basis=document.number_and_symbol[:400],
        provenance=f"Thư viện điện tử, phông {document.collection.title}"[:1000])


class LibraryDocuments(Provider):
    key = "library.documents"
    formats = ("CSV", "JSON")  # the list of its files; the files themselves are `files()`
    incremental = True

    def specs(self):
        documents = public_documents().select_related("collection").order_by("id")
        for document in documents.iterator(chunk_size=500):
            yield _spec(document)

    def spec(self, key):
        if not key.isdecimal():
            return None
        document = public_documents().select_related("collection").filter(pk=int(key)).first()
        return None if document is None else _spec(document)

    def stats(self, dataset):
        document = _document(dataset)
        if document is None:
            return DataStats()
        return DataStats(modified=document.updated_at,
                         row_count=len(newest_files(document)),
                         province_ids=set(document.provinces.values_list("id", flat=True)))

    def columns(self, dataset):
        return [
            Column("version", "integer", "Phiên bản", "Version"),
            Column("role", "string", "Loại tệp", "Kind of file",
                   labels=tuple((role, (ROLE_TITLES[role], str(label)))
                                for role, label in FileRole.choices)),
            Column("name", "string", "Tên tệp", "File name"),
            Column("media_type", "string", "Kiểu tệp", "Media type"),
            Column("size", "integer", "Dung lượng (byte)", "Size (bytes)"),
            Column("sha256", "string", "SHA-256", "SHA-256"),
            Column("download", "string", "Đường dẫn tải về", "Download path"),
        ]

    def rows(self, dataset, filters):
        document = _document(dataset)
        if document is None:
            return
        for file in document.files.order_by("-version", "role", "id"):
            yield (file.version, file.role, file.name, file.media_type, file.size, file.sha256,
                   download_path(file))

    def count(self, dataset, filters):
        document = _document(dataset)
        return 0 if document is None else document.files.count()

    def files(self, dataset):
        document = _document(dataset)
        if document is None:
            return []
        return [FileDistribution(
            key=str(file.id), title=f"{document.title[:200]} — {ROLE_TITLES[file.role]}",
            media_type=file.media_type,
            file_type=FILE_TYPES.get(file.media_type) or
            PurePath(file.name).suffix.lstrip(".").upper() or "BIN",
            byte_size=file.size, checksum=file.sha256, path=download_path(file))
            for file in newest_files(document)]


def download_path(file) -> str:
    """The library's download of a file (the pages' route, access checked there)."""
    return f"/library/files/{file.id}/download/"


register(LibraryDocuments())


@receiver(post_save, sender=Document)
@receiver(post_delete, sender=Document)
def _note_document(sender, instance, raw: bool = False, **kwargs) -> None:
    if not raw:
        changes.note(LibraryDocuments.key, instance.pk)


@receiver(post_save, sender=DocumentFile)
@receiver(post_delete, sender=DocumentFile)
def _note_file(sender, instance, raw: bool = False, **kwargs) -> None:
    if not raw:
        changes.note(LibraryDocuments.key, instance.document_id)


@receiver(m2m_changed, sender=Document.provinces.through)
def _note_provinces(sender, instance, action: str, reverse: bool, pk_set=None, **kwargs) -> None:
    if not action.startswith("post_"):
        return
    if not reverse:
        changes.note(LibraryDocuments.key, instance.pk)
    else:  # a province's documents changed from the province's side
        for pk in pk_set or ():
            changes.note(LibraryDocuments.key, pk)
