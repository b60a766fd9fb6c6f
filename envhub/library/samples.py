"""Sample documents for the demo library and the import benchmark, made here and the same on
every run: text PDFs (WeasyPrint), a scanned-like page of a 1998 archive with no text layer
(Vietnamese text drawn with a Debian font by Pillow, a little tilted and specked, as a scanner
leaves it), a DOCX, an XLSX and a plain-text note.

`write_samples(folder, restricted_to)` writes the files into `folder` and returns the manifest
rows that describe them (`write_manifest` writes those as `envhub library import` reads them).
The content is made up for the demo; the titles follow real kinds of Vietnamese records.
"""

from __future__ import annotations

import csv
import datetime
import html
import io
import random
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

COLLECTION = "thu-vien-mau"
DOSSIER = "HS-QT-2023"
# Fixed dates inside the files: the same bytes on every run, so a rerun finds them unchanged.
MADE_AT = datetime.datetime(2026, 1, 5, 8, 0, 0)
FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/noto/NotoSerif-Regular.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf",
    "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
)
SCAN_DPI = 200
MANIFEST_COLUMNS = ("identifier", "title", "collection", "dossier", "type", "creator",
                    "publisher", "issuing_body", "number", "symbol", "signer", "issued_on",
                    "date", "subjects", "description", "provinces", "access_level",
                    "allowed_organisations", "retention", "physical_location", "files")


class SampleError(RuntimeError):
    """A sample cannot be made on this machine (no Debian font)."""


@dataclass(frozen=True)
class Sample:
    identifier: str
    file: str
    title: str
    type: str
    paragraphs: tuple[str, ...]
    access_level: str = "public"
    provinces: str = ""
    issuing_body: str = "Trung tâm Thông tin và Dữ liệu môi trường"
    number: str = ""
    symbol: str = ""
    signer: str = ""
    issued_on: str = ""
    subjects: str = ""
    dossier: str = ""
    retention: str = "vĩnh viễn"
    physical_location: str = ""
    extra: dict = field(default_factory=dict)


AIR = ("Chỉ số chất lượng không khí VN_AQI tại các trạm quan trắc tự động liên tục cho thấy "
       "bụi mịn PM2,5 là thông số đáng lo ngại nhất vào các tháng mùa đông, khi nghịch nhiệt "
       "giữ bụi sát mặt đất.")
WATER = ("Nước sông chảy qua các đô thị lớn bị ô nhiễm hữu cơ: nhu cầu oxy hóa học (COD), "
         "amoni và tổng coliform vượt giới hạn của quy chuẩn tại nhiều điểm quan trắc.")
WASTE = ("Lượng chất thải rắn sinh hoạt phát sinh tăng nhanh; phần lớn vẫn được chôn lấp, "
         "tỷ lệ phân loại tại nguồn và tái chế còn thấp.")
DUTY = ("Các cơ sở có nguồn thải lớn phải lắp đặt trạm quan trắc tự động, truyền số liệu liên "
        "tục về Sở Nông nghiệp và Môi trường và Trung tâm Thông tin và Dữ liệu môi trường.")

