"""Links and feeds through the Bot API stand-in: /add URL, a private link, /follow, a poll,
a question answered from a fed article, /feeds (and OPML), /unfollow, a paused feed."""

from __future__ import annotations

import dataclasses

import pytest
from conftest import make_bot_config
from feedgen import Item, rss, story
from test_bot_private import texts

from bot.ingest.feeds import OpmlFeed, parse_opml, write_opml
from bot.models import chat_scope
from bot.tg.handlers.feeds import poll_feeds

GROUP = -100700
PAGE = (
    "<html><head><meta charset='utf-8'><title>江北嘴金融城扩容_示范网</title></head><body>"
    "<div class='article'><h1>江北嘴金融城扩容</h1><p>2023-05-06 09:00 来源：示范日报</p>"
    "<p>本报讯（记者 赵六）江北嘴金融城今年将新增三栋写字楼，吸引五十家金融机构入驻。</p>"
    "<p>负责人表示，扩容工程预计明年底完工。</p></div></body></html>"
).encode()


@pytest.fixture
async def bot(make_bot, tmp_path):
    config = make_bot_config(tmp_path / "data", owners=[999])
    config = dataclasses.replace(
        config,
        fetch=dataclasses.replace(config.fetch, allow_hosts=["127.0.0.1"], total_timeout=5.0),
        feeds=dataclasses.replace(config.feeds, pause_after_failures=2),
    )
    return await make_bot(config)


def feed_of(numbers: list[int]) -> bytes:
    return rss(
        [
            Item(
                guid=f"g{n}",
                title=f"第{n}号新闻",
                link=f"http://news.example/{n}",
                text=story(n),
                author="记者丙",
            )
            for n in numbers
        ],
        title="示范早报",
    )


async def test_add_url_as_admin_stores_the_page_with_its_credit(api, bot, web):
    from conftest import process

    web.route("/a.html", body=PAGE)
    admin, group = api.user(3001), api.group(GROUP)
    api.set_member(GROUP, 3001, "administrator")
    await process(bot, api.text_update(group, admin, f"/add {web.url('/a.html')}"))
    [reply] = texts(api, GROUP)
    assert "江北嘴金融城扩容" in reply and "示范日报" in reply and "赵六" in reply
    library = bot.bot_data.library
    [article] = library.list_articles(chat_scope(GROUP))
    assert article.url == web.url("/a.html")
    await process(bot, api.text_update(group, admin, "/ask 金融城新增几栋写字楼"))
    answer = texts(api, GROUP)[-1]
    assert "五十家金融机构" in answer and "示范日报" in answer and "赵六" in answer


async def test_add_url_by_a_member_is_refused_and_fetches_nothing(api, bot, web):
    from conftest import process

    web.route("/a.html", body=PAGE)
    member, group = api.user(3002), api.group(GROUP)
    api.set_member(GROUP, 3002, "member")
    await process(bot, api.text_update(group, member, f"/add {web.url('/a.html')}"))
    assert texts(api, GROUP) == ["只有本聊天的管理员可以这样做。"]
    assert web.requests == []


async def test_a_link_in_a_private_chat_is_added_not_answered(api, bot, web):
    from conftest import process

    web.route("/a.html", body=PAGE)
    user = api.user(4001)
    chat = api.private(user)
    await process(bot, api.text_update(chat, user, web.url("/a.html")))
    [reply] = texts(api, chat["id"])
    assert reply.startswith("已添加") and "江北嘴金融城扩容" in reply
    assert bot.bot_data.library.count_articles(chat_scope(chat["id"])) == 1


async def test_a_refused_link_is_one_line_and_stores_nothing(api, bot, web):
    from conftest import process

    user = api.user(4002)
    chat = api.private(user)
    await process(bot, api.text_update(chat, user, "http://169.254.169.254/latest/meta-data/"))
    [reply] = texts(api, chat["id"])
    assert reply.startswith("无法添加这个链接：不允许访问的地址") and "\n" not in reply
    assert bot.bot_data.library.count_articles(chat_scope(chat["id"])) == 0


