"""The bot in groups: /ask, mentions, reply follow-ups, silence, the introduction."""

from __future__ import annotations

from test_bot_private import QUESTION, bot_message, keyboard, long_article, texts

from bot.models import chat_scope

GROUP = -100200


async def test_ask_with_bot_username_is_answered(api, feed):
    user = api.user(2001)
    group = api.group(GROUP)
    await feed(api.text_update(group, user, f"/ask@{api.username} {QUESTION}"))
    [answer] = api.sent(GROUP)
    text = answer.params["text"]
    assert "<blockquote>" in text and "严薇" in text and "上游新闻·重庆晨报" in text
    assert answer.params["reply_parameters"]["message_id"] > 0


async def test_plain_ask_and_empty_ask(api, feed):
    user = api.user(2002)
    group = api.group(GROUP)
    await feed(api.text_update(group, user, f"/ask {QUESTION}"))
    await feed(api.text_update(group, user, "/ask"))
    answer, hint = texts(api, GROUP)
    assert "<blockquote>" in answer
    assert "/ask" in hint and "<blockquote>" not in hint


async def test_silent_on_chatter_and_on_other_bots_commands(api, feed):
    user = api.user(2003)
    group = api.group(GROUP)
    await feed(api.text_update(group, user, QUESTION))  # no address
    await feed(api.text_update(group, user, f"{QUESTION} @someone_else"))
    await feed(api.text_update(group, user, f"/ask@other_bot {QUESTION}"))
    await feed(api.text_update(group, user, "/frobnicate"))  # unknown, not ours
    assert api.sent(GROUP) == []
    await feed(api.text_update(group, user, f"/frobnicate@{api.username}"))  # unknown, addressed
    assert texts(api, GROUP) == ["不认识这个命令。/help 查看可用命令。"]


async def test_mention_is_a_question(api, feed):
    user = api.user(2004)
    group = api.group(GROUP)
    await feed(api.text_update(group, user, f"@{api.username} {QUESTION}"))
    [answer] = texts(api, GROUP)
    assert "<blockquote>" in answer and "<b>两江新区</b>" in answer


async def test_reply_follow_up_stays_within_the_quoted_article(api, feed, library):
    library.add_article(long_article("other", paragraphs=5), chat_scope(GROUP))
    user = api.user(2005)
    group = api.group(GROUP)
    await feed(api.text_update(group, user, f"/ask {QUESTION}"))
    first = api.sent(GROUP)[-1]
    assert "上游新闻·重庆晨报" in first.params["text"]
    follow_up = "科技创新中心和创新氛围"
    await feed(api.text_update(group, user, follow_up, reply_to=bot_message(api, first)))
    within = api.sent(GROUP)[-1].params["text"]
    assert "<blockquote>" in within
    assert "上游新闻·重庆晨报" in within and "测试日报" not in within
    await feed(api.text_update(group, user, f"/ask {follow_up}"))  # not a follow-up
    assert "测试日报" in api.sent(GROUP)[-1].params["text"]


async def test_reply_to_someone_else_is_chatter(api, feed):
    alice, bob = api.user(2006), api.user(2007)
    group = api.group(GROUP)
    said = api.message(group, alice, "今天天气不错")
    await feed(api.text_update(group, bob, QUESTION, reply_to=said))
    assert api.sent(GROUP) == []


async def test_messages_posted_through_inline_mode_are_ignored(api, feed):
    user = api.user(2008)
    group = api.group(GROUP)
    update = api.text_update(group, user, f"@{api.username} {QUESTION}")
    update["message"]["via_bot"] = api.bot_user()
    await feed(update)
    assert api.sent(GROUP) == []


async def test_more_button_in_a_group_works_for_anyone(api, feed, library):
    from bot.store import ChatSettings

    library.store.save_chat_settings(GROUP, ChatSettings(per_message=1))
    asker, other = api.user(2009), api.user(2010, language_code="en")
    group = api.group(GROUP)
    await feed(api.text_update(group, asker, f"/ask {QUESTION}"))
    first = api.sent(GROUP)[-1]
    more = [b for b in keyboard(first) if b["callback_data"].startswith("m|")][0]
    await feed(api.press(other, bot_message(api, first), more["callback_data"]))
    assert len(api.sent(GROUP)) == 2 and "<blockquote>" in api.sent(GROUP)[1].params["text"]
    # the presser's language for the buttons, the article's characters for the quote
    assert "两江新区" in api.sent(GROUP)[1].params["text"]
    assert [b["text"] for b in keyboard(api.sent(GROUP)[1])] == ["Full article"]


async def test_introduction_when_added_to_a_group(api, feed):
    admin = api.user(2011, language_code="en")
    group = api.group(GROUP)
    await feed(api.my_chat_member_update(group, admin, "left", "member"))
    [intro] = texts(api, GROUP)
    assert "privacy mode" in intro and "/ask" in intro and api.username in intro
    await feed(api.my_chat_member_update(group, admin, "member", "administrator"))  # promoted
    await feed(api.my_chat_member_update(group, admin, "administrator", "left"))  # removed
    assert len(texts(api, GROUP)) == 1


async def test_introduction_in_chinese_by_default(api, feed):
    admin = api.user(2012, language_code=None)
    group = api.group(GROUP - 1)
    await feed(api.my_chat_member_update(group, admin, "left", "administrator"))
    [intro] = texts(api, GROUP - 1)
    assert "隐私模式" in intro and "BotFather" in intro


async def test_group_about_and_help(api, feed):
    user = api.user(2013)
    group = api.group(GROUP)
    await feed(api.text_update(group, user, f"/about@{api.username}"))
    await feed(api.text_update(group, user, "/help"))
    about, help_ = texts(api, GROUP)
    assert "文章：1 篇" in about
    assert "/ask" in help_