TEXT_PDFS = (
    Sample("TVM-HTMT-2020", "bao-cao-hien-trang-moi-truong-2016-2020.pdf",
           "Báo cáo hiện trạng môi trường quốc gia giai đoạn 2016–2020", "state_of_environment",
           (AIR, WATER, WASTE, "Đa dạng sinh học tiếp tục suy giảm ở các hệ sinh thái rừng ngập "
            "mặn ven biển đồng bằng sông Cửu Long."),
           issued_on="15/12/2021", subjects="hiện trạng môi trường; không khí; nước mặt; "
           "chất thải rắn", physical_location="Kho lưu trữ tầng 2, giá A3, hộp 12"),
    Sample("TVM-QT-KK-HN-2023", "quan-trac-khong-khi-ha-noi-2023.pdf",
           "Báo cáo kết quả quan trắc chất lượng không khí Hà Nội năm 2023", "monitoring_report",
           (AIR, "Số giờ có VN_AQI ở mức kém và xấu tập trung vào tháng 12 và tháng 1; các quận "
            "nội thành chịu ảnh hưởng của giao thông và đốt rơm rạ vùng ven.", DUTY),
           provinces="01", issued_on="20/03/2024", dossier=DOSSIER,
           subjects="không khí; bụi mịn; Hà Nội"),
    Sample("TVM-QT-NM-SG-2023", "quan-trac-nuoc-mat-sai-gon-dong-nai-2023.pdf",
           "Báo cáo quan trắc nước mặt lưu vực sông Sài Gòn – Đồng Nai năm 2023",
           "monitoring_report",
           (WATER, "Đoạn sông Sài Gòn chảy qua Thành phố Hồ Chí Minh có hàm lượng amoni cao vào "
            "mùa khô; nước thải công nghiệp từ các khu công nghiệp ở Đồng Nai là một nguồn "
            "đáng kể."), provinces="79; 75", issued_on="28/03/2024", dossier=DOSSIER,
           subjects="nước mặt; sông Sài Gòn; sông Đồng Nai"),
    Sample("TVM-LBVMT-2020", "luat-bao-ve-moi-truong-2020.pdf",
           "Luật Bảo vệ môi trường số 72/2020/QH14 (bản tóm tắt)", "legal",
           ("Luật quy định về hoạt động bảo vệ môi trường; quyền, nghĩa vụ và trách nhiệm của cơ "
            "quan, tổ chức, cộng đồng dân cư, hộ gia đình và cá nhân.", DUTY,
            "Giấy phép môi trường thay thế các thủ tục cấp phép thành phần về xả thải."),
           issuing_body="Quốc hội", number="72", symbol="2020/QH14", issued_on="17/11/2020",
           signer="Nguyễn Thị Kim Ngân", subjects="luật; bảo vệ môi trường; giấy phép môi "
           "trường"),
    Sample("TVM-QCVN05-2023", "qcvn-05-2023-chat-luong-khong-khi.pdf",
           "Quy chuẩn kỹ thuật quốc gia về chất lượng không khí (bản tóm tắt)", "legal",
           ("Quy chuẩn quy định giá trị giới hạn của các thông số cơ bản trong không khí xung "
            "quanh: SO2, CO, NO2, O3, tổng bụi lơ lửng, bụi PM10 và bụi PM2,5.", AIR),
           number="05", symbol="2023/BTNMT", issued_on="31/10/2023",
           issuing_body="Bộ Tài nguyên và Môi trường", subjects="quy chuẩn; không khí"),
    Sample("TVM-CTR-2022", "chuyen-de-chat-thai-ran-sinh-hoat-2022.pdf",
           "Báo cáo chuyên đề: chất thải rắn sinh hoạt năm 2022", "state_of_environment",
           (WASTE, "Các bãi chôn lấp hợp vệ sinh tại nhiều tỉnh đã quá tải; nước rỉ rác chưa "
            "được xử lý đạt quy chuẩn trước khi thải ra môi trường."), issued_on="30/12/2022",
           subjects="chất thải rắn; chôn lấp; tái chế"),
    Sample("TVM-DTM-XLNT-2021", "dtm-nha-may-xu-ly-nuoc-thai-yen-xa.pdf",
           "Báo cáo đánh giá tác động môi trường dự án nhà máy xử lý nước thải", "eia",
           ("Dự án xây dựng nhà máy xử lý nước thải công suất 270.000 m3/ngày đêm; báo cáo "
            "đánh giá tác động trong giai đoạn thi công và vận hành.", WATER,
            "Chủ dự án cam kết quan trắc nước thải sau xử lý tự động, liên tục."),
           access_level="restricted", provinces="01", issued_on="12/05/2021",
           subjects="đánh giá tác động môi trường; nước thải", retention="20"),
    Sample("TVM-DT-NT-2024", "dieu-tra-nguon-thai-cong-nghiep-2024.pdf",
           "Báo cáo điều tra, thống kê nguồn thải công nghiệp năm 2024", "survey_report",
           ("Cuộc điều tra thống kê các nguồn khí thải và nước thải của cơ sở sản xuất công "
            "nghiệp: lưu lượng, nhiên liệu và hệ thống xử lý.", DUTY),
           access_level="internal", issued_on="15/01/2025",
           subjects="điều tra; nguồn thải; khí thải; nước thải", retention="10"),
)
SCANNED = Sample(
    "TVM-LT-1998-015", "cong-van-1998-quan-trac-nuoc-thai-scan.pdf",
    "Công văn năm 1998 về quan trắc nước thải khu công nghiệp Biên Hòa (bản quét)",
    "scanned_archive",
    ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "",
     "CÔNG VĂN", "Về việc quan trắc nước thải", "khu công nghiệp Biên Hòa, tỉnh Đồng Nai", "",
     "Kính gửi: Sở Khoa học, Công nghệ và Môi trường",
     "Nước thải của các nhà máy chưa được xử lý,",
     "gây ô nhiễm nghiêm trọng sông Đồng Nai.",
     "Đề nghị tổ chức quan trắc định kỳ hằng tháng",
     "và báo cáo kết quả trước ngày 30 hằng tháng."),
    access_level="internal", provinces="75", number="215", symbol="CV-MT", issued_on="04/08/1998",
    subjects="lưu trữ; nước thải; Biên Hòa", physical_location="Kho lưu trữ tầng 1, hộp 1998-04")