async def test_a_link_in_group_chatter_is_left_alone(api, bot, web):
    from conftest import process

    web.route("/a.html", body=PAGE)
    member, group = api.user(3003), api.group(GROUP)
    await process(bot, api.text_update(group, member, web.url("/a.html")))
    assert texts(api, GROUP) == [] and web.requests == []


async def test_follow_poll_ask_feeds_unfollow(api, bot, web):
    from conftest import process

    web.route("/feed.xml", body=feed_of([2, 1]), content_type="application/rss+xml")
    admin, group = api.user(3001), api.group(GROUP)
    api.set_member(GROUP, 3001, "administrator")
    await process(bot, api.text_update(group, admin, f"/follow {web.url('/feed.xml')} 15"))
    edited = api.calls_of("editMessageText", GROUP)[-1].params["text"]
    assert "已订阅" in edited and "示范早报" in edited and "15 分钟" in edited
    assert "已收录 2 篇" in edited
    library = bot.bot_data.library
    assert library.count_articles(chat_scope(GROUP)) == 2
    # a new item arrives; the poll job (run by hand: the feed is due when forced due)
    web.route("/feed.xml", body=feed_of([3, 2, 1]), content_type="application/rss+xml")
    from bot.tg.handlers.feeds import poller_for

    poller = await poller_for(library)
    [feed] = poller.list_feeds(chat_scope(GROUP))
    poller.feeds.update(feed.id, next_poll=0)
    [result] = await poll_feeds(bot)
    assert [a.title for a in result.added] == ["第3号新闻"]
    await process(bot, api.text_update(group, admin, "/ask 新能源汽车领域推出了什么新举措"))
    answer = texts(api, GROUP)[-1]
    assert "第3号报道" in answer and "示范早报" in answer and "记者丙" in answer
    await process(bot, api.text_update(group, admin, "/feeds"))
    listing = texts(api, GROUP)[-1]
    assert "1. 示范早报 · 每 15 分钟 · 正常" in listing
    await process(bot, api.text_update(group, admin, "/unfollow 2"))
    assert "/unfollow 编号" in texts(api, GROUP)[-1]
    await process(bot, api.text_update(group, admin, "/unfollow 1"))
    assert "已取消订阅：示范早报" in texts(api, GROUP)[-1]
    await process(bot, api.text_update(group, admin, "/feeds"))
    assert "还没有订阅源" in texts(api, GROUP)[-1]
    assert library.count_articles(chat_scope(GROUP)) == 3  # the articles stay


async def test_a_failing_feed_is_paused_the_chat_told_once_and_feeds_shows_why(api, bot, web):
    from conftest import process

    web.route("/feed.xml", body=feed_of([1]), content_type="application/rss+xml")
    admin, group = api.user(3001), api.group(GROUP)
    api.set_member(GROUP, 3001, "administrator")
    await process(bot, api.text_update(group, admin, f"/follow {web.url('/feed.xml')}"))
    web.route("/feed.xml", status=404, body=b"gone", content_type="text/plain")
    from bot.tg.handlers.feeds import poller_for

    poller = await poller_for(bot.bot_data.library)
    for _ in range(3):
        for feed in poller.list_feeds():
            poller.feeds.update(feed.id, next_poll=0)
        await poll_feeds(bot)
    notices = [text for text in texts(api, GROUP) if "已暂停" in text]
    assert len(notices) == 1 and "404" in notices[0]
    await process(bot, api.text_update(group, admin, "/feeds"))
    assert "已暂停" in texts(api, GROUP)[-1] and "404" in texts(api, GROUP)[-1]
    web.route("/feed.xml", body=feed_of([2, 1]), content_type="application/rss+xml")
    await process(bot, api.text_update(group, admin, f"/follow {web.url('/feed.xml')}"))
    await process(bot, api.text_update(group, admin, "/feeds"))
    assert "正常" in texts(api, GROUP)[-1]


