"""The bot in private chats: questions, buttons, /start /help /about, limits, language."""

from __future__ import annotations

import random
import re

from conftest import make_bot_config, process

from bot.answers.markup import utf16_len
from bot.models import Article, Paragraph, chat_scope
from bot.store import ChatSettings

QUESTION = "两江新区和天府新区要共同建设什么？"


def texts(api, chat_id):
    return [c.params["text"] for c in api.sent(chat_id)]


def keyboard(call):
    markup = call.params.get("reply_markup") or {}
    return [b for row in markup.get("inline_keyboard", []) for b in row]


def button(call, prefix):
    found = [b for b in keyboard(call) if b["callback_data"].startswith(prefix)]
    assert found, f"no {prefix!r} button in {keyboard(call)}"
    return found[0]


def bot_message(api, call):
    """The message object the stand-in made for a sendMessage call (as a user's client sees it)."""
    return api.messages[(int(call.params["chat_id"]), call.result["message_id"])]


FILLER = "山水城市工厂学校医院道路桥梁公园河流农田港口车站机场市场银行书店剧院球场码头仓库广场花园"


def filler(seed: str, length: int) -> str:
    """Distinct Chinese-looking text (so paragraphs are not near-duplicates of each other)."""
    rng = random.Random(seed)
    return (
        "".join(rng.choice(FILLER) + ("，" if rng.random() < 0.1 else "") for _ in range(length))
        + "。"
    )


def long_article(article_id: str, paragraphs: int = 30, sentences: int = 4) -> Article:
    """Paragraphs of ``sentences`` distinct sentences, each about 重庆科学城's 创新氛围."""

    def paragraph(i: int) -> str:
        return f"第{i}段。" + "".join(
            f"重庆科学城的创新氛围{filler(f'{article_id}{i}{j}', 30)}" for j in range(sentences)
        )

    return Article(
        id=article_id,
        title="科学城长篇报道",
        source="测试日报",
        reporters=["王五"],
        date="2021-05-01",
        paragraphs=[Paragraph(f"{article_id}#{i}", paragraph(i)) for i in range(paragraphs)],
    )


async def test_private_question_is_answered_with_quotes_bold_words_and_credit(api, feed):
    user = api.user(1001, "Li")
    chat = api.private(user)
    await feed(api.text_update(chat, user, QUESTION))
    [answer] = api.sent(1001)
    text = answer.params["text"]
    assert text.count("<blockquote>") >= 1 and "</blockquote>" in text
    assert "<b>两江新区</b>" in text and "<b>天府新区</b>" in text
    assert "严薇" in text and "郭欣欣" in text and "上游新闻·重庆晨报" in text
    assert answer.params["parse_mode"] == "HTML"
    assert answer.params["link_preview_options"] == {"is_disabled": True}
    assert answer.params["reply_parameters"]["message_id"] == api.messages[(1001, 1)]["message_id"]
    assert button(answer, "f|")["text"] == "全文"


async def test_no_answer_gets_a_polite_line_not_silence(api, feed):
    user = api.user(1002)
    chat = api.private(user)
    await feed(api.text_update(chat, user, "量子计算机的冷却温度是多少"))
    [reply] = texts(api, 1002)
    assert "<blockquote>" not in reply
    assert "没有找到" in reply


async def test_more_button_gives_the_next_quotes(api, feed, library):
    library.store.save_chat_settings(1003, ChatSettings(per_message=1))
    user = api.user(1003)
    chat = api.private(user)
    await feed(api.text_update(chat, user, QUESTION))
    [first] = api.sent(1003)
    assert first.params["text"].count("<blockquote>") == 1
    more = button(first, "m|")
    assert more["text"] == "更多"
    assert len(more["callback_data"].encode()) <= 64
    await feed(api.press(user, bot_message(api, first), more["callback_data"]))
    assert api.calls_of("answerCallbackQuery")
    [_, second] = api.sent(1003)
    quote = re.compile(r"<blockquote>(.*?)</blockquote>", re.S)
    assert quote.findall(second.params["text"]) and quote.findall(
        second.params["text"]
    ) != quote.findall(first.params["text"])
    assert "严薇" in second.params["text"]
    # the corpus has only two quotes for this question: no further More button
    assert not [b for b in keyboard(second) if b["callback_data"].startswith("m|")]


