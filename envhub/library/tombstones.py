"""OAI-PMH tombstones (`DeletedRecord`): a harvester that took a public document must learn
when it leaves the harvest — deleted, made internal or restricted, or given a new identifier —
or it would keep it for good. The repository declares `deletedRecord` persistent: a tombstone
is a few bytes a document, harvesters may come back months apart, and nothing but the
identifier (already public) is kept. A tombstone is dropped when its identifier is public
again.

"Public" is the one access rule asked for the anonymous visitor (`oai_views.public_documents`),
before and after each save, in the saving transaction: a rollback takes the tombstone with it.
"""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver
from django.utils import timezone

from envhub.library.models import DeletedRecord, Document


def _public(pk) -> dict | None:
    from envhub.library.oai_views import public_documents

    if pk is None:
        return None
    return public_documents().filter(pk=pk).values("identifier", "collection__code").first()


def bury(identifier: str, collection_code: str, at=None) -> None:
    DeletedRecord.objects.update_or_create(identifier=identifier, defaults={
        "collection_code": collection_code, "deleted_at": at or timezone.now()})


@receiver(pre_save, sender=Document)
def _remember(sender, instance: Document, raw: bool = False, **kwargs) -> None:
    instance._public_before = None if raw else _public(instance.pk)


@receiver(post_save, sender=Document)
def _after_save(sender, instance: Document, raw: bool = False, **kwargs) -> None:
    if raw:
        return
    before = getattr(instance, "_public_before", None)
    now = _public(instance.pk)
    if now is not None:
        DeletedRecord.objects.filter(identifier=now["identifier"]).delete()
    if before is not None and (now is None or now["identifier"] != before["identifier"]):
        bury(before["identifier"], before["collection__code"])


@receiver(pre_delete, sender=Document)
def _remember_deleted(sender, instance: Document, **kwargs) -> None:
    instance._public_before = _public(instance.pk)


@receiver(post_delete, sender=Document)
def _after_delete(sender, instance: Document, **kwargs) -> None:
    before = getattr(instance, "_public_before", None)
    if before is not None:
        bury(before["identifier"], before["collection__code"])
