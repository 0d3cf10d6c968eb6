"""Admin commands: /add (document or reply), /remove, /list, /settings, and the refusals."""

from __future__ import annotations

import json

from conftest import process
from test_bot_private import bot_message, keyboard, texts

from bot.models import chat_scope

GROUP = -100300
ARTICLE = (
    "火锅博物馆今日开馆 市民排队参观\n"
    "2021-03-15 09:30 来源：测试日报\n"
    "记者 张三 李四\n\n"
    "位于渝中区的火锅博物馆今天正式开馆，馆内展出了百余件与火锅有关的老物件。\n\n"
    "博物馆负责人介绍，火锅博物馆免费向市民开放，每天限流三千人。\n"
).encode()


async def test_add_document_as_admin_then_answerable(api, feed, library):
    admin = api.user(3001)
    group = api.group(GROUP)
    api.set_member(GROUP, 3001, "administrator")
    await feed(api.document_update(group, admin, "museum.txt", ARTICLE, caption="/add"))
    [reply] = texts(api, GROUP)
    [article] = library.list_articles(chat_scope(GROUP))
    assert "火锅博物馆今日开馆" in reply and "测试日报" in reply
    assert "张三" in reply and "2021-03-15" in reply and article.id in reply
    assert api.calls_of("getFile")
    await feed(api.text_update(group, admin, "/ask 火锅博物馆每天限流多少人"))
    answer = texts(api, GROUP)[-1]
    assert "<blockquote>" in answer and "三千人" in answer and "测试日报" in answer


async def test_non_admin_is_refused_and_nothing_changes(api, feed, library):
    member = api.user(3002)
    group = api.group(GROUP)
    api.set_member(GROUP, 3002, "member")
    await feed(api.document_update(group, member, "museum.txt", ARTICLE, caption="/add"))
    await feed(api.text_update(group, member, "/remove a123"))
    await feed(api.text_update(group, member, "/settings corpus own"))
    await feed(api.text_update(group, member, "/list"))
    assert texts(api, GROUP) == ["只有本聊天的管理员可以这样做。"] * 4
    assert library.count_articles(chat_scope(GROUP)) == 0
    assert library.store.chat_settings(GROUP).corpus == "both"
    assert not api.calls_of("getFile")
    # the getChatMember answer was cached: one call for four commands
    assert len(api.calls_of("getChatMember")) == 1


async def test_owner_may_administer_anywhere_without_asking_telegram(api, feed, library):
    owner = api.user(999)  # make_bot's config: owners=[999]
    group = api.group(GROUP)
    await feed(api.document_update(group, owner, "museum.txt", ARTICLE, caption="/add"))
    assert library.count_articles(chat_scope(GROUP)) == 1
    assert not api.calls_of("getChatMember")


async def test_anonymous_admin_may_add(api, feed, library):
    group = api.group(GROUP)
    anonymous = api.user(1087968824, "Group")  # GroupAnonymousBot
    update = api.document_update(group, anonymous, "museum.txt", ARTICLE, caption="/add")
    update["message"]["sender_chat"] = group
    await feed(update)
    assert library.count_articles(chat_scope(GROUP)) == 1


async def test_other_channel_identity_is_not_an_admin(api, feed, library):
    group = api.group(GROUP)
    stranger = api.channel(-100999, "Some channel")
    update = api.document_update(
        group, api.user(136817688, "Channel"), "museum.txt", ARTICLE, caption="/add"
    )
    update["message"]["sender_chat"] = stranger
    await feed(update)
    assert texts(api, GROUP) == ["只有本聊天的管理员可以这样做。"]
    assert library.count_articles(chat_scope(GROUP)) == 0


async def test_private_chat_user_administers_their_own_chat(api, feed, library):
    user = api.user(3003)
    chat = api.private(user)
    await feed(api.document_update(chat, user, "museum.txt", ARTICLE))  # no caption needed
    assert library.count_articles(chat_scope(3003)) == 1
    await feed(api.text_update(chat, user, "火锅博物馆每天限流多少人"))
    assert "三千人" in texts(api, 3003)[-1]