async def test_buttons_still_work_after_a_restart(api, make_bot, tmp_path):
    config = make_bot_config(tmp_path / "data", answers={"per_message": 1})
    first_app = await make_bot(config)
    user = api.user(1004)
    chat = api.private(user)
    await process(first_app, api.text_update(chat, user, QUESTION))
    [first] = api.sent(1004)
    more = button(first, "m|")["callback_data"]
    await first_app.shutdown()
    first_app.bot_data.library.close()
    restarted = await make_bot(config)  # a new process: new Library on the same data_dir
    await process(restarted, api.press(user, bot_message(api, first), more))
    assert len(api.sent(1004)) == 2
    assert "<blockquote>" in api.sent(1004)[1].params["text"]


async def test_full_article_is_paged_with_prev_next_buttons(api, feed, library):
    user = api.user(1005)
    chat = api.private(user)
    library.add_article(long_article("longone", paragraphs=60), chat_scope(1005))
    await feed(api.text_update(chat, user, "重庆科学城的创新氛围怎么样"))
    answer = api.sent(1005)[-1]
    full = [b for b in keyboard(answer) if b["callback_data"] == "f|longone"]
    assert full, keyboard(answer)
    await feed(api.press(user, bot_message(api, answer), "f|longone"))
    page = api.sent(1005)[-1]
    assert "科学城长篇报道" in page.params["text"] and "王五" in page.params["text"]
    assert "第 1/" in page.params["text"]
    assert [b["text"] for b in keyboard(page)] == ["下一页 »"]
    seen = [page.params["text"]]
    message = bot_message(api, page)
    current = page
    for _ in range(20):
        nxt = [b for b in keyboard(current) if b["text"] == "下一页 »"]
        if not nxt:
            break
        await feed(api.press(user, message, nxt[0]["callback_data"]))
        edit = api.calls_of("editMessageText")[-1]
        assert edit.error is None and int(edit.params["message_id"]) == message["message_id"]
        seen.append(edit.params["text"])
        current = edit
    assert len(seen) >= 3
    assert all(utf16_len(t) <= 4096 for t in seen)
    joined = "".join(seen)
    for i in range(60):  # every paragraph shows up on some page
        assert f"第{i}段。" in joined
    assert [b["text"] for b in keyboard(api.calls_of("editMessageText")[-1])] == ["« 上一页"]


async def test_long_answers_are_split_below_4096_with_buttons_on_the_last(api, make_bot, tmp_path):
    config = make_bot_config(
        tmp_path / "data", answers={"per_message": 5, "excerpt_chars": 2000, "max_per_article": 5}
    )
    app = await make_bot(config)
    library = app.bot_data.library
    for n in range(3):
        library.add_article(long_article(f"long{n}", paragraphs=6, sentences=60), chat_scope(1006))
    user = api.user(1006)
    await process(app, api.text_update(api.private(user), user, "重庆科学城的创新氛围怎么样"))
    sent = api.sent(1006)
    assert len(sent) >= 2
    assert all(utf16_len(c.params["text"]) <= 4096 for c in sent)
    assert sum(c.params["text"].count("<blockquote>") for c in sent) == 5
    assert all(not keyboard(c) for c in sent[:-1]) and keyboard(sent[-1])


async def test_start_help_about(api, feed):
    user = api.user(1007)
    chat = api.private(user)
    await feed(api.text_update(chat, user, "/start"))
    await feed(api.text_update(chat, user, "/help"))
    await feed(api.text_update(chat, user, "/about"))
    start, help_, about = texts(api, 1007)
    assert "直接发问题" in start
    assert "/ask" in help_ and "两江新区" in help_ and api.username in help_
    assert "文章：1 篇" in about and "上游新闻·重庆晨报" in about and "2020-04-12" in about


