"""bot.dates: dates as printed → ISO without zone; the year only from evidence."""

from __future__ import annotations

import pytest

from bot.ingest.dates import (
    FoundDate,
    complete_date,
    find_date,
    infer_year,
    month_day_date,
    parse_date_value,
)


@pytest.mark.parametrize(
    "text, found",
    [
        ("04-12 16:25:33 来源:上游新闻·重庆晨报", FoundDate("04-12 16:25:33", None, 4, 12)),
        ("2020-11-27 12:39:00", FoundDate("2020-11-27 12:39:00", "2020-11-27T12:39:00", 11, 27)),
        ("2007年11月13日", FoundDate("2007年11月13日", "2007-11-13", 11, 13)),
        ("2020年4月12日 16:25", FoundDate("2020年4月12日 16:25", "2020-04-12T16:25:00", 4, 12)),
        ("发布时间：2020/04/12", FoundDate("2020/04/12", "2020-04-12", 4, 12)),
        ("２００９年３月２１日", FoundDate("2009年3月21日", "2009-03-21", 3, 21)),
    ],
)
def test_find_date(text, found):
    assert find_date(text) == found


def test_time_zone_is_dropped_not_converted():
    assert find_date("2020-04-12T16:25:33+08:00").iso == "2020-04-12T16:25:33"
    assert find_date("2020-04-12T08:25:33Z").iso == "2020-04-12T08:25:33"


def test_impossible_dates_are_no_dates():
    assert find_date("2020-02-31") is None
    assert find_date("总投资200亿元") is None


def test_metadata_values():
    assert parse_date_value("2020-11-27 12:39:00") == ("2020-11-27T12:39:00", "2020-11-27 12:39:00")
    assert parse_date_value("2009年3月21日") == ("2009-03-21", "2009年3月21日")
    assert parse_date_value("2005-12") == ("2005-12", "2005-12")  # cec-151: month precision
    assert parse_date_value("去年冬天") == (None, "去年冬天")


def test_year_from_image_file_names():
    # the sample article: 04-12 16:25:33 and QQ图片20200412162837.png
    assert infer_year(4, 12, ["QQ图片20200412162837.png"]) == 2020


def test_year_from_163_url_and_written_date():
    assert infer_year(11, 27, ["https://news.163.com/20/1127/12/FSEKAVI20001899O.html"]) == 2020
    assert infer_year(3, 21, ["2009年3月21日，鸡西市3所小学"]) == 2009


def test_no_year_without_agreeing_evidence():
    assert infer_year(4, 12, ["QQ图片20200413162837.png"]) is None  # another day
    assert infer_year(4, 12, ["20190412 20200412"]) is None  # evidence disagrees
    assert infer_year(4, 12, []) is None


def test_complete_date():
    found = find_date("04-12 16:25:33")
    assert complete_date(found, ["QQ图片20200412162837.png"]) == "2020-04-12T16:25:33"
    assert complete_date(found, ["no evidence here"]) is None
    assert complete_date(month_day_date("新华社北京4月12日电"), ["2020年4月12日"]) == "2020-04-12"