async def test_add_as_reply_to_an_article_message(api, feed, library):
    admin = api.user(3004)
    group = api.group(GROUP)
    api.set_member(GROUP, 3004, "creator")
    posted = api.message(group, admin, ARTICLE.decode("utf-8"))
    await feed(api.text_update(group, admin, "/add", reply_to=posted))
    assert library.count_articles(chat_scope(GROUP)) == 1
    assert "火锅博物馆今日开馆" in texts(api, GROUP)[-1]
    await feed(api.text_update(group, admin, "/add"))  # nothing to add
    assert "用法" in texts(api, GROUP)[-1]


async def test_add_jsonl_adds_every_record(api, feed, library):
    user = api.user(3005)
    chat = api.private(user)
    records = "\n".join(
        json.dumps(
            {
                "id": f"rec{n}",
                "title": f"标题{n}",
                "source": "测试日报",
                "text": f"第{n}篇文章的正文，讲述了火锅博物馆的故事。",
            },
            ensure_ascii=False,
        )
        for n in range(3)
    )
    await feed(api.document_update(chat, user, "many.jsonl", records.encode()))
    assert library.count_articles(chat_scope(3005)) == 3
    assert texts(api, 3005)[-1].count("ID：") == 3


async def test_document_limits_and_bad_files(api, make_bot, library):
    app = await make_bot(limits={"max_document_bytes": 1000, "max_articles_per_chat": 1})
    user = api.user(3006)
    chat = api.private(user)
    await process(app, api.document_update(chat, user, "big.txt", ARTICLE, declared_size=5000))
    assert "太大" in texts(api, 3006)[-1]
    assert not api.calls_of("getFile")  # refused before downloading
    await process(app, api.document_update(chat, user, "paper.pdf", b"%PDF-1.4"))
    assert ".txt" in texts(api, 3006)[-1]
    await process(app, api.document_update(chat, user, "blank.txt", b"\x00\x01\x02\xff" * 50))
    assert texts(api, 3006)[-1].startswith("无法读取这篇文章")
    assert "\n" not in texts(api, 3006)[-1]
    await process(app, api.document_update(chat, user, "museum.txt", ARTICLE))
    assert "已添加" in texts(api, 3006)[-1]
    await process(
        app, api.document_update(chat, user, "again.txt", ARTICLE.replace(b"\xe4\xb8\x89", b"x"))
    )
    assert "上限" in texts(api, 3006)[-1]
    assert app.bot_data.library.count_articles(chat_scope(3006)) == 1


async def test_remove_and_list_with_paging(api, feed, library):
    from bot.models import Article, Paragraph

    user = api.user(3007)
    chat = api.private(user)
    for n in range(12):
        library.add_article(
            Article(
                id=f"art{n:02d}",
                title=f"文章{n}",
                source="测试日报",
                paragraphs=[Paragraph(f"art{n:02d}#0", f"正文{n}。")],
            ),
            chat_scope(3007),
        )
    await feed(api.text_update(chat, user, "/list"))
    first = api.sent(3007)[-1]
    assert "1–10 / 12" in first.params["text"]
    [nxt] = keyboard(first)
    await feed(api.press(user, bot_message(api, first), nxt["callback_data"]))
    edit = api.calls_of("editMessageText")[-1]
    assert "11–12 / 12" in edit.params["text"]
    await feed(api.text_update(chat, user, "/remove art03"))
    assert "已删除" in texts(api, 3007)[-1]
    assert library.get_article("art03") is None and library.count_articles(chat_scope(3007)) == 11
    await feed(api.text_update(chat, user, "/remove art03"))
    assert "没有 ID" in texts(api, 3007)[-1]
    # an article of another scope cannot be removed from here
    [shared_id] = library.store.ids("shared")
    await feed(api.text_update(chat, user, f"/remove {shared_id}"))
    assert library.get_article(shared_id) is not None


