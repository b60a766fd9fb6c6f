"""The catalogue's controlled vocabularies, as data: the licences a dataset may carry (with
CKAN's classic ids, which harvesters map without help), the keywords stewards pick from, and
the languages of a dataset. The themes are the EU data themes (`models.Theme`, DCAT-AP's
dcat:theme). A steward's edit page, the admin and the CKAN API read them from here."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

# Licence URL → (CKAN licence id, title, open licence?).
LICENCES = {
    "https://creativecommons.org/licenses/by/4.0/": ("cc-by", "Creative Commons Attribution 4.0",
                                                      True),
    "https://creativecommons.org/licenses/by-sa/4.0/": (
        "cc-by-sa", "Creative Commons Attribution Share-Alike 4.0", True),
    "https://creativecommons.org/publicdomain/zero/1.0/": ("cc-zero", "Creative Commons CCZero",
                                                           True),
    "https://opendatacommons.org/licenses/odbl/1-0/": (
        "odc-odbl", "Open Data Commons Open Database License (ODbL)", True),
    "https://opendatacommons.org/licenses/by/1-0/": (
        "odc-by", "Open Data Commons Attribution License", True),
}
DEFAULT_LICENCE = "https://creativecommons.org/licenses/by/4.0/"


def licence_choices() -> list[tuple[str, str]]:
    return [(url, title) for url, (_id, title, _open) in LICENCES.items()]


def licence_title(url: str) -> str:
    known = LICENCES.get(url)
    return known[1] if known else url


# Environmental keywords (Vietnamese, in the words the catalogue's readers search with). A
# dataset keeps the keywords its provider gave it (a province, a parameter); stewards pick
# from these and from the keywords already in use.
KEYWORDS = (
    "quan trắc tự động", "quan trắc định kỳ", "chất lượng không khí", "không khí xung quanh",
    "AQI", "VN_AQI", "bụi mịn", "PM2,5", "PM10", "khí thải", "ống khói", "nước thải",
    "nước mặt", "nước dưới đất", "nước biển ven bờ", "đất", "trầm tích", "tiếng ồn",
    "chất thải rắn", "chất thải nguy hại", "nguồn thải", "cơ sở", "giấy phép",
    "giấy phép môi trường", "vượt quy chuẩn", "tuân thủ", "quy chuẩn kỹ thuật",
    "hiện trạng môi trường", "báo cáo môi trường", "đa dạng sinh học", "biến đổi khí hậu",
    "phát thải khí nhà kính", "khu công nghiệp", "làng nghề", "thống kê môi trường",
)

LANGUAGES = (("vi", _("Vietnamese")), ("en", _("English")))
