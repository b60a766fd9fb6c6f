"""The words and tables of the bulletins drafted from the data, written from their figures
(`bulletins.py`): the post's title, summary and Markdown text, and the tables that the text,
the press kit's XLSX and its citation share. The bulletins are Vietnamese documents — like a
post's text, their wording is content, not the site's interface, so it is written here in
Vietnamese rather than through the message catalogue.

Nothing here looks better than the data: a city's day without an index is "thiếu số liệu"
and counted as such, a count that cannot be said is "không có số liệu" (never 0), a change
against a week without data is not given, and the emissions bulletin says that it covers only
the facilities opened to the public."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from urllib.parse import urlencode

from django.urls import reverse

from envhub.airquality.services import pollutant_label
from envhub.airquality.vn_aqi import CATEGORIES
from envhub.core.numbers import format_number
from envhub.core.site import absolute
from envhub.news.bulletins import AQI_DATASET, EVENTS_DATASET, MONTHS_DATASET
from envhub.registry.models import Sector

TEXT, COUNT, PERCENT, AQI, CHANGE, LINK = "text", "count", "percent", "aqi", "change", "link"
NO_DATA = "không có số liệu"
MISSING_DAY = "thiếu số liệu"
CATEGORY_NAMES = {category.code: category.name_vi for category in CATEGORIES}
WEEKDAYS = ("T2", "T3", "T4", "T5", "T6", "T7", "CN")
SITE_NAME = "Hệ thống thông tin môi trường quốc gia (envhub)"


@dataclass(frozen=True)
class Table:
    key: str
    title: str
    columns: list[tuple[str, str]]  # (heading, kind)
    rows: list[list]


@dataclass(frozen=True)
class Text:
    title: str
    summary: str
    body: str


def day_of(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


def dataset_path(identifier: str, first: str, last: str, province: str | None = None) -> str:
    """The catalogue's CSV of the rows behind a figure: the dataset, the period's days and the
    province (the catalogue's own filters)."""
    query = {"from": first, "to": last}
    if province:
        query["province"] = province
    return (reverse("dataset-download", args=[identifier, "csv"]) + "?"
            + urlencode(query))


def dataset_page(identifier: str) -> str:
    return reverse("dataset", args=[identifier])


def chart_path(kind: str, first: str, name: str, fmt: str = "svg") -> str:
    return reverse("news-bulletin-chart", args=[kind, first, name, fmt])


def cell(value, kind: str, missing: str = NO_DATA) -> str:
    """A table cell as the Markdown text shows it (Vietnamese numbers)."""
    if kind == LINK:
        return f"[CSV]({value})" if value else ""
    if kind == TEXT:
        return str(value or "").replace("|", "\\|")
    if value is None:
        return MISSING_DAY if kind == AQI else missing
    if kind == CHANGE:
        return ("+" if value > 0 else "") + format_number(value, "vi")
    return format_number(value, "vi", decimals=1 if kind == PERCENT else 0)


def markdown_table(table: Table) -> str:
    lines = ["| " + " | ".join(heading for heading, _kind in table.columns) + " |",
             "| " + " | ".join("---" if kind in (TEXT, LINK) else "---:"
                               for _heading, kind in table.columns) + " |"]
    for row in table.rows:
        lines.append("| " + " | ".join(cell(value, kind) for value, (_h, kind)
                                       in zip(row, table.columns, strict=True)) + " |")
    return "\n".join(lines)


def _date(text: str) -> str:
    return f"{day_of(text):%d/%m/%Y}"


def _short(text: str) -> str:
    return f"{day_of(text):%d/%m}"


# --- air quality ----------------------------------------------------------------------------

def air_tables(figures: dict) -> list[Table]:
    period, before = figures["period"], figures["previous"]
    categories = figures["categories"]
    link = {row["province"]: dataset_path(AQI_DATASET, period["first"], period["last"],
                                          row["province"]) for row in figures["cities"]}
    days = [row["day"] for row in figures["cities"][0]["days"]] if figures["cities"] else []
    return [
        Table("aqi_days", "Số ngày theo mức VN_AQI",
              [("Thành phố", TEXT), *[(CATEGORY_NAMES[c], COUNT) for c in categories],
               ("Thiếu số liệu", COUNT), ("Trạm có chỉ số", COUNT), ("Số liệu", LINK)],
              [[row["name"], *[row["counts"][c] for c in categories], row["missing"],
                row["stations"], link[row["province"]]] for row in figures["cities"]]),
        Table("aqi_daily", "VN_AQI ngày của trạm cao nhất mỗi thành phố",
              [("Thành phố", TEXT),
               *[(f"{WEEKDAYS[day_of(d).weekday()]} {_short(d)}", AQI) for d in days]],
              [[row["name"], *[d["aqi"] for d in row["days"]]] for row in figures["cities"]]),
        Table("aqi_worst", "Những ngày có VN_AQI cao nhất",
              [("Thành phố", TEXT), ("Ngày", TEXT), ("VN_AQI", COUNT), ("Mức", TEXT),
               ("Chất ô nhiễm chính", TEXT), ("Trạm", TEXT)],
              [[row["name"], _date(d["day"]), d["aqi"], CATEGORY_NAMES.get(d["category"], ""),
                pollutant_label(d["dominant"]), d["station"]]
               for row in figures["cities"] for d in row["worst"]]),
        Table("aqi_change", f"So với tuần trước ({_short(before['first'])}–"
                            f"{_date(before['last'])})",
              [("Thành phố", TEXT), ("Ngày từ mức Kém trở lên", COUNT),
               ("Tuần trước", COUNT), ("Thay đổi (ngày)", CHANGE),
               ("Ngày thiếu số liệu", COUNT), ("Tuần trước thiếu", COUNT)],
              [[row["name"], row["unhealthy"] if row["with_index"] else None,
                row["previous_unhealthy"] if row["previous_with_index"] else None,
                row["unhealthy"] - row["previous_unhealthy"] if row["previous_with_index"]
                and row["with_index"] else None,
                row["missing"], row["previous_missing"]] for row in figures["cities"]]),
    ]


def _air_lines(row: dict) -> str:
    words = [f"**{row['name']}**: "]
    if not row["with_index"]:
        words.append("không có chỉ số ngày nào trong tuần (thiếu số liệu cả 7 ngày).")
        return "".join(words)
    top = row["worst"][0]
    words.append(f"{row['unhealthy']} ngày từ mức Kém trở lên; ngày cao nhất {_date(top['day'])}"
                 f" với VN_AQI {top['aqi']} ({CATEGORY_NAMES.get(top['category'], '')}), chất "
                 f"ô nhiễm chính {pollutant_label(top['dominant'])}")
    if not row["previous_with_index"]:
        words.append("; tuần trước không có số liệu để so sánh")
    else:
        change = row["unhealthy"] - row["previous_unhealthy"]
        words.append(f"; tuần trước {row['previous_unhealthy']} ngày"
                     + (f" ({'+' if change > 0 else ''}{change} ngày)" if change else
                        " (không đổi)"))
        if row["previous_missing"]:
            words.append(f", tuần trước thiếu số liệu {row['previous_missing']} ngày")
    words.append(".")
    if row["missing"]:
        words.append(f" Thiếu số liệu {row['missing']} ngày trong tuần: những ngày này không "
                     "được tính vào mức nào.")
    return "".join(words)


def air_text(figures: dict) -> Text:
    period = figures["period"]
    span = f"{_short(period['first'])}–{_date(period['last'])}"
    title = f"Bản tin chất lượng không khí tuần {span}"
    cities = figures["cities"]
    missing = sum(row["missing"] for row in cities)
    summary = (f"Số ngày theo mức VN_AQI của {len(cities)} thành phố trong tuần {span}, những "
               "ngày cao nhất và so sánh với tuần trước"
               + (f"; thiếu số liệu {missing} ngày-thành phố." if missing else "."))
    tables = {table.key: table for table in air_tables(figures)}
    parts = [
        f"Bản tin do {SITE_NAME} soạn tự động từ VN_AQI theo ngày của các trạm quan trắc "
        "không khí tự động (Quyết định 1459/QĐ-TCMT), tuần từ thứ Hai "
        f"{_date(period['first'])} đến Chủ nhật {_date(period['last'])} (giờ Việt Nam). Mỗi "
        "ngày của một thành phố mang mức của trạm có VN_AQI ngày cao nhất thành phố hôm đó; "
        "ngày không trạm nào có chỉ số là ngày thiếu số liệu và không được tính vào mức nào.",
        f"![Số ngày theo mức VN_AQI, tuần {span}](media:chart-days)",
        "## Tóm tắt", "\n".join(f"- {_air_lines(row)}" for row in cities)
        or "Không có thành phố nào được chọn.",
        f"## {tables['aqi_days'].title}", markdown_table(tables["aqi_days"]),
        f"## {tables['aqi_daily'].title}",
        f"![VN_AQI ngày, tuần {span}](media:chart-daily)",
        markdown_table(tables["aqi_daily"]),
        f"## {tables['aqi_worst'].title}",
        markdown_table(tables["aqi_worst"]) if tables["aqi_worst"].rows
        else "Không có ngày nào có chỉ số.",
        f"## {tables['aqi_change'].title}", markdown_table(tables["aqi_change"]),
        "Thay đổi là số ngày từ mức Kém trở lên tuần này trừ tuần trước, trong những ngày có "
        "số liệu; không có khi một trong hai tuần không có số liệu.",
        "## Nguồn", citation(figures),
    ]
    return Text(title, summary[:500], "\n\n".join(parts))


# --- industrial emissions -------------------------------------------------------------------

def _sector_name(code: str) -> str:
    from django.utils import translation

    with translation.override("vi"):
        return str(Sector(code).label) if code in Sector.values else code


EMISSION_COLUMNS = [("Cơ sở có giấy phép", COUNT), ("Giờ vượt giới hạn", COUNT),
                    ("Cơ sở không đủ dữ liệu", COUNT), ("Cơ sở có giờ vượt", COUNT),
                    ("Cơ sở có sự cố", COUNT), ("Sự cố bắt đầu trong tháng", COUNT),
                    ("Khoảng trung bình đủ dữ liệu (%)", PERCENT)]


def _emission_values(group: dict) -> list:
    return [group["facilities"], group["hours"], group["incomplete"], group["with_hours"],
            group["with_events"], group["events"], group["completeness"]]


def emissions_tables(figures: dict) -> list[Table]:
    period = figures["period"]
    return [
        Table("by_province", "Theo tỉnh, thành phố",
              [("Tỉnh, thành phố", TEXT), *EMISSION_COLUMNS, ("Số liệu", LINK)],
              [[row["name"], *_emission_values(row),
                dataset_path(MONTHS_DATASET, period["first"], period["last"], row["province"])]
               for row in figures["by_province"]]),
        Table("by_sector", "Theo ngành",
              [("Ngành", TEXT), *EMISSION_COLUMNS],
              [[_sector_name(row["sector"]), *_emission_values(row)]
               for row in figures["by_sector"]]),
        Table("total", "Cả nước (các cơ sở được công khai)",
              [("Phạm vi", TEXT), *EMISSION_COLUMNS, ("Số liệu", LINK)],
              [["Cả nước", *_emission_values(figures["total"]),
                dataset_path(MONTHS_DATASET, period["first"], period["last"])]]
              if figures["total"]["facilities"] else []),
    ]


def emissions_text(figures: dict) -> Text:
    period, total = figures["period"], figures["total"]
    month = day_of(period["first"])
    title = f"Bản tin phát thải công nghiệp tháng {month:%m/%Y}"
    scope = (f"Số liệu chỉ gồm các cơ sở đã được cán bộ quản lý dữ liệu quyết định công khai "
             f"({figures['disclosed']} cơ sở, trong đó {total['facilities']} cơ sở có giấy "
             "phép trong tháng); các cơ sở chưa được công khai không được tính vào bất kỳ số "
             "liệu nào của bản tin.")
    summary = (f"Số giờ vượt giới hạn theo tỉnh và ngành, số cơ sở có sự cố và mức đầy đủ dữ "
               f"liệu tháng {month:%m/%Y}; chỉ các cơ sở được công khai.")
    tables = {table.key: table for table in emissions_tables(figures)}
    intro = (f"Bản tin do {SITE_NAME} soạn tự động từ các trung bình đã đánh giá theo giấy "
             f"phép của dữ liệu quan trắc tự động, tháng {month:%m/%Y} (từ "
             f"{_date(period['first'])} đến {_date(period['last'])}, giờ Việt Nam). **{scope}**")
    if not total["facilities"]:
        parts = [intro, "Trong tháng không có cơ sở được công khai nào có giấy phép: bản tin "
                 "không có số liệu phát thải.", "## Nguồn", citation(figures)]
        return Text(title, summary, "\n\n".join(parts))
    hours = total["hours"]
    headline = [
        f"- Giờ vượt giới hạn: **{'ít nhất ' if total['incomplete'] and hours else ''}"
        f"{cell(hours, COUNT)}**"
        + (f" ({total['incomplete']} trong {total['facilities']} cơ sở không đủ dữ liệu; "
           f"{total['uncounted']} cơ sở không đếm được giờ)" if total["incomplete"]
           and hours is not None else ""),
        f"- Cơ sở có sự cố vượt bắt đầu trong tháng: **{total['with_events']}** "
        f"({total['events']} sự cố)",
        f"- Khoảng trung bình đủ dữ liệu: **{cell(total['completeness'], PERCENT)} %** "
        f"({format_number(total['valid'], 'vi')} trên {format_number(total['expected'], 'vi')}"
        " khoảng phải có)",
    ]
    parts = [
        intro, "## Tóm tắt", "\n".join(headline),
        f"![Giờ vượt giới hạn theo tỉnh, tháng {month:%m/%Y}]"
        f"(media:chart-provinces)",
        f"## {tables['by_province'].title}", markdown_table(tables["by_province"]),
        f"## {tables['by_sector'].title}", markdown_table(tables["by_sector"]),
        f"![Khoảng trung bình đủ dữ liệu theo tỉnh, tháng {month:%m/%Y}]"
        f"(media:chart-completeness)",
        f"## {tables['total'].title}", markdown_table(tables["total"]),
        "Giờ vượt giới hạn là tổng độ dài các khoảng trung bình bị đánh giá vượt giới hạn kết "
        "thúc trong tháng. Ở cơ sở không đủ dữ liệu (quá ít khoảng đủ dữ liệu để đánh giá), "
        "đó chỉ là số giờ vượt đã thấy, tức là ít nhất; nếu không thấy giờ vượt nào thì không "
        "đếm giờ (ghi “không có số liệu”, không ghi 0). Sự cố là các đợt vượt bắt đầu trong "
        "tháng, không kể đợt đã hủy.",
        "## Nguồn", citation(figures),
    ]
    return Text(title, summary, "\n\n".join(parts))


# --- both -----------------------------------------------------------------------------------

DATASET_TITLES = {
    AQI_DATASET: "Chỉ số chất lượng không khí Việt Nam (VN_AQI) theo ngày",
    MONTHS_DATASET: "Tuân thủ hằng tháng theo cơ sở (cơ sở được công khai)",
    EVENTS_DATASET: "Sự cố vượt quy chuẩn (cơ sở được công khai)",
}


def citation(figures: dict) -> str:
    """The line to cite the bulletin's figures with: who, which datasets (their catalogue
    identifiers), which period."""
    period = figures["period"]
    datasets = "; ".join(f"“{DATASET_TITLES.get(identifier, identifier)}” ({identifier}, "
                         f"{absolute(dataset_page(identifier))})"
                         for identifier in figures["datasets"])
    return (f"Nguồn: {SITE_NAME}, bộ dữ liệu {datasets}; số liệu từ {_date(period['first'])} "
            f"đến {_date(period['last'])}.")


def text(figures: dict) -> Text:
    return air_text(figures) if figures["kind"] == "air_weekly" else emissions_text(figures)


def tables(figures: dict) -> list[Table]:
    return air_tables(figures) if figures["kind"] == "air_weekly" else emissions_tables(figures)
