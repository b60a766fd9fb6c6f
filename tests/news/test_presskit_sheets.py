"""A bulletin's tables as sheet names: within Excel's 31 characters, cut between words."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from envhub.news.presskit import SHEET_NAME_CHARS, sheet_name


@pytest.mark.parametrize("title, name", [
    ("Số ngày theo mức VN_AQI", "Số ngày theo mức VN_AQI"),
    ("VN_AQI ngày của trạm cao nhất mỗi thành phố", "VN_AQI ngày của trạm cao nhất…"),
    ("Cả nước (các cơ sở được công khai)", "Cả nước (các cơ sở được công…"),
    ("So với tuần trước (16/11–22/11/2026)", "So với tuần trước…"),
    ("Theo tỉnh, thành phố", "Theo tỉnh, thành phố"),
    ("Bảng [1]: a/b? *c* \\ d", "Bảng -1-- a-b- -c- - d"),
    ("x" * 40, "x" * 30 + "…"),
])
def test_a_title_becomes_a_sheet_name(title, name):
    assert sheet_name(title) == name


@given(st.text(min_size=1, max_size=80).filter(lambda text: text.strip()))
def test_any_title_fits_excel(title):
    name = sheet_name(title)
    assert len(name) <= SHEET_NAME_CHARS
    assert not set(name) & set("[]:*?/\\\\")
