"""Feeds: parsing (RSS 2.0, Atom, RSS 1.0, OPML) and the poller against a local server."""

from __future__ import annotations

import threading
import time

import pytest
from feedgen import Item, atom, rdf, rss, story

from bot.config import parse_config
from bot.errors import AddressRefused, FeedError
from bot.feeds import FeedPoller
from bot.ingest.feeds import OpmlFeed, item_key, parse_feed, parse_opml, write_opml
from bot.library import Library

SCOPE = "chat:-1001"


def make_config(tmp_path, extra: str = ""):
    text = (
        "corpus: {paths: []}\ndata_dir: data\n"
        "fetch: {allow_hosts: [127.0.0.1], total_timeout: 3}\n"
        "feeds: {pause_after_failures: 3, jitter: 0.1, min_interval_minutes: 5}\n" + extra
    )
    return parse_config(text, base_dir=tmp_path)


@pytest.fixture
def poller(tmp_path):
    library = Library.open(make_config(tmp_path))
    with FeedPoller(library) as feed_poller:
        yield feed_poller
    library.close()


def items(count: int, *, prefix: str = "g", full: bool = True, start: int = 1) -> list[Item]:
    """Items start … start+count-1, newest (highest number) first, as feeds list them."""
    return [
        Item(
            guid=f"{prefix}{n}",
            title=f"第{n}号新闻标题",
            link=f"http://news.example/{n}",
            text=story(n),
            author="记者甲",
            full=full,
        )
        for n in reversed(range(start, start + count))
    ]


# -- parsing --------------------------------------------------------------------------------


@pytest.mark.parametrize("make", [rss, atom, rdf])
def test_every_feed_format_gives_items_with_title_link_and_text(make):
    document = parse_feed(make(items(3)), url="http://news.example/feed")
    assert document.title
    assert [item.title for item in document.items] == [
        "第3号新闻标题",
        "第2号新闻标题",
        "第1号新闻标题",
    ]
    assert all((item.link or "").startswith("http://news.example/") for item in document.items)
    assert all("第" in (item.own_html or "") for item in document.items)
    assert document.items[0].date_iso == "2023-05-06T10:00:00"  # local time, as printed


def test_item_keys_prefer_guid_then_link_then_content():
    assert item_key("g1", "http://x/1", "t", "x") == "guid:g1"
    assert item_key(None, "http://x/1", "t", "x") == "link:http://x/1"
    same = item_key(None, "", "标题", "正文内容")
    assert item_key(None, None, "标题", "<p>正文  内容</p>") == same
    assert item_key(None, None, "标题", "正文") != item_key(None, None, "标题", "别的正文")


def test_a_web_page_is_not_a_feed():
    with pytest.raises(FeedError, match="不是 RSS/Atom"):
        parse_feed(b"<html><body><p>hello</p></body></html>", url="http://x/")


def test_opml_round_trip_and_bad_opml():
    feeds = [OpmlFeed("http://a.example/rss", "甲报"), OpmlFeed("http://b.example/atom", None)]
    parsed = parse_opml(write_opml(feeds))
    assert parsed == [
        OpmlFeed("http://a.example/rss", "甲报"),
        OpmlFeed("http://b.example/atom", "http://b.example/atom"),
    ]
    nested = (
        b'<?xml version="1.0"?><opml version="1.0"><body><outline text="news">'
        b'<outline text="x" xmlUrl="http://x.example/f"/></outline></body></opml>'
    )
    assert parse_opml(nested) == [OpmlFeed("http://x.example/f", "x")]
    with pytest.raises(FeedError):
        parse_opml(b"<rss/>")
    with pytest.raises(FeedError):
        parse_opml(b"not xml at all")
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><opml><body>'
        b'<outline xmlUrl="http://x/&b;"/></body></opml>'
    )
    with pytest.raises(FeedError, match="DOCTYPE"):  # entity definitions are refused
        parse_opml(bomb)


# -- following and polling ------------------------------------------------------------------


