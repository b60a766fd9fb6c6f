"""Schema pages for every role: the list and a schema's page (versions, the template's columns
in words, the XLSX template), and the stewards' editor: a descriptor previewed, refused in
Vietnamese when it is not a schema envhub checks, saved as a new version (never an edit)."""

from __future__ import annotations

import copy
import io
import json
import re

import openpyxl
import pytest

from envhub.accounts.models import AuditEvent
from envhub.surveys.models import SchemaVersion, SurveySchema
from envhub.surveys.tableschema import SCHEMAS_DIR
from tests.surveys.steps import PERSONAS

pytestmark = pytest.mark.django_db

WELLS = "gieng-nuoc-ho-gia-dinh"
EDITORS = {"admin", "steward"}


def descriptor() -> dict:
    return json.loads((SCHEMAS_DIR / "generic_example.json").read_text(encoding="utf-8"))


def small() -> dict:
    return {"name": "trees", "titles": {"vi": "Kiểm kê cây xanh", "en": "Tree count"},
            "fields": [
                {"name": "tree_id", "type": "string", "title": "Mã cây",
                 "constraints": {"required": True}},
                {"name": "height", "type": "number", "title": "Chiều cao", "unit": "m",
                 "constraints": {"minimum": 0, "maximum": 80}},
                {"name": "province", "type": "string", "title": "Mã tỉnh"}],
            "foreignKeys": [{"fields": "province",
                             "reference": {"resource": "registry:province",
                                           "fields": "code"}}]}


@pytest.mark.parametrize("persona", PERSONAS)
def test_signed_in_people_read_the_schemas(world, campaign, persona):
    client = world.client(persona)
    listing = client.get("/surveys/schemas/")
    page = client.get(f"/surveys/schemas/{WELLS}/")
    template = client.get(f"/surveys/schemas/{WELLS}/template.xlsx")
    if persona == "anonymous":
        assert {listing.status_code, page.status_code, template.status_code} == {302}
        return
    assert listing.status_code == page.status_code == template.status_code == 200
    assert "Khảo sát giếng nước hộ gia đình" in listing.content.decode()
    html = page.content.decode()
    assert 'data-field="depth"' in html and "Độ sâu (m)" in html
    assert "ít nhất" in html or "tối thiểu" in html or "từ" in html  # rules in words
    assert "mã tỉnh" in html.lower()  # the code list a column is checked against
    assert 'data-version="1"' in html
    assert ('id="edit-schema"' in html) == (persona in EDITORS)
    book = openpyxl.load_workbook(io.BytesIO(b"".join(template.streaming_content)))
    assert book.sheetnames[0] == "Dữ liệu"
    assert "v1.xlsx" in template["Content-Disposition"]


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_stewards_open_the_editor(world, campaign, persona):
    client = world.client(persona)
    for url in ("/surveys/schemas/new/", f"/surveys/schemas/{WELLS}/edit/"):
        response = client.get(url)
        expected = 200 if persona in EDITORS else 302 if persona == "anonymous" else 403
        assert response.status_code == expected, url
    response = client.post("/surveys/schemas/new/", {
        "slug": "cay-xanh", "descriptor": json.dumps(small()), "action": "save"})
    assert SurveySchema.objects.filter(slug="cay-xanh").exists() == (persona in EDITORS)
    if persona not in EDITORS:
        assert response.status_code == (401 if persona == "anonymous" else 403)


def test_the_preview_shows_the_template_before_anything_is_saved(world, campaign):
    client = world.client("steward")
    response = client.post("/surveys/schemas/new/", {
        "slug": "cay-xanh", "descriptor": json.dumps(small()), "action": "preview"})
    html = response.content.decode()
    assert 'id="schema-preview"' in html and "Chiều cao (m)" in html
    assert not SurveySchema.objects.filter(slug="cay-xanh").exists()
    client.post("/surveys/schemas/new/", {"slug": "cay-xanh", "descriptor": json.dumps(small()),
                                          "note": "Đợt đầu", "action": "save"})
    created = SurveySchema.objects.get(slug="cay-xanh")
    assert (created.kind, created.title_vi, created.current().number) == (
        "generic", "Kiểm kê cây xanh", 1)
    assert AuditEvent.objects.filter(object_type="surveys.surveyschema",
                                     object_id=str(created.pk), action="create").exists()


@pytest.mark.parametrize("text, words", [
    ("{not json", "không phải JSON hợp lệ (dòng 1, cột 2)"),
    (json.dumps({"fields": [{"name": "a", "type": "geopoint"}]}),
     "không phải là lược đồ bảng mà envhub kiểm tra được"),
    (json.dumps({"fields": [{"name": "a"}], "foreignKeys": [
        {"fields": "a", "reference": {"resource": "registry:river", "fields": "code"}}]}),
     "lược đồ"),
])
def test_a_bad_descriptor_is_refused_in_vietnamese(world, text, words):
    response = world.client("steward").post("/surveys/schemas/new/", {
        "slug": "hong", "descriptor": text, "action": "preview"})
    html = response.content.decode()
    error = re.search(r'class="field-error"[^>]*>([^<]*)<', html)
    assert response.status_code == 200 and error and words in error.group(1), html[-3000:]
    assert not SurveySchema.objects.filter(slug="hong").exists()


def test_saving_an_edit_makes_a_new_version_and_keeps_the_old(world):
    schema = SurveySchema.objects.get(slug=WELLS)
    first = schema.current()
    changed = copy.deepcopy(descriptor())
    changed["fields"][0]["description"] = "Mã do đơn vị đặt"
    client = world.client("steward")
    response = client.post(f"/surveys/schemas/{WELLS}/edit/", {
        "descriptor": json.dumps(changed, ensure_ascii=False), "note": "Thêm ghi chú",
        "action": "save"})
    assert response.status_code == 302
    assert list(schema.versions.order_by("number").values_list("number", flat=True)) == [1, 2]
    assert SchemaVersion.objects.get(pk=first.pk).descriptor == first.descriptor
    page = client.get(f"/surveys/schemas/{WELLS}/").content.decode()
    assert 'data-version="2"' in page and "Thêm ghi chú" in page
    # The same again changes nothing.
    again = client.post(f"/surveys/schemas/{WELLS}/edit/", {
        "descriptor": json.dumps(changed, ensure_ascii=False), "action": "save"})
    assert again.status_code == 200 and schema.versions.count() == 2


def test_a_built_in_kind_keeps_the_fields_its_loader_reads(world):
    slug = "ket-qua-quan-trac-dinh-ky"
    current = SurveySchema.objects.get(slug=slug).current().descriptor
    fewer = copy.deepcopy(current)
    fewer["fields"] = [f for f in fewer["fields"] if f["name"] != "value"]
    fewer.pop("belowDetection", None)
    response = world.client("steward").post(f"/surveys/schemas/{slug}/edit/", {
        "descriptor": json.dumps(fewer, ensure_ascii=False), "action": "save"})
    assert response.status_code == 200
    assert "hãy giữ lại: value" in response.content.decode()
    assert SurveySchema.objects.get(slug=slug).versions.count() == 1