async def test_opml_import_and_export(api, bot, web):
    from conftest import process

    web.route("/a.xml", body=feed_of([1]), content_type="application/rss+xml")
    web.route("/b.xml", body=feed_of([5]), content_type="application/rss+xml")
    opml = write_opml(
        [
            OpmlFeed(web.url("/a.xml"), "甲"),
            OpmlFeed(web.url("/b.xml"), "乙"),
            OpmlFeed(web.url("/missing.xml"), "丙"),
        ]
    )
    admin, group = api.user(3001), api.group(GROUP)
    api.set_member(GROUP, 3001, "administrator")
    await process(bot, api.document_update(group, admin, "feeds.opml", opml, caption="/follow"))
    summary = api.calls_of("editMessageText", GROUP)[-1].params["text"]
    assert summary == "导入完成：订阅 2 个，失败 1 个，收录 2 篇。"
    await process(bot, api.text_update(group, admin, "/feeds opml"))
    [sent] = api.calls_of("sendDocument", GROUP)
    file_name, data = sent.params["_files"]["document"]
    assert file_name == "feeds.opml"
    exported = parse_opml(data)
    assert [f.url for f in exported] == [web.url("/a.xml"), web.url("/b.xml")]


async def test_follow_by_a_member_is_refused(api, bot, web):
    from conftest import process

    member, group = api.user(3002), api.group(GROUP)
    api.set_member(GROUP, 3002, "member")
    await process(bot, api.text_update(group, member, f"/follow {web.url('/feed.xml')}"))
    assert texts(api, GROUP) == ["只有本聊天的管理员可以这样做。"]
    assert web.requests == []


async def test_channel_admins_follow_and_add_links_in_the_channel(api, bot, web):
    from conftest import process

    web.route("/a.html", body=PAGE)
    web.route("/feed.xml", body=feed_of([1]), content_type="application/rss+xml")
    channel = api.channel(-100800, "示范频道")
    await process(bot, api.channel_post_update(channel, f"/add {web.url('/a.html')}"))
    await process(bot, api.channel_post_update(channel, f"/follow {web.url('/feed.xml')}"))
    await process(bot, api.channel_post_update(channel, "/feeds"))
    sent = texts(api, -100800)
    assert "江北嘴金融城扩容" in sent[0] and "1. 示范早报" in sent[-1]
    assert bot.bot_data.library.count_articles(chat_scope(-100800)) == 2


async def test_commands_for_another_bot_are_left_alone(api, bot, web):
    from conftest import process

    admin, group = api.user(3001), api.group(GROUP)
    api.set_member(GROUP, 3001, "administrator")
    await process(bot, api.text_update(group, admin, f"/follow@otherbot {web.url('/f.xml')}"))
    await process(bot, api.text_update(group, admin, f"/add@otherbot {web.url('/a.html')}"))
    assert web.requests == [] and texts(api, GROUP) == []


async def test_announce_posts_new_articles_but_not_the_backfill(api, bot, web):
    from conftest import process

    from bot.tg.handlers.feeds import poller_for

    web.route("/feed.xml", body=feed_of([1]), content_type="application/rss+xml")
    channel = api.channel(-100801, "示范频道")
    await process(bot, api.channel_post_update(channel, f"/follow {web.url('/feed.xml')} announce"))
    before = len(texts(api, -100801))
    web.route("/feed.xml", body=feed_of([2, 1]), content_type="application/rss+xml")
    poller = await poller_for(bot.bot_data.library)
    for feed in poller.list_feeds():
        poller.feeds.update(feed.id, next_poll=0)
    await poll_feeds(bot)
    sent = texts(api, -100801)[before:]
    assert len(sent) == 1 and "示范早报</b> 新文章" in sent[0]
    assert '<a href="http://news.example/2">第2号新闻</a>' in sent[0]


POST = (
    "重庆新建三座跨江大桥\n\n"
    "记者从市交通局获悉，今年将新建三座跨江大桥，总投资超过一百亿元。\n\n"
    "三座大桥预计二〇二五年建成通车，届时两岸通行时间将缩短一半。"
)