async def test_start_deep_link_opens_the_article(api, feed, library):
    [article_id] = library.store.ids("shared")
    user = api.user(1008)
    await feed(api.text_update(api.private(user), user, f"/start art_{article_id}"))
    [page] = texts(api, 1008)
    assert "唱好" in page and "严薇" in page and "两江新区" in page
    await feed(api.text_update(api.private(user), user, "/start art_doesnotexist"))
    assert "找不到这篇文章" in texts(api, 1008)[-1]


async def test_language_follows_the_users_language_code(api, feed):
    for uid, code, expected in [
        (1101, "zh-TW", "私聊：直接發送問題"),
        (1102, "zh-hk", "私聊：直接發送問題"),
        (1103, "en", "How to ask"),
        (1104, "fr", "How to ask"),
        (1105, "zh-hans", "私聊：直接发送问题"),
        (1106, None, "私聊：直接发送问题"),
    ]:
        user = api.user(uid, language_code=code)
        await feed(api.text_update(api.private(user), user, "/help"))
        assert expected in texts(api, uid)[-1], (code, texts(api, uid)[-1])
    english = api.user(1107, language_code="en")
    await feed(api.text_update(api.private(english), english, QUESTION))
    answer = api.sent(1107)[-1]
    assert button(answer, "f|")["text"] == "Full article"
    assert "两江新区" in answer.params["text"]  # quotes stay in the article's characters


async def test_too_long_question_gets_one_line(api, feed, library, monkeypatch):
    asked = []
    monkeypatch.setattr(library, "ask", lambda *a, **k: asked.append(a))
    user = api.user(1009)
    await feed(api.text_update(api.private(user), user, "两江新区" * 100))
    [reply] = texts(api, 1009)
    assert "太长" in reply and "300" in reply and "\n" not in reply
    assert asked == []


async def test_per_user_rate_limit(api, make_bot):
    app = await make_bot(limits={"questions_per_window": 2, "window_seconds": 60})
    user = api.user(1010)
    chat = api.private(user)
    for _ in range(3):
        await process(app, api.text_update(chat, user, QUESTION))
    sent = texts(api, 1010)
    assert [("<blockquote>" in t) for t in sent] == [True, True, False]
    assert "秒后再试" in sent[2]
    other = api.user(1011)  # the limit is per user
    await process(app, api.text_update(api.private(other), other, QUESTION))
    assert "<blockquote>" in texts(api, 1011)[0]


async def test_unknown_command_in_private_gets_a_hint(api, feed):
    user = api.user(1012)
    await feed(api.text_update(api.private(user), user, "/frobnicate"))
    assert texts(api, 1012) == ["不认识这个命令。/help 查看可用命令。"]


async def test_reply_to_the_bot_in_private_stays_within_the_quoted_article(api, feed, library):
    library.add_article(long_article("other"), chat_scope(1013))
    user = api.user(1013)
    chat = api.private(user)
    await feed(api.text_update(chat, user, QUESTION))
    first = api.sent(1013)[-1]
    # a question the other article answers best (see the control below) stays in the quoted one
    question = "重庆科学城的创新氛围怎么样"
    await feed(api.text_update(chat, user, question, reply_to=bot_message(api, first)))
    follow = api.sent(1013)[-1].params["text"]
    assert "上游新闻·重庆晨报" in follow and "测试日报" not in follow
    await feed(api.text_update(chat, user, question))
    assert "测试日报" in api.sent(1013)[-1].params["text"]


async def test_error_handler_answers_one_polite_line_without_leaking(
    api, feed, library, monkeypatch, caplog
):
    def broken(*args, **kwargs):
        raise RuntimeError(f"database exploded near token {api.token}")

    monkeypatch.setattr(library, "ask", broken)
    user = api.user(1014)
    await feed(api.text_update(api.private(user), user, QUESTION), expect_error=True)
    [reply] = texts(api, 1014)
    assert reply == "抱歉，出了点问题，请稍后再试。"
    assert api.token not in reply
    assert any("update failed" in r.getMessage() for r in caplog.records)


