"""Who sees the catalogue's datasets: its part of the one permission policy
(`core/permissions.py`, where the access classes each role reads are decided)."""

from __future__ import annotations

from django.db.models import QuerySet

from envhub.core.permissions import Actor, catalogue_condition, scope_rule


@scope_rule("catalog.dataset", public=True)
def _datasets(actor: Actor, qs: QuerySet) -> QuerySet:
    return qs.filter(catalogue_condition(actor))


@scope_rule("catalog.distribution", "catalog.datasetversion", "catalog.metadataversion",
            public=True)
def _dataset_parts(actor: Actor, qs: QuerySet) -> QuerySet:
    return qs.filter(catalogue_condition(actor, "dataset__"))