DOCX_SAMPLE = Sample(
    "TVM-KH-QT-2025", "ke-hoach-quan-trac-2025.docx",
    "Kế hoạch quan trắc môi trường năm 2025", "other",
    ("Mục tiêu: theo dõi diễn biến chất lượng không khí, nước mặt và đất trên phạm vi cả "
     "nước.", "Mạng lưới gồm các trạm quan trắc tự động và các điểm quan trắc định kỳ.", DUTY),
    issued_on="10/01/2025", subjects="kế hoạch; quan trắc", retention="10")
XLSX_SAMPLE = Sample(
    "TVM-SL-AQI-2024", "so-lieu-vn-aqi-theo-thang-2024.xlsx",
    "Số liệu VN_AQI trung bình theo tháng năm 2024 tại các thành phố lớn", "monitoring_report",
    (), provinces="01; 79; 31", issued_on="05/02/2025", subjects="không khí; VN_AQI; số liệu")
TEXT_SAMPLE = Sample(
    "TVM-TT-2025-03", "to-trinh-so-hoa-luu-tru.txt",
    "Tờ trình về việc số hóa tài liệu lưu trữ giấy", "other",
    ("Kính trình Lãnh đạo Trung tâm xem xét việc số hóa khoảng 12.000 hồ sơ lưu trữ giấy giai "
     "đoạn 1990–2010, nhận dạng chữ (OCR) tiếng Việt và đưa vào thư viện điện tử.",),
    access_level="internal", issued_on="03/03/2025", subjects="số hóa; lưu trữ")
SAMPLES = (*TEXT_PDFS, SCANNED, DOCX_SAMPLE, XLSX_SAMPLE, TEXT_SAMPLE)
IDENTIFIERS = tuple(sample.identifier for sample in SAMPLES)
AQI_CITIES = (("Hà Nội", (168, 152, 121, 98, 85, 72, 66, 70, 88, 112, 139, 171)),
              ("TP. Hồ Chí Minh", (82, 79, 85, 78, 66, 58, 55, 57, 60, 68, 75, 84)),
              ("Hải Phòng", (121, 109, 95, 81, 70, 62, 58, 61, 74, 90, 104, 118)))


def font_path() -> str:
    for candidate in FONT_CANDIDATES:
        if Path(candidate).is_file():
            return candidate
    raise SampleError("No Debian font for the scanned sample (install fonts-noto-core or "
                      "fonts-dejavu-core).")