def test_follow_backfills_quietly_and_the_articles_answer_questions(web, poller):
    web.route("/feed.xml", body=rss(items(3)), content_type="application/rss+xml")
    result = poller.follow(web.url("/feed.xml"), SCOPE)
    assert result.backfill and len(result.added) == 3 and result.error is None
    article = result.added[-1]
    assert article.title == "第3号新闻标题" and article.reporters == ["记者甲"]
    assert article.source == "示范日报 要闻"  # the feed's title as outlet
    assert article.date == "2023-05-06T10:00:00"
    assert article.url == "http://news.example/3"
    answers = poller.library.ask("生物医药领域有什么新举措？", scopes=[SCOPE])
    assert answers.answers and answers.answers[0].article.title == "第2号新闻标题"
    [feed] = poller.list_feeds(SCOPE)
    assert feed.title == "示范日报 要闻" and feed.backfilled and feed.interval == 30 * 60


def test_a_feed_that_changes_between_polls_adds_only_new_items(web, poller):
    web.route("/feed.xml", body=rss(items(2)), content_type="application/rss+xml")
    poller.follow(web.url("/feed.xml"), SCOPE)
    web.route("/feed.xml", body=rss(items(3, start=2)), content_type="application/rss+xml")
    [result] = poller.poll_due(force=True)
    assert not result.backfill
    assert [a.title for a in result.added] == ["第3号新闻标题", "第4号新闻标题"]  # oldest first
    [again] = poller.poll_due(force=True)
    assert again.added == []


def test_duplicate_guids_in_one_feed_are_one_item(web, poller):
    twice = items(2) + [
        Item(
            guid="g1", title="第1号新闻标题（更新）", link="http://news.example/1b", text=story(99)
        )
    ]
    web.route("/feed.xml", body=rss(twice), content_type="application/rss+xml")
    result = poller.follow(web.url("/feed.xml"), SCOPE)
    assert len(result.added) == 2


def test_items_are_deduplicated_across_restarts(web, tmp_path):
    web.route("/feed.xml", body=rss(items(2)), content_type="application/rss+xml")
    config = make_config(tmp_path)
    with Library.open(config) as library, FeedPoller(library) as first:
        first.follow(web.url("/feed.xml"), SCOPE)
    with Library.open(config) as library, FeedPoller(library) as second:
        [result] = second.poll_due(force=True)
        assert result.added == [] and library.count_articles(SCOPE) == 2


def test_conditional_get_uses_etag_and_304_changes_nothing(web, poller):
    body = rss(items(2))

    def conditional(handler):
        if handler.headers.get("If-None-Match") == '"v1"':
            handler.send_response(304)
            handler.send_header("ETag", '"v1"')
            handler.send_header("Content-Length", "0")
            handler.end_headers()
            return
        handler.send_response(200)
        handler.send_header("Content-Type", "application/rss+xml")
        handler.send_header("ETag", '"v1"')
        handler.send_header("Last-Modified", "Sat, 06 May 2023 02:00:00 GMT")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    web.route("/feed.xml", handler=conditional)
    poller.follow(web.url("/feed.xml"), SCOPE)
    [result] = poller.poll_due(force=True)
    assert result.not_modified and result.added == [] and result.error is None
    headers = web.requests[-1][1]
    assert headers["if-none-match"] == '"v1"'
    assert headers["if-modified-since"] == "Sat, 06 May 2023 02:00:00 GMT"


def test_summary_only_items_get_their_page_with_item_fields_filling_gaps(web, poller):
    page = (
        "<html><head><title>页面</title></head><body><div class='article'>"
        + story(7, "交通")
        + "</div></body></html>"
    ).encode()
    web.route("/story/7.html", body=page)
    summary = [
        Item(
            guid="s7",
            title="第7号：交通新举措",
            link=web.url("/story/7.html"),
            text="交通新举措摘要",
            author="记者乙",
            full=False,
        )
    ]
    web.route("/feed.xml", body=rss(summary), content_type="application/rss+xml")
    [article] = poller.follow(web.url("/feed.xml"), SCOPE).added
    assert any("交通领域推出第7项新举措" in p.text for p in article.body)  # the page's text
    assert article.url == web.url("/story/7.html")
    assert article.reporters == ["记者乙"] and article.date == "2023-05-06T10:00:00"
    assert "/story/7.html" in web.paths()


