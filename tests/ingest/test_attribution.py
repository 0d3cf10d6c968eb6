"""Attribution on pages the parser has never seen: each credit form, and each case where the
evidence is too weak and the field must stay empty (fixtures/parsing/attribution_cases.json:
short snippets written for these tests, in the shapes of real Chinese news pages)."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import pytest

from bot.ingest.dates import find_page_date, month_day_date
from bot.ingest.parsing import parse_bytes

CASES = json.loads(
    (
        Path(__file__).resolve().parent.parent / "fixtures" / "parsing" / "attribution_cases.json"
    ).read_text(encoding="utf-8")
)


@pytest.mark.parametrize("case", CASES, ids=[case["id"] for case in CASES])
def test_attribution_case(case):
    name = f"{case['id']}.{case.get('format', 'txt')}"
    [article] = parse_bytes(case["text"].encode("utf-8"), name=name)
    got = {
        "title": article.title,
        "source": article.source,
        "reporters": article.reporters,
        "date": article.date,
        "date_text": article.date_text,
        "contributors": [asdict(c) for c in article.contributors],
    }
    for field, expected in case["expect"].items():
        assert got[field] == expected, f"{case['note']}: {field}"
    # every field found says where it was read
    for field in ("title", "source", "date"):
        if got[field]:
            assert article.evidence.get(field), field
    if article.reporters:
        assert article.evidence.get("reporters")


def test_every_found_field_has_its_evidence_in_json():
    case = next(c for c in CASES if c["id"] == "page-copy-header")
    [article] = parse_bytes(case["text"].encode("utf-8"), name="page.txt")
    evidence = article.to_json()["evidence"]
    assert "来源: 城市经济周刊" in evidence["source"]
    assert evidence["date"].startswith("2019-09-07 13:43:45")
    assert evidence["title"].endswith("多地项目接连暂停 开发商资金链承压")


@pytest.mark.parametrize(
    "text, iso, month_day",
    [
        ("发布时间：10-0812:00优质原创作者", None, (10, 8)),
        ("发布时间：18-03-0823:16", "2018-03-08T23:16:00", (3, 8)),
        ("2019年06月15日08:18 来源：某网", "2019-06-15T08:18:00", (6, 15)),
        ("2019-09-26 12:11来源：某网作者：某人", "2019-09-26T12:11:00", (9, 26)),
    ],
)
def test_page_date_forms(text, iso, month_day):
    found = find_page_date(text)
    assert found is not None and found.iso == iso and (found.month, found.day) == month_day


def test_chinese_numeral_month_day():
    found = month_day_date("中新社汕头五月二十一日电")
    assert (found.month, found.day) == (5, 21)
    assert month_day_date("十三月四十日") is None


def test_a_page_of_header_like_lines_parses_in_linear_time():
    import time

    lines = (
        ["网站首页", "登录"]
        + ["某某新闻标题第一行", "来源：某某日报"] * 25_000
        + ["正文段落，内容足够长，像一篇新闻报道的开头部分，说明了事情的经过。"] * 5
    )
    started = time.perf_counter()
    [article] = parse_bytes("\n".join(lines).encode("utf-8"), name="many-headers.txt")
    assert time.perf_counter() - started < 10  # quadratic took minutes
    assert article.body
