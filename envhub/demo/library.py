"""The demo library: a collection (phông) of a dozen sample documents (`library/samples.py`)
— text PDFs, a scanned 1998 letter with no text layer, a DOCX, an XLSX, a plain-text note —
imported through `envhub library import`'s own road (`library/importer.py`), then their text
extracted and the scan recognised by OCR (`library/extraction.py`), so that a search finds
them after `envhub demo`.

Made once: when every sample is already in the library nothing is generated again; a rerun
after an interrupted one imports only what is missing (the samples' bytes are the same on
every run)."""

from __future__ import annotations

import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from envhub.core import audit
from envhub.core.permissions import Actor
from envhub.demo import country
from envhub.library import importer, samples
from envhub.library.models import Collection, Document, Dossier
from envhub.registry.models import Organisation, OrganisationKind

# The province whose department may read the restricted sample: the demo officer's.
RESTRICTED_PROVINCE = "01"
# At most this many documents a call to the text extraction (all the demo's in one).
EXTRACTION_LIMIT = 50


@dataclass
class LibraryReport:
    collection: Collection
    imported: int = 0
    already: int = 0
    failures: list[importer.Failure] = field(default_factory=list)
    extraction: str = ""  # "done", or why the text was not extracted here
    text_states: Counter = field(default_factory=Counter)
    seconds: float = 0.0


def ensure_collection(actor: Actor) -> Collection:
    with transaction.atomic():
        collection = Collection.objects.filter(code=samples.COLLECTION).first()
        if collection is None:
            collection = Collection.objects.create(
                code=samples.COLLECTION, title="Thư viện mẫu: báo cáo và hồ sơ môi trường",
                title_en="Sample library: environmental reports and records",
                description="Tài liệu mẫu của bản trình diễn: báo cáo, văn bản pháp luật, "
                            "bản quét hồ sơ lưu trữ giấy, số liệu.")
            audit.record(actor, "library.collection.add", collection)
        if not collection.dossiers.filter(code=samples.DOSSIER).exists():
            dossier = Dossier.objects.create(collection=collection, code=samples.DOSSIER,
                                             title="Hồ sơ quan trắc môi trường năm 2023")
            audit.record(actor, "library.dossier.add", dossier)
    return collection


def _readers_of_the_restricted_sample() -> tuple[int, ...]:
    department = (Organisation.objects.filter(kind=OrganisationKind.PROVINCIAL_DEPARTMENT,
                                              province__code=RESTRICTED_PROVINCE)
                  .order_by("name", "id").first())
    if department is None:
        raise country.DemoError("The demo country is missing (no department of environment "
                                "in Hà Nội); build it first with `envhub demo`.")
    return (department.pk,)


def ensure_library(actor: Actor) -> LibraryReport:
    """The demo collection with every sample, and their text (see the module's docstring)."""
    started = time.perf_counter()
    report = LibraryReport(ensure_collection(actor))
    present = set(Document.objects.filter(identifier__in=samples.IDENTIFIERS)
                  .values_list("identifier", flat=True))
    report.already = len(present)
    if len(present) < len(samples.IDENTIFIERS):
        try:
            with tempfile.TemporaryDirectory(prefix="envhub-demo-library-") as work:
                folder = Path(work)
                rows = samples.write_samples(folder, _readers_of_the_restricted_sample())
                manifest = samples.write_manifest(folder / "danh-muc.csv", rows)
                outcome = importer.run(actor, folder, importer.read_manifest(manifest, folder))
        except samples.SampleError as error:
            raise country.DemoError(str(error)) from None
        report.imported, report.already = outcome.imported, outcome.skipped
        report.failures = outcome.failures
    report.extraction = extract_text()
    report.text_states = Counter(Document.objects.filter(identifier__in=samples.IDENTIFIERS)
                                 .values_list("text_state", flat=True))
    report.seconds = time.perf_counter() - started
    return report


def extract_text() -> str:
    """Extract the text of the documents waiting for it, OCR included, now rather than in the
    worker: a visitor of the demo searches at once. "done", or why not."""
    from envhub.library import extraction

    extraction.process_pending(EXTRACTION_LIMIT)
    return "done"