async def test_settings_by_text_and_buttons(api, feed, library):
    admin = api.user(3008)
    group = api.group(GROUP)
    api.set_member(GROUP, 3008, "administrator")
    await feed(api.text_update(group, admin, "/settings per_message 2"))
    assert library.store.chat_settings(GROUP).per_message == 2
    view = api.sent(GROUP)[-1]
    assert "引用数：2" in view.params["text"]
    corpus_own = [b for b in keyboard(view) if b["callback_data"] == "s|corpus|own"][0]
    await feed(api.press(admin, bot_message(api, view), corpus_own["callback_data"]))
    assert library.store.chat_settings(GROUP).corpus == "own"
    assert "仅本聊天" in api.calls_of("editMessageText")[-1].params["text"]
    # a member pressing the same buttons changes nothing
    member = api.user(3009)
    await feed(api.press(member, bot_message(api, view), "s|corpus|shared"))
    assert library.store.chat_settings(GROUP).corpus == "own"
    assert (
        api.calls_of("answerCallbackQuery")[-1].params.get("text")
        == "只有本聊天的管理员可以这样做。"
    )
    await feed(api.text_update(group, admin, "/settings per_message 9"))
    assert "无法识别" in texts(api, GROUP)[-1]
    await feed(api.text_update(group, admin, "/settings ingest off"))
    assert "没有关联的频道" in texts(api, GROUP)[-1]


async def test_corpus_setting_changes_what_answers_cover(api, feed, library):
    admin = api.user(3010)
    group = api.group(GROUP)
    api.set_member(GROUP, 3010, "administrator")
    await feed(api.text_update(group, admin, "/settings corpus own"))
    await feed(api.text_update(group, admin, "/ask 两江新区和天府新区要共同建设什么"))
    assert "<blockquote>" not in texts(api, GROUP)[-1]  # the shared corpus is not covered
    await feed(api.text_update(group, admin, "/settings corpus shared"))
    await feed(api.text_update(group, admin, "/ask 两江新区和天府新区要共同建设什么"))
    assert "<blockquote>" in texts(api, GROUP)[-1]


async def test_per_message_setting_is_used(api, feed):
    admin = api.user(3011)
    chat = api.private(admin)
    await feed(api.text_update(chat, admin, "/settings per_message 1"))
    await feed(api.text_update(chat, admin, "两江新区和天府新区要共同建设什么"))
    assert texts(api, 3011)[-1].count("<blockquote>") == 1


async def test_concurrent_adds_never_exceed_the_chat_limit(api, make_bot):
    import asyncio

    app = await make_bot(limits={"max_articles_per_chat": 2})
    library = app.bot_data.library
    group = api.group(GROUP)
    owner = api.user(999)
    updates = [
        api.document_update(
            group,
            owner,
            f"museum{n}.txt",
            ARTICLE.replace("三千人".encode(), f"{n + 1}千人".encode()),
            caption="/add",
        )
        for n in range(5)
    ]
    await asyncio.gather(*(process(app, u) for u in updates))
    assert library.count_articles(chat_scope(GROUP)) == 2
    assert sum("已添加" in t for t in texts(api, GROUP)) == 2


async def test_remove_and_settings_on_a_damaged_store_get_a_clear_refusal(api, make_bot, tmp_path):
    from conftest import make_bot_config

    from bot.texts import t

    config = make_bot_config(tmp_path / "data", owners=[999])
    config.data_path.mkdir(parents=True)
    (config.data_path / "articles.sqlite3").write_bytes(b"\x00" * 4096)
    app = await make_bot(config)
    owner = api.user(999)
    chat = api.private(owner)
    refusal = t("store_read_only", "zh-hans")
    await process(app, api.text_update(chat, owner, "/remove a123"))
    await process(app, api.text_update(chat, owner, "/settings corpus own"))
    await process(app, api.text_update(chat, owner, "/settings"))
    assert texts(api, 999) == [refusal] * 3 and "\n" not in refusal
    assert t("error", "zh-hans") not in texts(api, 999)
    assert (config.data_path / "articles.sqlite3").read_bytes() == b"\x00" * 4096


async def test_a_settings_button_on_a_damaged_store_is_refused_in_the_alert(
    api, make_bot, monkeypatch
):
    from bot.errors import StoreError
    from bot.texts import t

    app = await make_bot()
    library = app.bot_data.library
    owner = api.user(999)
    chat = api.private(owner)
    await process(app, api.text_update(chat, owner, "/settings"))
    view = api.sent(999)[-1]

    def broken(*args, **kwargs):
        raise StoreError("cannot write the article store: database disk image is malformed")

    monkeypatch.setattr(library.store, "save_chat_settings", broken)
    await process(app, api.press(owner, bot_message(api, view), "s|corpus|own"))
    answer = api.calls_of("answerCallbackQuery")[-1].params
    assert answer.get("text") == t("store_read_only", "zh-hans")
    assert library.store.chat_settings(999).corpus == "both"