def forwarded(api, chat, user, text, *, username="demo_news", signature=None):
    """A channel post forwarded by ``user`` into ``chat`` (forward_origin: channel)."""
    channel = api.channel(-100900, "示范新闻频道", username)
    update = api.text_update(chat, user, text)
    update["message"]["forward_origin"] = {
        "type": "channel",
        "chat": channel,
        "message_id": 42,
        "date": 1683338400,
    }  # 2023-05-06 02:00 UTC
    if signature:
        update["message"]["forward_origin"]["author_signature"] = signature
    return update


async def test_a_forwarded_channel_post_in_private_is_credited_to_the_channel(api, bot, web):
    from conftest import process

    user = api.user(4010)
    chat = api.private(user)
    await process(bot, forwarded(api, chat, user, POST, signature="钱七"))
    [reply] = texts(api, chat["id"])
    assert "重庆新建三座跨江大桥" in reply and "示范新闻频道" in reply and "钱七" in reply
    [article] = bot.bot_data.library.list_articles(chat_scope(chat["id"]))
    assert article.url == "https://t.me/demo_news/42" and article.source == "示范新闻频道"
    assert article.date == "2023-05-06T02:00:00"
    await process(bot, api.text_update(chat, user, "跨江大桥总投资多少"))
    answer = texts(api, chat["id"])[-1]
    assert "一百亿元" in answer and "示范新闻频道" in answer


async def test_a_forwarded_link_and_a_line_becomes_the_linked_article(api, bot, web):
    from conftest import process

    web.route("/a.html", body=PAGE)
    user = api.user(4011)
    chat = api.private(user)
    await process(bot, forwarded(api, chat, user, f"金融城扩容了\n{web.url('/a.html')}"))
    [article] = bot.bot_data.library.list_articles(chat_scope(chat["id"]))
    assert article.title == "江北嘴金融城扩容" and article.url == web.url("/a.html")


async def test_forwards_in_groups_need_an_admin(api, bot, web):
    from conftest import process

    member, admin, group = api.user(3002), api.user(3001), api.group(GROUP)
    api.set_member(GROUP, 3002, "member")
    api.set_member(GROUP, 3001, "administrator")
    await process(bot, forwarded(api, group, member, POST))
    library = bot.bot_data.library
    assert library.count_articles(chat_scope(GROUP)) == 0 and texts(api, GROUP) == []
    await process(bot, forwarded(api, group, admin, POST))
    assert library.count_articles(chat_scope(GROUP)) == 1
    assert "示范新闻频道" in texts(api, GROUP)[-1]


async def test_add_in_reply_to_a_forwarded_post(api, bot, web):
    from conftest import process

    member, admin, group = api.user(3002), api.user(3001), api.group(GROUP)
    api.set_member(GROUP, 3002, "member")
    api.set_member(GROUP, 3001, "administrator")
    post = forwarded(api, group, member, POST)  # a member's forward: not added by itself
    await process(bot, post)
    await process(bot, api.text_update(group, admin, "/add", reply_to=post["message"]))
    [article] = bot.bot_data.library.list_articles(chat_scope(GROUP))
    assert article.source == "示范新闻频道" and article.url == "https://t.me/demo_news/42"


async def test_a_long_backfill_shows_progress_then_the_result(api, bot, web, monkeypatch):
    from conftest import process

    import bot.tg.handlers.feeds as handlers

    monkeypatch.setattr(handlers, "PROGRESS_EVERY_SECONDS", 0.0)
    summaries = [
        Item(guid=f"s{n}", title=f"第{n}号", link=web.url(f"/p{n}.html"), text="摘要", full=False)
        for n in (3, 2, 1)
    ]
    for n in (1, 2, 3):
        web.route(
            f"/p{n}.html",
            body=f"<html><body><div class='article'>{story(n)}</div></body></html>".encode(),
        )
    web.route("/feed.xml", body=rss(summaries), content_type="application/rss+xml")
    admin, group = api.user(3001), api.group(GROUP)
    api.set_member(GROUP, 3001, "administrator")
    await process(bot, api.text_update(group, admin, f"/follow {web.url('/feed.xml')}"))
    edits = [c.params["text"] for c in api.calls_of("editMessageText", GROUP)]
    assert "正在导入 1/3…" in edits and "正在导入 2/3…" in edits
    assert "已收录 3 篇" in edits[-1]  # the result is the last word, never a late progress edit


