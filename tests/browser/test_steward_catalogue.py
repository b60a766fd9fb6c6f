"""In a real browser, a steward's catalogue work on envhub's own pages: editing a dataset's
metadata (pickers, a preview of the change, a bad licence and an empty title answered beside
their fields) and publishing a file dataset's new version from its page (a file over the limit
refused beside the field before it is sent, the checksum shown, the version list updated) —
with no script error and no CSP violation; and the same form without JavaScript."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from envhub.catalog import files
from envhub.catalog.models import Dataset
from tests.browser.pages import open_page
from tests.browser.test_station_chart import PASSWORD

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
LIMIT = 4096
GOOD = "tỉnh,giá trị\nHà Nội,1\nĐồng Nai,2\n".encode()


@pytest.fixture
def steward_dataset(world, settings):
    settings.ENVHUB_MAX_DATASET_FILE_BYTES = LIMIT
    dataset = Dataset.objects.create(
        identifier="bao-cao-hien-trang", provider=files.FileDatasets.key,
        title_vi="Số liệu báo cáo hiện trạng môi trường", description_vi="Các bảng số liệu.",
        publisher=world.ministry, contact_name="Phòng Dữ liệu", contact_email="dl@example.vn",
        accrual_periodicity="ANNUAL", access_class="open", themes=["ENVI"],
        keywords=["hiện trạng môi trường"], language=["vi"])
    files.publish_version(world.actor("steward"), dataset, "bang.csv", b"a,b\n1,2\n")
    user = world.users["steward"]
    user.set_password(PASSWORD)
    user.save()
    return dataset


def sign_in(page, base: str) -> None:
    page.goto(f"{base}/login/")
    form = page.locator("form.stacked")
    form.locator("#id_username").fill("steward")
    form.locator("#id_password").fill(PASSWORD)
    form.locator("button[type=submit]").click()
    page.wait_for_url(f"{base}/")


def field_error(page, name: str) -> str:
    return page.locator(f"#field-{name} .field-error").inner_text()


def test_the_steward_edits_a_dataset_with_a_preview(steward_dataset, live_server, browser):
    context, page, errors = open_page(browser, live_server)
    base = live_server.url
    sign_in(page, base)
    page.goto(f"{base}/datasets/{steward_dataset.identifier}/")
    page.locator("#steward-actions a", has_text="Sửa siêu dữ liệu").click()
    page.wait_for_url("**/edit/")

    # An empty title: refused beside the field, the rest of the form kept.
    page.fill("#id_title_vi", "  ")
    page.locator("#id_description_vi").fill("Các bảng số liệu của báo cáo năm 2025.")
    page.click("#save-button")
    assert page.locator("#error-note").inner_text() == "Hãy sửa lỗi dưới đây."
    assert field_error(page, "title_vi") == "Bộ dữ liệu cần có tiêu đề."
    assert page.input_value("#id_description_vi") == "Các bảng số liệu của báo cáo năm 2025."
    assert page.get_attribute("#id_title_vi", "aria-invalid") == "true"

    # A licence outside the vocabulary (a stale or tampered form): refused beside the field.
    page.fill("#id_title_vi", "Số liệu hiện trạng môi trường 2025")
    page.evaluate("""() => { const select = document.querySelector('#id_licence');
        select.add(new Option('Giấy phép riêng', 'https://example.com/licence'));
        select.value = 'https://example.com/licence'; }""")
    page.click("#save-button")
    assert field_error(page, "licence") == "Chọn một giấy phép trong danh sách."
    assert page.locator("#field-title_vi .field-error").count() == 0
    assert page.input_value("#id_title_vi") == "Số liệu hiện trạng môi trường 2025"

    # Themes, keywords and the licence picked; the preview says what will change, in words.
    page.select_option("#id_licence", "https://creativecommons.org/publicdomain/zero/1.0/")
    page.locator("#field-themes label", has_text="Sức khỏe").locator("input").check()
    page.locator("#field-keywords label", has_text="chất lượng không khí").locator(
        "input").check()
    page.click("#preview-button")
    page.wait_for_selector("#change-preview")
    rows = page.locator("#change-preview tbody tr")
    changed = dict(zip(rows.locator("th").all_inner_texts(),
                       rows.locator("td ins").all_inner_texts(), strict=True))
    assert changed["Chủ đề"] == "Môi trường, Sức khỏe"
    assert changed["Giấy phép sử dụng"] == "Creative Commons CCZero"
    assert changed["Tên (tiếng Việt)"] == "Số liệu hiện trạng môi trường 2025"
    assert "chất lượng không khí" in changed["Từ khóa"]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "steward-edit-preview.png"), full_page=True)
    page.click("#save-button")
    page.wait_for_url(f"{base}/datasets/{steward_dataset.identifier}/")
    assert "Đã lưu siêu dữ liệu" in page.locator(".messages").inner_text()
    assert page.locator("h1").inner_text() == "Số liệu hiện trạng môi trường 2025"
    assert errors == []
    context.close()


def test_the_steward_publishes_a_version_from_its_page(steward_dataset, live_server, browser,
                                                       tmp_path):
    context, page, errors = open_page(browser, live_server)
    base = live_server.url
    sign_in(page, base)
    page.goto(f"{base}/datasets/{steward_dataset.identifier}/")
    assert page.locator("#version-list tbody tr").count() == 1
    sent = []
    page.on("request", lambda request: sent.append(request.method) if "/publish/" in
            request.url else None)

    # Over the limit: said beside the field as soon as it is chosen, and never sent.
    big = tmp_path / "lon.csv"
    big.write_bytes(b"a\n" + b"1\n" * LIMIT)
    page.set_input_files("#id_file", str(big))
    assert field_error(page, "file") == "Tệp lớn hơn 4 KB, dung lượng tối đa của một phiên bản."
    page.click("#publish-button")
    assert field_error(page, "file").startswith("Tệp lớn hơn 4 KB")
    assert sent == []

    # A kind of file that cannot be published: sent, refused by the server, and the answer's
    # form (with the error beside the field) replaces this one.
    page.set_input_files("#id_file", {"name": "virus.exe", "mimeType": "application/x-msdownload",
                                      "buffer": b"MZ"})
    page.click("#publish-button")
    page.wait_for_function("() => document.querySelector('#field-file .field-error')")
    assert field_error(page, "file").startswith("Không công bố được loại tệp này")
    assert sent == ["POST"]
    assert page.locator("#version-list tbody tr").count() == 1

    # A good file: its checksum shown before it is sent, then the list holds version 2.
    good = tmp_path / "bảng số liệu.csv"
    good.write_bytes(GOOD)
    digest = hashlib.sha256(GOOD).hexdigest()
    page.set_input_files("#id_file", str(good))
    assert page.locator("#field-file .field-error").count() == 0
    page.wait_for_function("() => document.querySelector('#publish-checksum').dataset.sha256")
    assert page.get_attribute("#publish-checksum", "data-sha256") == digest
    page.fill("#id_note", "Thêm Đồng Nai")
    page.click("#publish-button")
    page.wait_for_url("**published=2**")
    assert sent == ["POST", "POST"]
    row = page.locator("#version-list tr[data-version='2']")
    assert row.locator(".sha256").inner_text() == digest
    assert "Thêm Đồng Nai" in row.inner_text()
    assert page.locator("#version-list tbody tr").count() == 2
    assert "Đã công bố phiên bản 2" in page.locator(".messages").inner_text()
    page.screenshot(path=str(SCREENSHOTS / "steward-published.png"), full_page=True)
    assert errors == []
    context.close()


def test_the_publish_form_works_without_javascript(steward_dataset, live_server, browser,
                                                   tmp_path):
    context, page, errors = open_page(browser, live_server, java_script_enabled=False)
    base = live_server.url
    sign_in(page, base)
    page.goto(f"{base}/datasets/{steward_dataset.identifier}/")
    big = tmp_path / "lon.csv"
    big.write_bytes(b"a\n" + b"1\n" * LIMIT)
    page.set_input_files("#id_file", str(big))
    page.click("#publish-button")
    page.wait_for_url("**/publish/")
    assert field_error(page, "file") == (
        "Tệp có dung lượng 8 KB, trong khi một phiên bản chỉ được tối đa 4 KB.")
    page.set_input_files("#id_file", {"name": "bang.csv", "mimeType": "text/csv",
                                      "buffer": GOOD})
    page.click("#publish-button")
    page.wait_for_url(f"{base}/datasets/{steward_dataset.identifier}/#versions")
    assert page.locator("#version-list tbody tr").count() == 2
    assert errors == []
    context.close()


def test_the_steward_pages_fit_a_phone(steward_dataset, live_server, browser):
    context, page, errors = open_page(browser, live_server,
                                      viewport={"width": 390, "height": 844})
    base = live_server.url
    sign_in(page, base)
    for path in ("edit/", "publish/"):
        page.goto(f"{base}/datasets/{steward_dataset.identifier}/{path}")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
    # On the dataset page, the steward's part keeps within the screen (its table scrolls in
    # its own box).
    page.goto(f"{base}/datasets/{steward_dataset.identifier}/")
    for part in ("#steward-actions", "#versions", "#publish-form"):
        assert page.evaluate(f"document.querySelector('{part}').getBoundingClientRect().right"
                             ) <= 390, part
    assert errors == []
    context.close()