async def test_anonymous_admins_of_different_groups_have_their_own_question_budget(api, make_bot):
    app = await make_bot(limits={"questions_per_window": 2, "window_seconds": 60})
    anonymous = api.user(1087968824, "Group")  # GroupAnonymousBot, shared by every group
    groups = [api.group(GROUP - n) for n in range(3)]
    for group in groups:
        for _ in range(2):
            await process(
                app,
                api.text_update(
                    group, anonymous, "/ask 两江新区和天府新区要共同建设什么", sender_chat=group
                ),
            )
    for group in groups:
        assert all("<blockquote>" in t for t in texts(api, group["id"])), texts(api, group["id"])
    # each group's own budget still holds
    await process(
        app,
        api.text_update(
            groups[0], anonymous, "/ask 两江新区和天府新区要共同建设什么", sender_chat=groups[0]
        ),
    )
    assert "秒后再试" in texts(api, groups[0]["id"])[-1]


async def test_fix_corrects_credits_for_every_later_quote_and_refuses_members(api, feed, library):
    admin, member, group = api.user(3101), api.user(3102), api.group(GROUP)
    api.set_member(GROUP, 3101, "administrator")
    await feed(
        api.text_update(
            group, admin, "/add " + "示范市今日开通跨江缆车，全程六分钟，票价二十元。" * 3
        )
    )
    [article] = library.list_articles(chat_scope(GROUP))
    await feed(api.text_update(group, member, f"/fix {article.id} 记者 王五"))
    assert "管理员" in texts(api, GROUP)[-1] and library.get_article(article.id).reporters == []
    await feed(api.text_update(group, admin, f"/fix {article.id} 记者 王五、赵六"))
    reply = texts(api, GROUP)[-1]
    assert "王五、赵六" in reply and article.id in reply
    await feed(api.text_update(group, admin, f"/fix {article.id} 来源 示范晚报"))
    await feed(api.text_update(group, admin, f"/fix {article.id} 日期 2023-06-01"))
    await feed(api.text_update(group, admin, "/ask 跨江缆车的票价是多少"))
    answer = texts(api, GROUP)[-1]
    assert "<blockquote>" in answer and "示范晚报" in answer and "王五、赵六" in answer
    assert "2023-06-01" in answer
    # bad input: one line each, nothing changed
    await feed(api.text_update(group, admin, f"/fix {article.id} 日期 去年"))
    assert texts(api, GROUP)[-1].startswith("未能更正") and "去年" in texts(api, GROUP)[-1]
    await feed(api.text_update(group, admin, "/fix no-such-id 记者 王五"))
    assert "no-such-id" in texts(api, GROUP)[-1]
    await feed(api.text_update(group, admin, "/fix"))
    assert "用法" in texts(api, GROUP)[-1]
    assert library.get_article(article.id).date == "2023-06-01"


async def test_a_long_import_shows_its_progress_in_one_edited_message(
    api, feed, library, monkeypatch
):
    from bot.tg.handlers import admin

    monkeypatch.setattr(admin, "PROGRESS_AFTER_SECONDS", 0.0)
    monkeypatch.setattr(admin, "PROGRESS_EVERY_SECONDS", 0.0)
    user = api.user(3201)
    chat = api.private(user)
    records = "\n".join(
        json.dumps(
            {
                "id": f"imp{n}",
                "title": f"第{n}条",
                "text": f"示范市第{n}号工程今日开工，预计明年完成。" * 2,
            }
        )
        for n in range(12)
    )
    await feed(api.document_update(chat, user, "many.jsonl", records.encode()))
    [status] = api.sent(3201)
    assert status.params["text"].startswith("正在导入 0/12")
    edits = [
        c
        for c in api.calls_of("editMessageText")
        if c.params["message_id"] == status.result["message_id"]
    ]
    assert any("正在导入 11/12" in e.params["text"] for e in edits)
    summary = edits[-1].params["text"]  # the summary replaces the progress line
    assert summary.startswith("已添加") and summary.count("已添加") == 5 and "另有 7 篇" in summary
    assert library.count_articles(chat_scope(3201)) == 12
