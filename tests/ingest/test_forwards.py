"""Forwarded channel posts → articles credited to the channel."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from bot.errors import ParseError
from bot.ingest.forwards import article_from_post, linked_url

POST = "新图书馆开放\n\n市图书馆新馆今天开放，藏书两百万册，周一闭馆。\n\n读者可凭身份证免费借阅。"


def test_post_is_credited_to_its_channel():
    posted = datetime(2023, 5, 6, 10, 0, tzinfo=timezone(timedelta(hours=8)))
    article = article_from_post(
        POST,
        channel_title="示范频道",
        channel_username="demo",
        message_id=9,
        posted=posted,
        author_signature="孙八",
    )
    assert article.title == "新图书馆开放" and article.source == "示范频道"
    assert article.url == "https://t.me/demo/9" and article.reporters == ["孙八"]
    assert article.date == "2023-05-06T02:00:00"  # UTC, as Telegram dates are
    assert [p.text for p in article.body][0].startswith("市图书馆新馆今天开放")


def test_a_private_channel_has_no_link():
    article = article_from_post(
        POST,
        channel_title="私密频道",
        channel_username=None,
        message_id=9,
        posted=datetime(2023, 5, 6, 2, 0),
    )
    assert article.url is None and article.source == "私密频道"


def test_an_empty_post_is_one_clear_error():
    with pytest.raises(ParseError):
        article_from_post(
            "  \n ",
            channel_title="x",
            channel_username=None,
            message_id=1,
            posted=datetime(2023, 5, 6),
        )


def test_linked_url():
    assert linked_url("看这篇 https://news.example/a.html", []) == "https://news.example/a.html"
    assert linked_url("标题", ["https://news.example/b"]) == "https://news.example/b"
    assert linked_url("第一行\n第二行\nhttps://news.example/a", []) is None
    assert linked_url("https://a.example/1 https://b.example/2", []) is None
    assert linked_url(POST, []) is None