async def test_an_article_id_with_the_separator_keeps_its_buttons_working(api, feed, library):
    from bot.library import index_docs

    # stored before ids were checked (the library refuses "|" in new ids now)
    odd = long_article("wire|2021|07", paragraphs=60)
    library.store.put(odd, chat_scope(1020))
    library.index.add(index_docs(odd, chat_scope(1020), library.segmenter))
    user = api.user(1020)
    chat = api.private(user)
    await feed(api.text_update(chat, user, "重庆科学城的创新氛围怎么样"))
    answer = api.sent(1020)[-1]
    datas = [b["callback_data"] for b in keyboard(answer)]
    assert not [d for d in datas if "wire" in d], datas  # never "f|wire|2021|07"
    [full] = [d for d in datas if d.startswith("kf|")]
    await feed(api.press(user, bot_message(api, answer), full))
    page = api.sent(1020)[-1]
    assert "科学城长篇报道" in page.params["text"] and "第 1/" in page.params["text"]
    [nxt] = [b["callback_data"] for b in keyboard(page) if b["text"] == "下一页 »"]
    assert nxt.startswith("kp|")
    await feed(api.press(user, bot_message(api, page), nxt))
    edit = api.calls_of("editMessageText")[-1]
    assert edit.error is None and "第 2/" in edit.params["text"]
    # the deep link too
    await feed(api.text_update(chat, user, "/start art_wire|2021|07"))
    assert "科学城长篇报道" in api.sent(1020)[-1].params["text"]


async def test_old_button_state_is_pruned_and_recent_buttons_still_work(api, make_bot, monkeypatch):
    from bot.texts import t
    from bot.tg import state

    monkeypatch.setattr(state, "PRUNE_EVERY", 3)
    monkeypatch.setattr(state, "KEEP_MSG_ROWS", 4)
    monkeypatch.setattr(state, "KEEP_CB_ROWS", 2)
    app = await make_bot(limits={"questions_per_window": 100})
    library = app.bot_data.library
    user = api.user(1021)
    chat = api.private(user)
    library.add_article(long_article("prunecase", paragraphs=60), chat_scope(1021))
    # a second relevant article: more confident quotes than one message shows, so 更多 appears
    library.add_article(long_article("prunecase2", paragraphs=60), chat_scope(1021))
    pruned = []
    real_prune = library.store.prune_meta
    monkeypatch.setattr(
        library.store,
        "prune_meta",
        lambda prefix, keep: pruned.append((prefix, keep)) or real_prune(prefix, keep),
    )

    def rows(prefix):
        return library.store._query("SELECT key FROM meta WHERE key LIKE ?", (prefix + "%",))

    for n in range(12):
        await process(
            app, api.text_update(chat, user, QUESTION if n % 2 else "重庆科学城的创新氛围怎么样")
        )
    assert len(api.sent(1021)) == 12
    assert ("msg:", 4) in pruned and ("cb:", 2) in pruned
    assert ("edit:", state.KEEP_EDIT_ROWS) in pruned
    assert len(rows("msg:")) <= 4 + 3  # pruned to 4, at most 3 written since
    # the newest answer's buttons work
    await process(app, api.text_update(chat, user, "重庆科学城的创新氛围怎么样"))
    latest = api.sent(1021)[-1]
    more = button(latest, "m|")["callback_data"]
    before = len(api.sent(1021))
    await process(app, api.press(user, bot_message(api, latest), more))
    assert len(api.sent(1021)) == before + 1 and "<blockquote>" in api.sent(1021)[-1].params["text"]
    await process(
        app, api.press(user, bot_message(api, latest), button(latest, "f|")["callback_data"])
    )
    assert "科学城长篇报道" in api.sent(1021)[-1].params["text"]
    # the oldest answer's state is gone: its More button expires politely
    first = api.sent(1021)[0]
    await process(
        app, api.press(user, bot_message(api, first), button(first, "m|")["callback_data"])
    )
    assert api.calls_of("answerCallbackQuery")[-1].params.get("text") == t(
        "button_expired", "zh-hans"
    )
