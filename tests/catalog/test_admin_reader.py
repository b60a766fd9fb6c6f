"""A leader reads a dataset in the catalogue admin without the steward's publishing fields: to
someone who may not change the dataset they would read "None"."""

from __future__ import annotations

import re

import pytest

from envhub.catalog.models import Dataset
from tests.catalog.test_row_scope import EXCEEDANCES, catalogue, client_of  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("persona, publishes", [("leader", False), ("steward", True)])
def test_only_who_may_change_a_dataset_sees_its_upload_fields(catalogue, persona,  # noqa: F811
                                                              publishes):
    dataset = Dataset.objects.get(identifier=EXCEEDANCES)
    page = client_of(catalogue, persona).get(f"/admin/catalog/dataset/{dataset.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert ('name="upload_note"' in html) is publishes
    text = re.sub(r"<[^>]+>", " ", re.sub(r"<(script|style)[^>]*>.*?</\1>", "", html,
                                          flags=re.S))
    assert re.search(r"\bNone\b", text) is None
