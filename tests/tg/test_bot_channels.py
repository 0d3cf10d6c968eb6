"""Channels: posts become articles, edits update them, the linked group asks about them."""

from __future__ import annotations

from test_bot_private import texts

from bot.models import chat_scope
from bot.tg.handlers.channels import channel_article_id

CHANNEL = -100700
GROUP = -100701
POST = (
    "熊猫基地新添双胞胎\n"
    "记者 赵六\n\n"
    "成都大熊猫繁育研究基地今天宣布，一对大熊猫双胞胎在基地顺利出生，母子平安。\n\n"
    "基地工作人员表示，双胞胎幼崽体重分别为一百五十克和一百二十克。"
)
EDITED = POST.replace("一百五十克", "一百六十克")


async def join_channel_with_group(api, feed):
    channel = api.channel(CHANNEL, "川渝观察", username="cy_watch")
    group = api.group(GROUP, "川渝观察讨论", linked_to=CHANNEL)
    admin = api.user(4001)
    await feed(api.my_chat_member_update(channel, admin, "left", "administrator"))
    return channel, group


async def test_post_is_ingested_and_answered_in_the_linked_group(api, feed, library):
    channel, group = await join_channel_with_group(api, feed)
    assert api.sent(CHANNEL) == []  # no introduction in a channel
    assert library.store.chat_settings(GROUP).linked_chat_id == CHANNEL
    assert library.store.chat_settings(CHANNEL).linked_chat_id == GROUP
    update = api.channel_post_update(channel, POST)
    post = update["channel_post"]
    article_id = channel_article_id(CHANNEL, post["message_id"])
    assert library.get_article(article_id) is None
    await feed(update)
    article = library.get_article(article_id)
    assert article is not None and library.scope_of(article_id) == chat_scope(CHANNEL)
    assert article.source == "川渝观察"
    assert article.url == f"https://t.me/cy_watch/{post['message_id']}"
    reader = api.user(4002)
    await feed(api.text_update(group, reader, "/ask 大熊猫双胞胎体重多少"))
    answer = texts(api, GROUP)[-1]
    assert "<blockquote>" in answer and "一百五十克" in answer and "川渝观察" in answer
    # the discussion group still sees the shared corpus too
    await feed(api.text_update(group, reader, "/ask 两江新区和天府新区要共同建设什么"))
    assert "上游新闻·重庆晨报" in texts(api, GROUP)[-1]
    # a chat that is not linked does not see the channel's articles
    other = api.group(GROUP - 5)
    await feed(api.text_update(other, reader, "/ask 大熊猫双胞胎体重多少"))
    assert "一百五十克" not in texts(api, GROUP - 5)[-1]


async def test_edited_post_updates_the_article(api, feed, library):
    channel, group = await join_channel_with_group(api, feed)
    update = api.channel_post_update(channel, POST)
    await feed(update)
    message_id = update["channel_post"]["message_id"]
    await feed(api.channel_post_update(channel, EDITED, edit_of=message_id))
    article = library.get_article(channel_article_id(CHANNEL, message_id))
    assert article is not None
    body = "".join(p.text for p in article.paragraphs)
    assert "一百六十克" in body and "一百五十克" not in body
    assert library.count_articles(chat_scope(CHANNEL)) == 1
    await feed(api.text_update(group, api.user(4003), "/ask 大熊猫双胞胎体重多少"))
    answer = texts(api, GROUP)[-1]
    assert "一百六十克" in answer and "一百五十克" not in answer


async def test_link_learned_from_an_automatic_forward(api, feed, library):
    channel = api.channel(CHANNEL, "川渝观察")
    group = api.group(GROUP)  # getChat knows no link
    await feed(api.channel_post_update(channel, POST))
    forward = api.text_update(
        group, api.user(777000, "Telegram"), POST, sender_chat=channel, is_automatic_forward=True
    )
    await feed(forward)
    assert api.sent(GROUP) == []  # the forward is not a question
    assert library.store.chat_settings(GROUP).linked_chat_id == CHANNEL
    await feed(api.text_update(group, api.user(4004), "/ask 大熊猫双胞胎体重多少"))
    assert "一百五十克" in texts(api, GROUP)[-1]


async def test_ingestion_can_be_turned_off_in_the_channel(api, feed, library):
    channel, group = await join_channel_with_group(api, feed)
    await feed(api.channel_post_update(channel, "/settings ingest off"))
    assert library.store.chat_settings(CHANNEL).ingest_channel is False
    assert "频道文章收录：关" in texts(api, CHANNEL)[-1]
    await feed(api.channel_post_update(channel, POST))
    assert library.count_articles(chat_scope(CHANNEL)) == 0


async def test_ingestion_toggled_from_the_group_needs_channel_admin_rights(api, feed, library):
    channel, group = await join_channel_with_group(api, feed)
    group_admin = api.user(4005)
    api.set_member(GROUP, 4005, "administrator")  # admin of the group only
    await feed(api.text_update(group, group_admin, "/settings ingest off"))
    assert library.store.chat_settings(CHANNEL).ingest_channel is True
    assert texts(api, GROUP)[-1] == "只有本聊天的管理员可以这样做。"
    api.set_member(CHANNEL, 4005, "administrator")
    await feed(
        api.chat_member_update(channel, group_admin, "member", "administrator")
    )  # cache dropped
    await feed(api.text_update(group, group_admin, "/settings ingest off"))
    assert library.store.chat_settings(CHANNEL).ingest_channel is False
    await feed(api.channel_post_update(channel, POST))
    assert library.count_articles(chat_scope(CHANNEL)) == 0