def test_fetch_pages_off_keeps_the_summary(web, poller):
    summary = [
        Item(
            guid="s8",
            title="第8号",
            link=web.url("/story/8.html"),
            text="只有一句摘要的新闻。",
            full=False,
        )
    ]
    web.route("/feed.xml", body=rss(summary), content_type="application/rss+xml")
    [article] = poller.follow(web.url("/feed.xml"), SCOPE, fetch_pages=False).added
    assert [p.text for p in article.body] == ["只有一句摘要的新闻。"]
    assert "/story/8.html" not in web.paths()


def test_an_item_page_that_fails_falls_back_to_the_summary(web, poller):
    summary = [
        Item(guid="s9", title="第9号", link=web.url("/missing.html"), text="摘要还在。", full=False)
    ]
    web.route("/feed.xml", body=rss(summary), content_type="application/rss+xml")
    [article] = poller.follow(web.url("/feed.xml"), SCOPE).added
    assert [p.text for p in article.body] == ["摘要还在。"]


def test_a_failing_feed_is_paused_after_n_failures_and_follow_resumes_it(web, poller):
    web.route("/feed.xml", body=rss(items(1)), content_type="application/rss+xml")
    poller.follow(web.url("/feed.xml"), SCOPE)
    web.route("/feed.xml", status=500, body=b"oops", content_type="text/plain")
    results = [poller.poll_due(force=True)[0] for _ in range(3)]
    assert [r.error for r in results] == ["页面无法访问（500）：" + web.url("/feed.xml")] * 3
    assert [r.paused_now for r in results] == [False, False, True]
    [feed] = poller.list_feeds(SCOPE)
    assert feed.paused and "500" in feed.paused and feed.failures == 3
    assert poller.poll_due(force=True) == []  # paused feeds are not polled
    web.route("/feed.xml", body=rss(items(2)), content_type="application/rss+xml")
    result = poller.follow(web.url("/feed.xml"), SCOPE)
    assert result.error is None and len(result.added) == 1
    [feed] = poller.list_feeds(SCOPE)
    assert feed.paused is None and feed.failures == 0


def test_following_a_404_or_a_page_stores_nothing(web, poller):
    with pytest.raises(Exception, match="404"):
        poller.follow(web.url("/nothing.xml"), SCOPE)
    web.route("/page.html", body=b"<html><body><p>no feed here</p></body></html>")
    with pytest.raises(FeedError):
        poller.follow(web.url("/page.html"), SCOPE)
    assert poller.list_feeds() == []


def test_a_page_linking_its_feed_is_followed_through_it(web, poller):
    web.route("/feed.xml", body=atom(items(2)), content_type="application/atom+xml")
    web.route(
        "/index.html",
        body=b'<html><head><link rel="alternate" '
        b'type="application/atom+xml" href="/feed.xml"></head><body>x</body></html>',
    )
    result = poller.follow(web.url("/index.html"), SCOPE)
    assert result.feed.url == web.url("/feed.xml") and len(result.added) == 2


def test_a_private_feed_address_is_refused_by_the_resolver(tmp_path, web):
    text = "corpus: {paths: []}\ndata_dir: data\n"
    with (
        Library.open(parse_config(text, base_dir=tmp_path)) as library,
        FeedPoller(library) as poller,
    ):
        with pytest.raises(AddressRefused):
            poller.follow(web.url("/feed.xml"), SCOPE)
        assert poller.list_feeds() == []
    assert web.requests == []