async def test_automatic_forwards_into_a_discussion_group_are_not_taken_as_news(api, bot, web):
    from conftest import process

    channel = api.channel(-100901, "示范新闻频道", "demo_news")
    group = api.group(GROUP, linked_to=-100901)
    update = forwarded(api, group, api.user(777000, "Telegram"), POST)
    update["message"]["sender_chat"] = channel
    update["message"]["is_automatic_forward"] = True
    await process(bot, update)
    assert bot.bot_data.library.count_articles(chat_scope(GROUP)) == 0


async def test_a_full_chat_fetches_no_link(api, make_bot, tmp_path, web):
    from conftest import process

    config = make_bot_config(tmp_path / "data", owners=[999], limits={"max_articles_per_chat": 1})
    config = dataclasses.replace(
        config, fetch=dataclasses.replace(config.fetch, allow_hosts=["127.0.0.1"])
    )
    bot = await make_bot(config)
    web.route("/a.html", body=PAGE)
    user = api.user(4020)
    chat = api.private(user)
    await process(bot, api.text_update(chat, user, web.url("/a.html")))
    assert len(web.requests) == 1
    await process(bot, api.text_update(chat, user, web.url("/a.html") + "?again"))
    assert len(web.requests) == 1 and "上限" in texts(api, chat["id"])[-1]


async def test_the_poll_job_is_scheduled_on_the_job_queue(bot):
    from bot.tg.handlers.feeds import POLL_TICK_SECONDS

    assert bot.job_queue is not None
    [job] = bot.job_queue.get_jobs_by_name("feeds")
    assert job.trigger.interval.total_seconds() == POLL_TICK_SECONDS


async def test_the_running_application_polls_due_feeds_by_itself(
    api, make_bot, tmp_path, web, monkeypatch
):
    import asyncio

    import bot.tg.handlers.feeds as handlers

    monkeypatch.setattr(handlers, "POLL_TICK_SECONDS", 0.2)
    config = make_bot_config(tmp_path / "data", owners=[999])
    config = dataclasses.replace(
        config, fetch=dataclasses.replace(config.fetch, allow_hosts=["127.0.0.1"])
    )
    application = await make_bot(config)
    library = application.bot_data.library
    poller = await handlers.poller_for(library)
    web.route("/feed.xml", body=feed_of([1]), content_type="application/rss+xml")
    await asyncio.to_thread(poller.follow, web.url("/feed.xml"), chat_scope(GROUP))
    web.route("/feed.xml", body=feed_of([2, 1]), content_type="application/rss+xml")
    [feed] = poller.list_feeds()
    poller.feeds.update(feed.id, next_poll=0)
    await application.start()  # starts the JobQueue
    try:
        for _ in range(50):
            if library.count_articles(chat_scope(GROUP)) == 2:
                break
            await asyncio.sleep(0.1)
    finally:
        await application.stop()
    assert library.count_articles(chat_scope(GROUP)) == 2


async def test_the_feed_pollers_connections_are_closed_at_shutdown(api, bot, monkeypatch):
    from bot.tg.handlers import feeds

    poller = await feeds.poller_for(bot.bot_data.library)
    closed = []
    monkeypatch.setattr(poller.fetcher, "close", lambda: closed.append(True))
    # what run_polling/run_webhook call once the bot has stopped
    assert bot.post_shutdown is not None
    await bot.post_shutdown(bot)
    assert closed == [True]
    assert bot.bot_data.library not in feeds._POLLERS