async def test_other_commands_in_a_channel_get_one_line(api, feed, library):
    channel, _ = await join_channel_with_group(api, feed)
    await feed(api.channel_post_update(channel, "/add"))
    assert texts(api, CHANNEL) == ["频道里不能这样做；请在私聊或讨论组中使用。"]
    assert library.count_articles(chat_scope(CHANNEL)) == 0  # a command is not an article


async def test_an_older_edit_arriving_late_does_not_undo_a_newer_one(api, feed, library):
    channel, group = await join_channel_with_group(api, feed)
    update = api.channel_post_update(channel, POST)
    await feed(update)
    message_id = update["channel_post"]["message_id"]
    older = api.channel_post_update(
        channel, POST.replace("一百五十克", "一百五十五克"), edit_of=message_id
    )
    newer = api.channel_post_update(channel, EDITED, edit_of=message_id)
    older["edited_channel_post"]["edit_date"] = update["channel_post"]["date"] + 60
    newer["edited_channel_post"]["edit_date"] = update["channel_post"]["date"] + 120
    await feed(newer)
    await feed(older)  # delivered after the newer edit
    await feed(update)  # and the original post, re-delivered
    body = "".join(
        p.text for p in library.get_article(channel_article_id(CHANNEL, message_id)).paragraphs
    )
    assert "一百六十克" in body and "一百五十五克" not in body and "一百五十克" not in body
    # a later edit still applies
    latest = api.channel_post_update(
        channel, POST.replace("一百五十克", "一百七十克"), edit_of=message_id
    )
    latest["edited_channel_post"]["edit_date"] = update["channel_post"]["date"] + 180
    await feed(latest)
    body = "".join(
        p.text for p in library.get_article(channel_article_id(CHANNEL, message_id)).paragraphs
    )
    assert "一百七十克" in body


async def test_concurrent_edits_of_one_post_keep_the_newest(api, feed, library):
    import asyncio

    channel, group = await join_channel_with_group(api, feed)
    update = api.channel_post_update(channel, POST)
    await feed(update)
    message_id = update["channel_post"]["message_id"]
    edits = []
    for n, weight in enumerate(("一百五十一克", "一百五十二克", "一百五十三克", "一百五十四克")):
        edit = api.channel_post_update(
            channel, POST.replace("一百五十克", weight), edit_of=message_id
        )
        edit["edited_channel_post"]["edit_date"] = update["channel_post"]["date"] + 10 * (n + 1)
        edits.append(edit)
    await asyncio.gather(*(feed(e) for e in reversed(edits)))  # newest first, all at once
    body = "".join(
        p.text for p in library.get_article(channel_article_id(CHANNEL, message_id)).paragraphs
    )
    assert "一百五十四克" in body


async def test_a_link_that_cannot_be_saved_is_logged_once_and_never_posted(
    api, make_bot, tmp_path, caplog
):
    import logging

    from conftest import make_bot_config, process

    config = make_bot_config(tmp_path / "data", owners=[999])
    config.data_path.mkdir(parents=True)
    (config.data_path / "articles.sqlite3").write_bytes(b"\x00" * 4096)  # a damaged store
    app = await make_bot(config)
    assert not app.bot_data.library.writable
    channel = api.channel(CHANNEL, "川渝观察")
    group = api.group(GROUP)
    caplog.set_level(logging.INFO)
    for _ in range(3):  # three channel posts forwarded
        await process(app, api.channel_post_update(channel, POST))
        await process(
            app,
            api.text_update(
                group,
                api.user(777000, "Telegram"),
                POST,
                sender_chat=channel,
                is_automatic_forward=True,
            ),
        )
    assert api.sent(GROUP) == [] and api.sent(CHANNEL) == []
    link_lines = [r for r in caplog.records if "cannot save the link" in r.getMessage()]
    assert len(link_lines) == 1
    await process(
        app, api.text_update(group, api.user(4006), "/ask 两江新区和天府新区要共同建设什么")
    )
    assert "西部科技创新中心" in texts(api, GROUP)[-1]  # questions are still answered


async def test_group_migrated_to_a_supergroup_keeps_its_articles_and_settings(api, feed, library):
    old, new = -4242, -1004242
    group = api.group(old, "老群")
    group["type"] = "group"  # a basic group, before the upgrade
    admin = api.user(999)  # an owner
    article = (
        "火锅博物馆今日开馆\n记者 张三\n\n"
        "位于渝中区的火锅博物馆今天正式开馆，博物馆免费向市民开放，每天限流三千人。"
    )
    for n in range(3):
        await feed(api.text_update(group, admin, f"/add {article}第{n}号展厅。"))
    await feed(api.text_update(group, admin, "/settings corpus own"))
    assert library.count_articles(chat_scope(old)) == 3
    ids_before = sorted(a.id for a in library.list_articles(chat_scope(old)))
    migrate = api.message(group, admin)
    migrate["migrate_to_chat_id"] = new
    await feed({"update_id": 990001, "message": migrate})
    supergroup = api.group(new, "老群")
    welcome = api.message(supergroup, admin)
    welcome["migrate_from_chat_id"] = old  # Telegram sends both; moving twice is harmless
    await feed({"update_id": 990002, "message": welcome})
    assert library.count_articles(chat_scope(old)) == 0
    assert library.count_articles(chat_scope(new)) == 3
    assert sorted(a.id for a in library.list_articles(chat_scope(new))) == ids_before  # ids kept
    assert library.store.chat_settings(new).corpus == "own"
    assert api.sent(new) == []
    await feed(api.text_update(supergroup, api.user(4007), "/ask 火锅博物馆每天限流多少人"))
    assert "三千人" in texts(api, new)[-1]