def test_feeds_per_chat_quota(web, tmp_path):
    config = parse_config(
        "corpus: {paths: []}\ndata_dir: data\n"
        "fetch: {allow_hosts: [127.0.0.1]}\nfeeds: {max_per_chat: 1}\n",
        base_dir=tmp_path,
    )
    web.route("/a.xml", body=rss(items(1)), content_type="application/rss+xml")
    web.route("/b.xml", body=rss(items(1, prefix="b")), content_type="application/rss+xml")
    with Library.open(config) as library, FeedPoller(library) as poller:
        poller.follow(web.url("/a.xml"), SCOPE)
        with pytest.raises(FeedError, match="上限"):
            poller.follow(web.url("/b.xml"), SCOPE)
        poller.follow(web.url("/b.xml"), "chat:-2002")  # another chat has its own quota


def test_due_feeds_interval_minimum_and_jitter(web, tmp_path):
    now = [1_000_000.0]
    config = make_config(tmp_path)
    web.route("/feed.xml", body=rss(items(1)), content_type="application/rss+xml")
    with Library.open(config) as library, FeedPoller(library, clock=lambda: now[0]) as poller:
        result = poller.follow(web.url("/feed.xml"), SCOPE, interval_minutes=1)
        assert result.feed.interval == 5 * 60  # the minimum wins
        assert 270 <= result.feed.next_poll - now[0] <= 330  # ±10 % jitter
        assert poller.poll_due() == []
        now[0] += 331
        assert len(poller.poll_due()) == 1


def test_one_request_at_a_time_per_host(web, tmp_path):
    in_flight = [0]
    most = [0]
    lock = threading.Lock()

    def counted(body):
        def handler(request):
            with lock:
                in_flight[0] += 1
                most[0] = max(most[0], in_flight[0])
            time.sleep(0.05)
            with lock:
                in_flight[0] -= 1
            request.send_response(200)
            request.send_header("Content-Type", "application/rss+xml")
            request.send_header("Content-Length", str(len(body)))
            request.end_headers()
            request.wfile.write(body)

        return handler

    config = make_config(tmp_path, "")
    with Library.open(config) as library, FeedPoller(library) as poller:
        for n in range(6):
            web.route(f"/f{n}.xml", handler=counted(rss(items(1, prefix=f"f{n}-", start=n))))
            poller.feeds.add(web.url(f"/f{n}.xml"), SCOPE, interval=300, fetch_pages=True)
        results = poller.poll_due(force=True)
    assert len(results) == 6 and all(r.error is None for r in results)
    assert most[0] == 1  # all on one host: never two at once despite 4 workers


def test_unfollow(web, poller):
    web.route("/feed.xml", body=rss(items(1)), content_type="application/rss+xml")
    feed = poller.follow(web.url("/feed.xml"), SCOPE).feed
    assert not poller.unfollow(feed.id, "chat:-999")  # another chat's feed is not yours
    assert poller.unfollow(feed.id, SCOPE)
    assert poller.list_feeds() == [] and not poller.unfollow(feed.id)
    assert poller.library.count_articles(SCOPE) == 1  # its articles stay


def test_a_full_chat_drops_its_oldest_feed_articles_first_and_says_so_once(web, tmp_path):
    config = parse_config(
        "corpus: {paths: []}\ndata_dir: data\n"
        "fetch: {allow_hosts: [127.0.0.1]}\n"
        "telegram: {limits: {max_articles_per_chat: 4}}\n",
        base_dir=tmp_path,
    )
    web.route("/feed.xml", body=rss(items(3)), content_type="application/rss+xml")
    with Library.open(config) as library, FeedPoller(library) as poller:
        from bot.ingest.parsing import parse_text

        own = library.add_article(parse_text("管理员自己添加的文章，讲的是公园改造的事情。"), SCOPE)
        first = poller.follow(web.url("/feed.xml"), SCOPE)
        assert len(first.added) == 3 and not first.quota_notice
        web.route("/feed.xml", body=rss(items(5)), content_type="application/rss+xml")
        [second] = poller.poll_due(force=True)
        assert [a.title for a in second.added] == ["第4号新闻标题", "第5号新闻标题"]
        assert second.dropped == 2 and second.quota_notice
        titles = {a.title for a in library.list_articles(SCOPE, limit=10)}
        assert titles == {own.title, "第3号新闻标题", "第4号新闻标题", "第5号新闻标题"}
        web.route("/feed.xml", body=rss(items(6)), content_type="application/rss+xml")
        [third] = poller.poll_due(force=True)
        assert third.dropped == 1 and not third.quota_notice  # told once
        # dropped items are still known: never fetched and stored again
        [fourth] = poller.poll_due(force=True)
        assert fourth.added == [] and library.count_articles(SCOPE) == 4


