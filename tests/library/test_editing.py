"""A keeper's metadata edit: through the service (checked by metadata.check, one audit event
listing each changed field, bad input leaving the document as it was) and through the edit
page (errors in Vietnamese beside their fields, what was typed kept)."""

from __future__ import annotations

import datetime

import pytest

from envhub.core import audit
from envhub.core.errors import Forbidden, InvalidInput, NotAuthenticated
from envhub.library import editing
from envhub.library.models import AccessLevel, Document, Dossier

pytestmark = pytest.mark.django_db


def _changes():
    return audit.events().filter(action="library.document.change").order_by("id")


def test_the_service_saves_checked_fields_and_records_what_changed(world, shelf):
    document = editing.update_metadata(world.actor("librarian"), shelf.internal, {
        "title": "Báo cáo hiện trạng môi trường quốc gia 2024", "issued_on": "15/03/2025",
        "number": "45", "symbol": "BC-BTNMT", "provinces": ["01", "75"],
        "retention": "vĩnh viễn", "subjects": "không khí; nước mặt"})
    stored = Document.objects.get(pk=shelf.internal.pk)
    assert stored.title == "Báo cáo hiện trạng môi trường quốc gia 2024"
    assert (stored.issued_on, stored.year) == (datetime.date(2025, 3, 15), 2025)
    assert stored.number_and_symbol == "45/BC-BTNMT" and stored.retention_permanent
    assert stored.subjects == ["không khí", "nước mặt"]
    assert sorted(stored.provinces.values_list("code", flat=True)) == ["01", "75"]
    assert document.pk == stored.pk
    event = _changes().get()
    assert event.user == world.users["librarian"]
    assert event.changes["title"] == ["Tài liệu internal",
                                      "Báo cáo hiện trạng môi trường quốc gia 2024"]
    assert event.changes["issued_on"] == [None, "2025-03-15"]
    assert event.changes["provinces"] == [[], ["01", "75"]]
    assert "access_level" not in event.changes
    # The same values again change nothing, and nothing is recorded.
    editing.update_metadata(world.actor("steward"), stored, {"title": stored.title})
    assert _changes().count() == 1


def test_bad_input_is_refused_by_field_and_nothing_changes(world, shelf):
    with pytest.raises(InvalidInput) as refused:
        editing.update_metadata(world.actor("steward"), shelf.public, {
            "title": "Tên mới", "issued_on": "31/02/2024", "access_level": "secret",
            "identifier": "TL-2"})
    assert set(refused.value.details) == {"issued_on", "access_level", "identifier"}
    assert "dd/mm/yyyy" in refused.value.details["issued_on"][0]
    stored = Document.objects.get(pk=shelf.public.pk)
    assert (stored.title, stored.identifier) == ("Tài liệu public", "TL-1")
    assert shelf.public.title == "Tài liệu public"  # the caller's instance is untouched
    assert not _changes().exists()


def test_a_restricted_document_names_its_readers(world, shelf):
    with pytest.raises(InvalidInput) as refused:
        editing.update_metadata(world.actor("admin"), shelf.public, {
            "access_level": "restricted", "allowed_organisations": []})
    assert list(refused.value.details) == ["allowed_organisations"]
    editing.update_metadata(world.actor("admin"), shelf.public, {
        "access_level": "restricted", "allowed_organisations": [str(world.dept_dongnai.pk)]})
    stored = Document.objects.get(pk=shelf.public.pk)
    assert stored.access_level == AccessLevel.RESTRICTED
    assert list(stored.allowed_organisations.all()) == [world.dept_dongnai]
    # The Hà Nội officer no longer reads it; Đồng Nai's department would.
    assert world.client("officer").get("/library/documents/TL-1/").status_code == 404
    assert world.client("anonymous").get("/library/documents/TL-1/").status_code == 404


@pytest.mark.parametrize("persona,error", [
    ("anonymous", NotAuthenticated), ("operator", Forbidden), ("survey", Forbidden),
    ("leader", Forbidden), ("officer", Forbidden)])
def test_only_keepers_may_edit(world, shelf, persona, error):
    with pytest.raises(error):
        editing.update_metadata(world.actor(persona), shelf.public, {"title": "Đổi"})
    assert Document.objects.get(pk=shelf.public.pk).title == "Tài liệu public"


def _form(document, **values):
    data = {"collection": document.collection.code, "title": document.title,
            "identifier": document.identifier, "type": document.type,
            "access_level": document.access_level, "language": "vi"}
    data.update(values)
    return data


def test_the_edit_page_answers_errors_beside_their_fields(world, shelf):
    client = world.client("librarian")
    page = client.get("/library/documents/TL-3/edit/")
    assert page.status_code == 200
    assert page.context["form"].initial["allowed_organisations"] == [str(world.dept_hanoi.pk)]
    response = client.post("/library/documents/TL-3/edit/", _form(
        shelf.restricted, title="", issued_on="2024/13/45", retention="mãi mãi",
        allowed_organisations=[str(world.dept_hanoi.pk)], signer="Nguyễn Văn A"))
    assert response.status_code == 400
    text = response.content.decode()
    assert "Hãy sửa các lỗi dưới đây." in text
    errors = response.context["form"].errors
    assert set(errors) == {"title", "issued_on", "retention"}
    assert errors["title"] == ["Tài liệu cần có tiêu đề."]
    assert "Hãy ghi ngày theo dạng dd/mm/yyyy" in errors["issued_on"][0]
    assert "vĩnh viễn" in errors["retention"][0]
    assert 'value="Nguyễn Văn A"' in text  # what was typed stays
    assert Document.objects.get(pk=shelf.restricted.pk).signer == ""


def test_the_edit_page_saves_and_follows_a_new_identifier(world, shelf):
    dossier = Dossier.objects.create(collection=shelf.collection, code="HS-02", title="Hồ sơ")
    client = world.client("steward")
    response = client.post("/library/documents/TL-2/edit/", _form(
        shelf.internal, identifier="QD-45/2022", dossier="HS-02", issued_on="01/07/2022",
        date="2022", provinces=["01"], page_count="12"))
    assert response.status_code == 302
    assert response["Location"] == "/library/documents/QD-45/2022/"
    stored = Document.objects.get(pk=shelf.internal.pk)
    assert (stored.identifier, stored.dossier, stored.page_count) == ("QD-45/2022", dossier, 12)
    page = client.get(response["Location"])
    assert "Đã lưu siêu dữ liệu của tài liệu." in page.content.decode()
    assert client.get("/library/documents/QD-45/2022/edit/").status_code == 200
    assert _changes().get().changes["identifier"] == ["TL-2", "QD-45/2022"]
