"""Channels: posts become articles, edits update them, the linked group asks about them."""

from __future__ import annotations

from test_bot_private import texts

from bot.handlers import channel_article_id
from bot.models import chat_scope

CHANNEL = -100700
GROUP = -100701
POST = ("熊猫基地新添双胞胎\n"
        "记者 赵六\n\n"
        "成都大熊猫繁育研究基地今天宣布，一对大熊猫双胞胎在基地顺利出生，母子平安。\n\n"
        "基地工作人员表示，双胞胎幼崽体重分别为一百五十克和一百二十克。")
EDITED = POST.replace("一百五十克", "一百六十克")


async def join_channel_with_group(api, feed):
    channel = api.channel(CHANNEL, "川渝观察", username="cy_watch")
    group = api.group(GROUP, "川渝观察讨论", linked_to=CHANNEL)
    admin = api.user(4001)
    await feed(api.my_chat_member_update(channel, admin, "left", "administrator"))
    return channel, group


async def test_post_is_ingested_and_answered_in_the_linked_group(api, feed, library):
    channel, group = await join_channel_with_group(api, feed)
    assert api.sent(CHANNEL) == []                           # no introduction in a channel
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
    group = api.group(GROUP)                                     # getChat knows no link
    await feed(api.channel_post_update(channel, POST))
    forward = api.text_update(group, api.user(777000, "Telegram"), POST, sender_chat=channel,
                              is_automatic_forward=True)
    await feed(forward)
    assert api.sent(GROUP) == []                                 # the forward is not a question
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
    api.set_member(GROUP, 4005, "administrator")                 # admin of the group only
    await feed(api.text_update(group, group_admin, "/settings ingest off"))
    assert library.store.chat_settings(CHANNEL).ingest_channel is True
    assert texts(api, GROUP)[-1] == "只有本聊天的管理员可以这样做。"
    api.set_member(CHANNEL, 4005, "administrator")
    await feed(api.chat_member_update(channel, group_admin, "member", "administrator"))  # cache dropped
    await feed(api.text_update(group, group_admin, "/settings ingest off"))
    assert library.store.chat_settings(CHANNEL).ingest_channel is False
    await feed(api.channel_post_update(channel, POST))
    assert library.count_articles(chat_scope(CHANNEL)) == 0


async def test_other_commands_in_a_channel_get_one_line(api, feed, library):
    channel, _ = await join_channel_with_group(api, feed)
    await feed(api.channel_post_update(channel, "/add"))
    assert texts(api, CHANNEL) == ["频道里不能这样做；请在私聊或讨论组中使用。"]
    assert library.count_articles(chat_scope(CHANNEL)) == 0      # a command is not an article
