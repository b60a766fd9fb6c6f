"""The catalogue's sync refreshes only the library documents that changed: each save or delete
of a document, of one of its files or of its provinces notes it, and the next sync refreshes
that document's dataset alone, or withdraws it when the document is gone or no longer public.
`sync(full=True)` still walks every document."""

from __future__ import annotations

import datetime
import io

import pytest
from django.db import transaction

from envhub.catalog import services
from envhub.catalog.models import Dataset, PendingChange
from envhub.library import intake
from envhub.library.datasets import LibraryDocuments, dataset_identifier
from envhub.library.models import AccessLevel, Document
from tests.library.sample_files import one_page_pdf

pytestmark = pytest.mark.django_db

FIRST = datetime.datetime(2026, 3, 1, 8, 0, tzinfo=datetime.UTC)
LATER = FIRST + datetime.timedelta(hours=1)


@pytest.fixture
def three(world, shelf):
    """Three public documents in the catalogue, synced at FIRST with nothing left noted."""
    more = [Document.objects.create(collection=shelf.collection, identifier=f"TL-P{n}",
                                    title=f"Công khai {n}", access_level=AccessLevel.PUBLIC)
            for n in (1, 2)]
    report = services.sync(now=FIRST)
    assert report.problems == []
    assert not PendingChange.objects.filter(provider=LibraryDocuments.key).exists()
    return [shelf.public, *more]


def _refreshed_at_later() -> set[str]:
    return set(Dataset.objects.filter(provider=LibraryDocuments.key, refreshed_at=LATER)
               .values_list("identifier", flat=True))


def _dataset(document) -> Dataset:
    return Dataset.objects.get(identifier=dataset_identifier(document))


def test_it_offers_every_public_document_at_the_first_sync(three):
    assert {d.identifier for d in Dataset.objects.filter(provider=LibraryDocuments.key)} == {
        dataset_identifier(document) for document in three}


def test_a_new_file_refreshes_that_document_alone(world, three):
    document = three[1]
    intake.add_version(world.actor("librarian"), document,
                       intake.Incoming("bao-cao.pdf", io.BytesIO(one_page_pdf("Mới"))))
    services.sync(now=LATER)
    assert _refreshed_at_later() == {dataset_identifier(document)}
    assert _dataset(document).row_count == 1
    assert _dataset(three[0]).row_count == 0


def test_a_change_of_provinces_refreshes_that_document_alone(world, three):
    three[2].provinces.set([world.hanoi])
    services.sync(now=LATER)
    assert _refreshed_at_later() == {dataset_identifier(three[2])}
    assert set(_dataset(three[2]).provinces.all()) == {world.hanoi}


def test_no_change_refreshes_nothing(three):
    report = services.sync(now=LATER)
    assert _refreshed_at_later() == set()
    assert report.withdrawn == 0


def test_a_deleted_document_is_withdrawn_and_the_others_left_alone(three):
    gone = dataset_identifier(three[0])
    three[0].delete()
    report = services.sync(now=LATER)
    assert report.withdrawn == 1
    assert Dataset.objects.get(identifier=gone).withdrawn
    assert _refreshed_at_later() == set()
    assert not Dataset.objects.filter(provider=LibraryDocuments.key, withdrawn=True).exclude(
        identifier=gone).exists()


def test_a_document_made_internal_then_public_again_comes_back(three):
    document = three[1]
    document.access_level = AccessLevel.INTERNAL
    document.save()
    assert services.sync(now=LATER).withdrawn == 1
    assert _dataset(document).withdrawn
    document.access_level = AccessLevel.PUBLIC
    document.save()
    services.sync(now=LATER + datetime.timedelta(hours=1))
    assert not _dataset(document).withdrawn


def test_a_new_identifier_withdraws_the_old_dataset(three):
    document = three[2]
    old = dataset_identifier(document)
    document.identifier = "TL-MOI"
    document.save()
    services.sync(now=LATER)
    assert Dataset.objects.get(identifier=old).withdrawn
    assert not _dataset(document).withdrawn


def test_a_rolled_back_change_leaves_no_note(three):
    with pytest.raises(RuntimeError), transaction.atomic():
        three[0].provinces.set([])
        three[0].save()
        raise RuntimeError
    assert not PendingChange.objects.exists()


def test_a_new_public_document_is_offered_at_the_next_sync(shelf, three):
    document = Document.objects.create(collection=shelf.collection, identifier="TL-NEW",
                                       title="Mới", access_level=AccessLevel.PUBLIC)
    report = services.sync(now=LATER)
    assert report.created == 1
    assert _refreshed_at_later() == {dataset_identifier(document)}


def test_a_full_sync_repairs_what_no_note_said(three):
    Document.objects.filter(pk=three[0].pk).update(access_level=AccessLevel.INTERNAL)
    services.sync(now=LATER)
    assert not _dataset(three[0]).withdrawn  # no note: the incremental sync cannot know
    report = services.sync(now=LATER, full=True)
    assert _dataset(three[0]).withdrawn
    assert report.withdrawn == 1
    assert _refreshed_at_later() == {dataset_identifier(three[1]), dataset_identifier(three[2])}


def test_a_note_that_fails_is_kept_for_the_next_sync(monkeypatch, three):
    three[1].save()
    monkeypatch.setattr(LibraryDocuments, "stats", lambda self, dataset: 1 / 0)
    report = services.sync(now=LATER)
    assert report.problems and "division by zero" in report.problems[0]
    assert set(PendingChange.objects.values_list("provider_key", flat=True)) == {
        str(three[1].pk)}