def write_samples(folder: Path, restricted_to: tuple[int, ...] = ()) -> list[dict]:
    """Write every sample's file into `folder`; the manifest rows describing them. The
    restricted sample is readable by the organisations `restricted_to` (registry numbers)."""
    folder.mkdir(parents=True, exist_ok=True)
    for sample, data in zip(TEXT_PDFS, text_pdfs(TEXT_PDFS), strict=True):
        (folder / sample.file).write_bytes(data)
    (folder / SCANNED.file).write_bytes(scanned_pdf(SCANNED.paragraphs))
    (folder / DOCX_SAMPLE.file).write_bytes(docx(DOCX_SAMPLE.title, DOCX_SAMPLE.paragraphs))
    (folder / XLSX_SAMPLE.file).write_bytes(aqi_xlsx())
    (folder / TEXT_SAMPLE.file).write_text(
        TEXT_SAMPLE.title + "\n\n" + "\n".join(TEXT_SAMPLE.paragraphs) + "\n", encoding="utf-8")
    return [manifest_row(sample, restricted_to) for sample in SAMPLES]


def manifest_row(sample: Sample, restricted_to: tuple[int, ...] = ()) -> dict:
    row = {"identifier": sample.identifier, "title": sample.title, "collection": COLLECTION,
           "dossier": sample.dossier, "type": sample.type,
           "creator": sample.issuing_body, "publisher": "Trung tâm Thông tin và Dữ liệu môi "
           "trường", "issuing_body": sample.issuing_body, "number": sample.number,
           "symbol": sample.symbol, "signer": sample.signer, "issued_on": sample.issued_on,
           "date": sample.issued_on, "subjects": sample.subjects,
           "description": " ".join(sample.paragraphs)[:300], "provinces": sample.provinces,
           "access_level": sample.access_level,
           "allowed_organisations": "; ".join(str(pk) for pk in restricted_to)
           if sample.access_level == "restricted" else "",
           "retention": sample.retention, "physical_location": sample.physical_location,
           "files": sample.file}
    return row


def write_manifest(path: Path, rows: list[dict]) -> Path:
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=MANIFEST_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return path


# --- text PDFs: one WeasyPrint rendering, cut into documents (a rendering costs a second) ------

def _html(samples) -> str:
    sections = []
    for sample in samples:
        body = "".join(f"<p>{html.escape(text)}</p>" for text in sample.paragraphs * 6)
        sections.append(f"<section><h1>{html.escape(sample.title)}</h1>"
                        f"<p class=meta>{html.escape(sample.issuing_body)} — "
                        f"{html.escape(sample.issued_on)}</p>{body}</section>")
    return ("<!doctype html><html lang=vi><head><meta charset=utf-8><style>"
            "@page{size:A4;margin:2cm} body{font-family:'DejaVu Serif','Noto Serif',serif;"
            "font-size:12pt;line-height:1.5} section{break-before:page} h1{font-size:18pt}"
            ".meta{color:#555}</style></head><body>" + "".join(sections) + "</body></html>")


def text_pdfs(samples) -> list[bytes]:
    """One PDF with a text layer for each sample, in order."""
    from pypdf import PdfReader, PdfWriter
    from weasyprint import HTML

    rendered = HTML(string=_html(samples)).render()
    starts = [destination[0] for _label, destination, *_rest in rendered.make_bookmark_tree()]
    whole = PdfReader(io.BytesIO(rendered.write_pdf(pdf_identifier=b"envhub-samples")))
    ends = [*starts[1:], len(whole.pages)]
    result = []
    for sample, start, end in zip(samples, starts, ends, strict=True):
        writer = PdfWriter()
        for page in whole.pages[start:end]:
            writer.add_page(page)
        writer.add_metadata({"/Title": sample.title, "/Author": sample.issuing_body})
        buffer = io.BytesIO()
        writer.write(buffer)
        result.append(buffer.getvalue())
    return result


# --- a scanned page: an image, no text layer ------------------------------------------------

