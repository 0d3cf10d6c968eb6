"""Answers that are right or silent, as the reader sees them in Telegram: chit-chat gets a hint
and no quote, 更多 pages only through confident quotes, a credits question names the right
article, and a follow-up its article cannot answer says so and offers to search everything."""

from __future__ import annotations

from conftest import process

from bot.models import Article, Paragraph, chat_scope
from bot.texts import t

QUESTION = "两江新区和天府新区要共同建设什么？"


def keyboard(call) -> list[dict]:
    markup = call.params.get("reply_markup") or {}
    return [b for row in markup.get("inline_keyboard", []) for b in row]


def bot_message(api, call) -> dict:
    return api.messages[(call.params["chat_id"], call.result["message_id"])]


def fire_article() -> Article:
    text = (
        "本报讯（记者 孙七）秋明州一处民宅昨晚发生火灾，消防员用了两个小时将火扑灭，"
        "火灾造成三人受伤，起火原因正在调查。"
    )
    return Article(
        id="fire-report",
        title="秋明州民宅起火三人受伤",
        source="示范晚报",
        reporters=["孙七"],
        date="2021-03-02",
        paragraphs=[Paragraph("fire-report#0", text)],
    )


def bakery_article() -> Article:
    text = "示范市一家面包店清晨起火，店主及时报警，无人受伤，损失正在统计。"
    return Article(
        id="bakery-report",
        title="面包店清晨起火",
        source="示范早报",
        paragraphs=[Paragraph("bakery-report#0", text)],
    )


async def test_chit_chat_in_private_gets_a_hint_not_a_quote(api, bot_app):
    user = api.user(8101)
    chat = api.private(user)
    for line in ("你好", "谢谢", "哈哈哈", "今天晚上吃什么好呢？"):
        await process(bot_app, api.text_update(chat, user, line))
        reply = api.sent(8101)[-1]
        assert "<blockquote>" not in reply.params["text"], line
        assert not keyboard(reply), line


async def test_more_appears_only_while_confident_quotes_remain(api, bot_app):
    user = api.user(8102)
    chat = api.private(user)
    await process(bot_app, api.text_update(chat, user, QUESTION))
    answer = api.sent(8102)[-1]
    assert "<blockquote>" in answer.params["text"]
    more = [b for b in keyboard(answer) if b["callback_data"].startswith("m|")]
    # page through More until it disappears: every page quotes, none is noise
    pages = 0
    while more:
        await process(bot_app, api.press(user, bot_message(api, answer), more[0]["callback_data"]))
        answer = api.sent(8102)[-1]
        assert "<blockquote>" in answer.params["text"], "More showed a page without a quote"
        assert "两江新区" in answer.params["text"] or "天府新区" in answer.params["text"]
        more = [b for b in keyboard(answer) if b["callback_data"].startswith("m|")]
        pages += 1
        assert pages < 10


async def test_a_credits_question_names_the_article_it_is_about(api, bot_app):
    library = bot_app.bot_data.library
    user = api.user(8103)
    chat = api.private(user)
    library.add_article(bakery_article(), chat_scope(8103))
    library.add_article(fire_article(), chat_scope(8103))
    await process(bot_app, api.text_update(chat, user, "秋明州民宅火灾那篇报道的记者是谁？"))
    reply = api.sent(8103)[-1].params["text"]
    assert "孙七" in reply and "面包店" not in reply


async def test_a_follow_up_its_article_cannot_answer_says_so_and_offers_to_search_all(api, bot_app):
    library = bot_app.bot_data.library
    user = api.user(8104)
    chat = api.private(user)
    library.add_article(fire_article(), chat_scope(8104))
    await process(bot_app, api.text_update(chat, user, QUESTION))
    first = api.sent(8104)[-1]
    assert "<blockquote>" in first.params["text"]
    # the quoted article is the sample about 两江新区; the fire is in another article
    await process(
        bot_app,
        api.text_update(
            chat, user, "秋明州民宅火灾造成几人受伤？", reply_to=bot_message(api, first)
        ),
    )
    follow = api.sent(8104)[-1]
    assert follow.params["text"] == t("answer_not_in_article", "zh-hans")
    [search_all] = [b for b in keyboard(follow) if b["callback_data"].startswith("a|")]
    assert search_all["text"] == t("btn_search_all", "zh-hans")
    await process(bot_app, api.press(user, bot_message(api, follow), search_all["callback_data"]))
    everywhere = api.sent(8104)[-1].params["text"]
    assert "<blockquote>" in everywhere and "三人受伤" in everywhere and "示范晚报" in everywhere


async def test_a_group_ask_always_gets_a_reply_even_when_nothing_is_found(api, bot_app):
    user = api.user(8105)
    group = api.group(-8105)
    await process(bot_app, api.text_update(group, user, "/ask 火星基地的氧气储量有多少"))
    reply = api.sent(-8105)[-1].params["text"]
    assert "<blockquote>" not in reply and reply.strip()
