"""Documents into the library: files streamed into storage with their hash, versions kept,
and a refused file leaves nothing stored."""

from __future__ import annotations

import hashlib
import io

import pytest

from envhub.core.errors import Forbidden, InvalidInput, TooLarge
from envhub.library import intake, storage
from envhub.library.models import Document, DocumentFile
from tests.library import sample_files

pytestmark = pytest.mark.django_db

PDF = sample_files.pdf(2)


def _stored(folder) -> list:
    return [path for path in folder.rglob("*") if path.is_file()] if folder.exists() else []


def _new(shelf) -> Document:
    return Document(collection=shelf.collection, identifier="TL-9", title="Báo cáo quan trắc")


def test_it_keeps_the_file_with_its_hash_and_versions(world, shelf, library_folder):
    actor = world.actor("librarian")
    document = intake.add_document(actor, _new(shelf), [intake.Incoming("bao-cao.pdf",
                                                                       io.BytesIO(PDF))])
    first = document.files.get()
    assert (first.version, first.size, first.media_type) == (1, len(PDF), "application/pdf")
    assert first.sha256 == hashlib.sha256(PDF).hexdigest()
    with storage.open_stored(first.storage_name) as stream:
        assert stream.read() == PDF
    second = intake.add_version(actor, document, intake.Incoming("ban-sua.pdf",
                                                                 io.BytesIO(PDF + b" ")))
    assert second.version == 2
    assert document.files.count() == 2 and len(_stored(library_folder)) == 2


@pytest.mark.parametrize("name,content,error", [
    ("bao-cao.pdf", b"<html>not a pdf</html>", InvalidInput),
    ("rong.pdf", b"", InvalidInput),
    ("../../etc/passwd.pdf", PDF, InvalidInput),
    ("ten\x07la.pdf", PDF, InvalidInput),
    ("virus.exe", PDF, InvalidInput),
])
def test_it_refuses_a_bad_file_and_keeps_nothing(world, shelf, library_folder, name, content,
                                                 error):
    with pytest.raises(error):
        intake.add_document(world.actor("librarian"), _new(shelf),
                            [intake.Incoming(name, io.BytesIO(content))])
    assert not Document.objects.filter(identifier="TL-9").exists()
    assert DocumentFile.objects.count() == 0
    assert _stored(library_folder) == []


def test_it_refuses_a_file_over_the_limit_while_it_streams(world, shelf, library_folder,
                                                           settings):
    settings.ENVHUB_LIBRARY_MAX_FILE_BYTES = 4096
    read = []

    class Endless(io.RawIOBase):
        def readable(self):
            return True

        def readinto(self, buffer):
            read.append(len(buffer))
            buffer[:] = b"%" * len(buffer)
            return len(buffer)

    with pytest.raises(TooLarge):
        intake.add_document(world.actor("librarian"), _new(shelf),
                            [intake.Incoming("lon.pdf", io.BufferedReader(Endless()))])
    assert sum(read) < 4 << 20  # stopped at the limit, not after the whole stream
    assert _stored(library_folder) == []


def test_it_lets_only_the_keepers_add(world, shelf):
    with pytest.raises(Forbidden):
        intake.add_document(world.actor("leader"), _new(shelf),
                            [intake.Incoming("a.pdf", io.BytesIO(PDF))])