def scanned_pdf(lines, seed: int = 1998, pages: int = 1) -> bytes:
    """An A4 page (or several) at SCAN_DPI holding `lines` as an image only, greyish paper,
    specks and a slight tilt, as a scanner gives an old typed letter."""
    from PIL import Image, ImageDraw, ImageFilter, ImageFont

    rng = random.Random(seed)
    width, height = int(8.27 * SCAN_DPI), int(11.69 * SCAN_DPI)
    font = ImageFont.truetype(font_path(), size=int(SCAN_DPI * 14 / 72))
    images = []
    for _page in range(pages):
        page = Image.new("L", (width, height), 238)
        draw = ImageDraw.Draw(page)
        y = int(SCAN_DPI * 1.2)
        for line in lines:
            if line:
                box = draw.textbbox((0, 0), line, font=font)
                centred = line.isupper() or line.startswith("Độc lập")
                x = (width - box[2]) // 2 if centred else int(SCAN_DPI * 1.1)
                draw.text((x, y), line, font=font, fill=25)
            y += int(SCAN_DPI * 0.36)
        for _speck in range(1500):
            x, y_ = rng.randrange(width), rng.randrange(height)
            draw.point((x, y_), fill=rng.randrange(90, 200))
        page = page.rotate(rng.uniform(-0.6, 0.6), resample=Image.Resampling.BICUBIC,
                           fillcolor=238).filter(ImageFilter.GaussianBlur(0.5))
        images.append(page)
    buffer = io.BytesIO()
    images[0].save(buffer, "PDF", resolution=float(SCAN_DPI), save_all=True,
                   append_images=images[1:], title="Bản quét", creationDate=MADE_AT.timetuple(),
                   modDate=MADE_AT.timetuple())
    return buffer.getvalue()


# --- office files, with fixed dates inside the zip -----------------------------------------

def _fixed_zip(members: list[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members:
            info = zipfile.ZipInfo(name, date_time=MADE_AT.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, content)
    return buffer.getvalue()


def docx(title: str, paragraphs) -> bytes:
    """A minimal WordprocessingML document (what Word and LibreOffice open): a title and
    paragraphs. Written by hand: python-docx is not a dependency, and three parts suffice."""
    def paragraph(text: str, style: str = "") -> str:
        properties = f'<w:pPr><w:pStyle w:val="{style}"/></w:pPr>' if style else ""
        return (f"<w:p>{properties}<w:r><w:t xml:space=\"preserve\">{html.escape(text)}"
                "</w:t></w:r></w:p>")

    body = paragraph(title, "Title") + "".join(paragraph(text) for text in paragraphs)
    namespace = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    document = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                f'<w:document xmlns:w="{namespace}"><w:body>{body}</w:body></w:document>')
    content_types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.wordprocessingml.document.main+xml"/></Types>')
    relationships = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/officeDocument" Target="word/document.xml"/></Relationships>')
    return _fixed_zip([("[Content_Types].xml", content_types.encode()),
                       ("_rels/.rels", relationships.encode()),
                       ("word/document.xml", document.encode())])


def aqi_xlsx() -> bytes:
    """Monthly mean VN_AQI of three cities, a sheet of numbers with Vietnamese headers."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "VN_AQI 2024"
    sheet.append([XLSX_SAMPLE.title])
    sheet.append(["Thành phố", *[f"Tháng {month}" for month in range(1, 13)]])
    for city, values in AQI_CITIES:
        sheet.append([city, *values])
    workbook.properties.created = workbook.properties.modified = MADE_AT
    buffer = io.BytesIO()
    workbook.save(buffer)
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as archive:
        members = [(info.filename, archive.read(info)) for info in archive.infolist()]
    # openpyxl stamps the time of saving as the workbook's modified date: the fixed one instead.
    stamp = f"{MADE_AT:%Y-%m-%dT%H:%M:%SZ}".encode()
    members = [(name, re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>" + stamp, content)
                if name == "docProps/core.xml" else content) for name, content in members]
    return _fixed_zip(members)