def test_stored_items_per_feed_are_bounded(web, tmp_path):
    config = parse_config(
        "corpus: {paths: []}\ndata_dir: data\n"
        "fetch: {allow_hosts: [127.0.0.1]}\n"
        "feeds: {max_items_per_feed: 2}\n",
        base_dir=tmp_path,
    )
    web.route("/feed.xml", body=rss(items(3)), content_type="application/rss+xml")
    with Library.open(config) as library, FeedPoller(library) as poller:
        result = poller.follow(web.url("/feed.xml"), SCOPE)
        assert result.dropped == 1
        assert {a.title for a in library.list_articles(SCOPE)} == {"第2号新闻标题", "第3号新闻标题"}


def test_follow_reports_backfill_progress(web, poller):
    web.route("/feed.xml", body=rss(items(3)), content_type="application/rss+xml")
    calls = []
    poller.follow(
        web.url("/feed.xml"), SCOPE, progress=lambda done, total: calls.append((done, total))
    )
    assert calls == [(1, 3), (2, 3), (3, 3)]


def test_non_http_item_links_are_dropped():
    bad = [Item(guid="x", title="t", link="javascript:alert(1)", text=story(1))]
    [item] = parse_feed(rss(bad), url="http://news.example/feed").items
    assert item.link is None


def test_the_same_bytes_without_validators_are_not_parsed_again(web, poller, monkeypatch):
    web.route("/feed.xml", body=rss(items(2)), content_type="application/rss+xml")  # no ETag
    poller.follow(web.url("/feed.xml"), SCOPE)
    import bot.feeds as feeds_module

    def no_parse(*args, **kwargs):
        raise AssertionError("an unchanged feed was parsed again")

    monkeypatch.setattr(feeds_module, "parse_feed", no_parse)
    [result] = poller.poll_due(force=True)
    assert result.not_modified and result.error is None
    monkeypatch.undo()
    web.route("/feed.xml", body=rss(items(3)), content_type="application/rss+xml")
    [result] = poller.poll_due(force=True)
    assert [a.title for a in result.added] == ["第3号新闻标题"]


def test_a_bug_in_one_feed_costs_only_that_feed(web, poller, monkeypatch):
    web.route("/a.xml", body=rss(items(1)), content_type="application/rss+xml")
    web.route("/b.xml", body=rss(items(1, prefix="b")), content_type="application/rss+xml")
    poller.follow(web.url("/a.xml"), SCOPE)
    poller.follow(web.url("/b.xml"), SCOPE)
    web.route("/a.xml", body=rss(items(2)), content_type="application/rss+xml")
    web.route("/b.xml", body=rss(items(2, prefix="b")), content_type="application/rss+xml")
    real = poller._ingest

    def broken_for_a(feed, *args, **kwargs):
        if feed.url.endswith("/a.xml"):
            raise KeyError("a bug")
        return real(feed, *args, **kwargs)

    monkeypatch.setattr(poller, "_ingest", broken_for_a)
    by_url = {r.feed.url: r for r in poller.poll_due(force=True)}
    assert by_url[web.url("/a.xml")].error == "内部错误（KeyError）"
    assert len(by_url[web.url("/b.xml")].added) == 1
