"""Security: who may administer a chat, what a chat's answers may reveal, and secrets.

* Only chat admins (getChatMember, cached for ``admin_cache_seconds``) and configured owners
  change a chat's articles or settings; anonymous group admins (sender_chat == chat) may,
  other channel identities may not; a status change (chat_member update, cache expiry)
  takes effect.
* A chat's own articles never appear in another chat's answers, in another user's inline
  results (``is_personal`` whenever private articles are in scope), through old or forged
  buttons (Full article, pages, More, spilled ``k|`` data) or deep links.
* The bot token never appears in log output (caplog at DEBUG, httpx/telegram included) or in
  messages to users when the Bot API fails (500 with the URL echoed, 401, refused
  connection), nor in the error ``run()`` ends with; the webhook server refuses requests
  without the right ``X-Telegram-Bot-Api-Secret-Token`` (403).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import socket
import time

import httpx
import pytest
from botapi_standin import APIError, StandinServer
from conftest import make_bot_config, process
from telegram.request import HTTPXRequest

from bot.config import Secrets
from bot.errors import ConfigError
from bot.library import Library
from bot.models import SHARED_SCOPE, Article, Paragraph, chat_scope
from bot.texts import t
from bot.tg.access import AdminCheck
from bot.tg.app import build_application, redact_logs, run
from bot.tg.logs import REDACTED
from bot.tg.transport import RetryingRequest

GROUP_A = -100_501
GROUP_B = -100_502
NOT_ADMIN = t("not_admin", "zh-hans")
MISSING = t("article_missing", "zh-hans")
ERROR = t("error", "zh-hans")

CAFE = (
    "量子咖啡馆今日开业 店内机器人调制饮品\n"
    "2021-06-01 10:00 来源：甲群日报\n"
    "记者 赵六\n\n"
    "位于江北区的量子咖啡馆今天正式开业，店里由六台机器人调制饮品，每天营业十二个小时。\n\n"
    "咖啡馆店长介绍，开业首周每位顾客可免费领取一杯冷萃咖啡，预计接待两万人次。\n"
)
CAFE_QUESTION = "量子咖啡馆由几台机器人调制饮品"
# Words of the article that no question below contains (a no-answer reply echoes the question).
CAFE_MARKS = ("江北区", "十二个小时", "两万人次", "赵六")

LIBRARY_TEXT = (
    "萤火虫图书馆夜间开放 读者可借阅到凌晨\n"
    "2022-02-02 20:00 来源：乙城晚报\n"
    "记者 钱七\n\n"
    "萤火虫图书馆从下周起夜间开放，读者可以借阅图书到凌晨两点，馆内新增三百个座位。\n"
)
LIBRARY_QUESTION = "萤火虫图书馆新增多少个座位"
LIBRARY_MARKS = ("凌晨两点", "钱七", "乙城晚报", "三百个座位")


def texts(api, chat_id):
    return [str(c.params["text"]) for c in api.sent(chat_id)]


def plain(text: str) -> str:
    """Visible text: tags dropped (the bot bolds question words inside quotes)."""
    return re.sub(r"<[^>]+>", "", text)


def everything_shown(api) -> str:
    """Every text the bot sent, edited, answered a button with or offered inline."""
    out = []
    for call in list(api.calls):
        params = call.params
        for key in ("text", "description"):
            if params.get(key) is not None:
                out.append(str(params[key]))
        for result in params.get("results") or []:
            out += [
                str(result.get("title")),
                str(result.get("description")),
                str(result.get("input_message_content", {}).get("message_text")),
            ]
    return "\n".join(out)


def keyboard(call):
    markup = call.params.get("reply_markup") or {}
    return [b for row in markup.get("inline_keyboard", []) for b in row]


def bot_message(api, call):
    return api.messages[(int(call.params["chat_id"]), call.result["message_id"])]


def cafe_article(article_id: str = "cafe-a") -> Article:
    paragraphs = [p for p in CAFE.split("\n\n")[1:] if p.strip()]
    return Article(
        id=article_id,
        title="量子咖啡馆今日开业",
        source="甲群日报",
        reporters=["赵六"],
        date="2021-06-01",
        paragraphs=[
            Paragraph(f"{article_id}#{i}", text.strip()) for i, text in enumerate(paragraphs)
        ],
    )


# -- who may administer ---------------------------------------------------------------------------


@pytest.mark.parametrize("status", ["member", "left", "kicked"])
async def test_non_admins_cannot_add_remove_or_change_settings(api, feed, library, status):
    group = api.group(GROUP_A)
    library.add_article(cafe_article(), chat_scope(GROUP_A))
    owner = api.user(999)  # make_bot's owners=[999]
    await feed(api.text_update(group, owner, "/settings"))
    view = api.sent(GROUP_A)[-1]
    before = library.store.chat_settings(GROUP_A)

    user = api.user(4001)
    api.set_member(GROUP_A, 4001, status)
    posted = api.message(group, user, LIBRARY_TEXT)
    await feed(
        api.document_update(group, user, "library.txt", LIBRARY_TEXT.encode(), caption="/add")
    )
    await feed(api.text_update(group, user, "/add", reply_to=posted))
    await feed(api.text_update(group, user, "/remove cafe-a"))
    await feed(api.text_update(group, user, "/settings corpus own"))
    await feed(api.text_update(group, user, "/settings per_message 1"))
    await feed(api.text_update(group, user, "/list"))
    for data in ("s|corpus|own", "s|pm|1", "s|ingest|off", "l|0"):
        await feed(api.press(user, bot_message(api, view), data))

    assert texts(api, GROUP_A)[1:] == [NOT_ADMIN] * 6
    alerts = [c.params.get("text") for c in api.calls_of("answerCallbackQuery")]
    assert alerts == [NOT_ADMIN] * 4
    assert [a.id for a in library.list_articles(chat_scope(GROUP_A))] == ["cafe-a"]
    assert library.store.chat_settings(GROUP_A) == before
    assert not api.calls_of("getFile")  # refused before downloading
    assert not api.calls_of("editMessageText")  # the settings view is unchanged


async def test_admins_and_owners_may_administer(api, feed, library):
    group = api.group(GROUP_A)
    admin, owner = api.user(4002), api.user(999)
    api.set_member(GROUP_A, 4002, "administrator")
    await feed(api.document_update(group, admin, "cafe.txt", CAFE.encode(), caption="/add"))
    [article] = library.list_articles(chat_scope(GROUP_A))
    await feed(api.text_update(group, admin, "/settings corpus own"))
    assert library.store.chat_settings(GROUP_A).corpus == "own"
    await feed(api.text_update(group, owner, f"/remove {article.id}"))
    assert library.count_articles(chat_scope(GROUP_A)) == 0
    # getChatMember was asked once (then cached) for the admin, never for the owner
    assert [int(c.params["user_id"]) for c in api.calls_of("getChatMember")] == [4002]


async def test_demotion_by_chat_member_update_takes_effect_at_once(api, feed, library):
    group = api.group(GROUP_A)
    user = api.user(4003)
    api.set_member(GROUP_A, 4003, "administrator")
    await feed(api.text_update(group, user, "/settings per_message 2"))
    assert library.store.chat_settings(GROUP_A).per_message == 2

    # Demoted silently: the cached answer still holds (briefly)...
    api.set_member(GROUP_A, 4003, "member")
    await feed(api.text_update(group, user, "/settings per_message 3"))
    assert library.store.chat_settings(GROUP_A).per_message == 3
    assert len(api.calls_of("getChatMember")) == 1
    # ...but the chat_member update Telegram sends drops it at once.
    await feed(api.chat_member_update(group, user, "administrator", "member"))
    await feed(api.text_update(group, user, "/settings per_message 4"))
    assert library.store.chat_settings(GROUP_A).per_message == 3
    assert texts(api, GROUP_A)[-1] == NOT_ADMIN
    # Promoted again: allowed at once.
    await feed(api.chat_member_update(group, user, "member", "administrator"))
    await feed(api.text_update(group, user, "/settings per_message 5"))
    assert library.store.chat_settings(GROUP_A).per_message == 5
    assert len(api.calls_of("getChatMember")) == 3


async def test_admin_cache_expires(api, bot_app, feed, library):
    now = [1000.0]
    config = bot_app.bot_data.config
    bot_app.bot_data.admins = AdminCheck(
        config.telegram.owners, config.telegram.admin_cache_seconds, clock=lambda: now[0]
    )
    assert config.telegram.admin_cache_seconds == 60
    group = api.group(GROUP_A)
    user = api.user(4004)
    api.set_member(GROUP_A, 4004, "administrator")
    library.add_article(cafe_article("cafe-1"), chat_scope(GROUP_A))
    library.add_article(cafe_article("cafe-2"), chat_scope(GROUP_A))
    await feed(api.text_update(group, user, "/remove cafe-1"))
    assert library.get_article("cafe-1") is None

    api.set_member(GROUP_A, 4004, "member")  # demoted, no update delivered
    now[0] += 59
    await feed(api.text_update(group, user, "/settings corpus own"))
    assert library.store.chat_settings(GROUP_A).corpus == "own"  # within the cache time
    now[0] += 2  # 61 s after the answer: expired
    await feed(api.text_update(group, user, "/remove cafe-2"))
    assert library.get_article("cafe-2") is not None
    assert texts(api, GROUP_A)[-1] == NOT_ADMIN
    assert len(api.calls_of("getChatMember")) == 2


async def test_anonymous_group_admin_is_allowed_without_asking_telegram(api, feed, library):
    group = api.group(GROUP_A)
    anonymous = api.user(1087968824, "Group")  # GroupAnonymousBot

    def as_group(update):
        update["message"]["sender_chat"] = group
        return update

    posted = api.message(group, anonymous, CAFE, sender_chat=group)
    await feed(as_group(api.text_update(group, anonymous, "/add", reply_to=posted)))
    [article] = library.list_articles(chat_scope(GROUP_A))
    await feed(as_group(api.text_update(group, anonymous, "/settings corpus own")))
    assert library.store.chat_settings(GROUP_A).corpus == "own"
    await feed(as_group(api.text_update(group, anonymous, f"/remove {article.id}")))
    assert library.count_articles(chat_scope(GROUP_A)) == 0
    assert NOT_ADMIN not in texts(api, GROUP_A)
    assert not api.calls_of("getChatMember")


async def test_foreign_channel_identity_is_refused(api, feed, library):
    group = api.group(GROUP_A)
    foreign = api.channel(-100_777, "Someone's channel")
    placeholder = api.user(136817688, "Channel")  # Channel_Bot: the "from" of such posts
    api.set_member(GROUP_A, 136817688, "administrator")  # even if the placeholder looked like one
    library.add_article(cafe_article(), chat_scope(GROUP_A))

    def as_channel(update):
        update["message"]["sender_chat"] = foreign
        return update

    posted = api.message(group, placeholder, LIBRARY_TEXT, sender_chat=foreign)
    await feed(as_channel(api.text_update(group, placeholder, "/add", reply_to=posted)))
    await feed(
        as_channel(
            api.document_update(group, placeholder, "l.txt", LIBRARY_TEXT.encode(), caption="/add")
        )
    )
    await feed(as_channel(api.text_update(group, placeholder, "/remove cafe-a")))
    await feed(as_channel(api.text_update(group, placeholder, "/settings corpus own")))
    assert texts(api, GROUP_A) == [NOT_ADMIN] * 4
    assert [a.id for a in library.list_articles(chat_scope(GROUP_A))] == ["cafe-a"]
    assert library.store.chat_settings(GROUP_A).corpus == "both"
    assert not api.calls_of("getFile") and not api.calls_of("getChatMember")


# -- what a chat's answers may reveal ---------------------------------------------------------------


async def _group_with_cafe(api, feed, library):
    """Group A's admin adds the café article; A's answer quotes it (positive control)."""
    group = api.group(GROUP_A, "Group A")
    admin = api.user(4101)
    api.set_member(GROUP_A, 4101, "administrator")
    await feed(api.document_update(group, admin, "cafe.txt", CAFE.encode(), caption="/add"))
    [article] = library.list_articles(chat_scope(GROUP_A))
    await feed(api.text_update(group, admin, f"/ask {CAFE_QUESTION}"))
    answer = api.sent(GROUP_A)[-1]
    assert "<blockquote>" in answer.params["text"] and "十二个小时" in answer.params["text"]
    return group, admin, article, answer


async def test_a_chats_articles_never_answer_in_another_chat(api, feed, library):
    group_a, admin, article, _ = await _group_with_cafe(api, feed, library)
    group_b = api.group(GROUP_B, "Group B")
    member_b = api.user(4102)
    api.set_member(GROUP_B, 4102, "administrator")
    questions = [
        CAFE_QUESTION,
        "冷萃咖啡免费领取",
        "甲群日报的记者是谁",
    ]  # 9 asks: under the budget
    for corpus in ("both", "own", "shared"):
        await feed(api.text_update(group_b, member_b, f"/settings corpus {corpus}"))
        for question in questions:
            await feed(api.text_update(group_b, member_b, f"/ask {question}"))
    # A's admin in a private chat, and another user's private chat
    for user_id in (4101, 4103):
        user = api.user(user_id)
        for question in questions:
            await feed(api.text_update(api.private(user), user, question))
        await feed(api.text_update(api.private(user), user, "/about"))
    shown = plain("\n".join(texts(api, GROUP_B) + texts(api, 4101) + texts(api, 4103)))
    assert len(texts(api, GROUP_B)) == 3 + 3 * len(questions)
    for mark in CAFE_MARKS + (article.id,):
        assert mark not in shown, mark
    # B's admin cannot remove A's article either
    await feed(api.text_update(group_b, member_b, f"/remove {article.id}"))
    assert library.get_article(article.id) is not None
    # a new member of A still gets it in A
    await feed(api.text_update(group_a, api.user(4104), f"/ask {CAFE_QUESTION}"))
    assert "十二个小时" in texts(api, GROUP_A)[-1]


async def test_old_and_forged_buttons_do_not_carry_articles_across_chats(api, feed, library):
    group_a, _, article, answer_a = await _group_with_cafe(api, feed, library)
    [full] = [b["callback_data"] for b in keyboard(answer_a) if b["callback_data"].startswith("f|")]
    # a second article of A with an id too long for callback_data: its button spills to k|
    long_id = (
        "group-a-cafe-report-with-a-very-long-record-identifier-json-0001"  # 64, the most allowed
    )
    library.add_article(cafe_article(long_id), chat_scope(GROUP_A))
    await feed(api.text_update(group_a, api.user(4101), "/ask 量子咖啡馆开业首周领取什么"))
    spilled = [
        b["callback_data"]
        for c in api.sent(GROUP_A)
        for b in keyboard(c)
        if b["callback_data"].startswith("kf|")
    ]
    assert spilled, "expected a spilled kf| button for the long article id"
    # control: in A, the Full article button shows the article
    await feed(api.press(api.user(4101), bot_message(api, answer_a), full))
    assert "量子咖啡馆" in texts(api, GROUP_A)[-1]

    group_b = api.group(GROUP_B, "Group B")
    user_b = api.user(4201)
    await feed(api.text_update(group_b, user_b, "/ask 两江新区和天府新区要共同建设什么"))
    answer_b = api.sent(GROUP_B)[-1]
    before = len(api.sent(GROUP_B))
    forged = [
        full,
        f"f|{article.id}",
        f"p|{article.id}|0",
        f"p|{article.id}|1",
        *spilled,
        f"f|{long_id[:40]}",
        "m|1",
        "m|0",
    ]
    for data in forged:
        await feed(api.press(user_b, bot_message(api, answer_b), data))
    # the same presses on a bot message of B that answered nothing (no state kept for it)
    await feed(api.text_update(group_b, user_b, "/help"))
    help_b = api.sent(GROUP_B)[-1]
    for data in (full, "m|1"):
        await feed(api.press(user_b, bot_message(api, help_b), data))
    # deep link to A's article from someone's private chat
    await feed(api.text_update(api.private(user_b), user_b, f"/start art_{article.id}"))
    await feed(api.text_update(api.private(user_b), user_b, f"/start art_{long_id}"))

    new_b = texts(api, GROUP_B)[before:]
    # f, f, p, p, each k|, f|<cut id>, and f on /help: "not available"; m| answers B's own question
    assert new_b.count(MISSING) == 4 + len(spilled) + 2
    expired = [c.params.get("text") for c in api.calls_of("answerCallbackQuery")][-1]
    assert expired == t("button_expired", "zh-hans")  # m| on a message with no state
    assert texts(api, 4201) == [MISSING, MISSING]
    edits_b = [c for c in api.calls_of("editMessageText", GROUP_B)]
    leaked = plain(
        "\n".join(
            new_b
            + texts(api, 4201)
            + [str(c.params.get("text")) for c in edits_b]
            + [str(c.params.get("text")) for c in api.calls_of("answerCallbackQuery")]
        )
    )
    for mark in CAFE_MARKS + (article.id, long_id):
        assert mark not in leaked, mark


async def test_inline_results_never_show_other_users_or_groups_articles(api, feed, library):
    await _group_with_cafe(api, feed, library)  # group A's article (admin 4101)
    owner_x = api.user(4301)
    await feed(
        api.document_update(api.private(owner_x), owner_x, "library.txt", LIBRARY_TEXT.encode())
    )
    assert library.count_articles(chat_scope(4301)) == 1

    async def inline(user, query):
        await feed(api.inline_update(user, query))
        return api.calls_of("answerInlineQuery")[-1]

    def shown(call):
        return plain(
            "\n".join(
                str(r.get("title"))
                + str(r.get("description"))
                + str(r["input_message_content"]["message_text"])
                for r in call.params["results"]
            )
        )

    mine = await inline(owner_x, LIBRARY_QUESTION)
    assert "三百个座位" in shown(mine)
    # X's private article is in scope: every answer to X is personal, even empty ones
    for query in ("两江新区和天府新区要共同建设什么", "完全无关的问题xyz", "   "):
        call = await inline(owner_x, query)
        assert call.params["is_personal"] is True, query
    assert mine.params["is_personal"] is True

    # other users: neither X's private article nor group A's article, not even A's own admin
    shared_titles = {a.title for a in library.list_articles(SHARED_SCOPE, limit=100)}
    for user in (api.user(4302), api.user(4101)):
        for query in (
            LIBRARY_QUESTION,
            "萤火虫图书馆",
            CAFE_QUESTION,
            "量子咖啡馆",
            "两江新区和天府新区要共同建设什么",
        ):
            call = await inline(user, query)
            text = shown(call)
            for mark in LIBRARY_MARKS + CAFE_MARKS:
                assert mark not in text, (user["id"], query, mark)
            # non-personal results may be cached for everyone by Telegram: shared articles only
            assert not call.params.get("is_personal")
            assert {r["title"] for r in call.params["results"]} <= shared_titles
    # once X removes the private article, X's results stop being personal
    [private] = library.list_articles(chat_scope(4301))
    await feed(api.text_update(api.private(owner_x), owner_x, f"/remove {private.id}"))
    after = await inline(owner_x, LIBRARY_QUESTION)
    assert not after.params.get("is_personal") and "三百个座位" not in shown(after)


# -- secrets ----------------------------------------------------------------------------------------

SECRET_TOKEN = "123:TEST"  # the stand-in's token: the only one it accepts


@pytest.fixture
def redacted_logging(caplog):
    """caplog at DEBUG for everything (httpx, httpcore, telegram, bot), with the bot's
    redaction installed on the root handlers as ``run()`` does; restored afterwards."""
    names = ("httpx", "httpcore", "telegram", "bot")
    caplog.set_level(logging.DEBUG)
    for name in names:
        caplog.set_level(logging.DEBUG, logger=name)  # caplog restores the old levels
    with restored_logging():
        redact_logs(SECRET_TOKEN, "webhook-s3cret")  # as run() does (it also quiets httpx)
        for name in names:
            logging.getLogger(name).setLevel(logging.DEBUG)
        assert caplog.handler in logging.getLogger().handlers
        yield caplog


@contextlib.contextmanager
def restored_logging():
    """Undo what redact_logs() changes globally: root handlers' formatters, httpx's level."""
    root = logging.getLogger()
    saved = [(h, h.formatter) for h in root.handlers]
    httpx_level = logging.getLogger("httpx").level
    try:
        yield
    finally:
        for handler, formatter in saved:
            handler.setFormatter(formatter)
        logging.getLogger("httpx").setLevel(httpx_level)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def test_token_not_in_logs_or_messages_when_the_api_fails(tmp_path, redacted_logging):
    caplog = redacted_logging
    config = make_bot_config(tmp_path / "data", owners=[999])
    library = Library.open(config)
    server = StandinServer().start()
    api = server.api

    # The production transport (bot/transport.py) over PTB's HTTPXRequest, retries kept short.
    def transport():
        return RetryingRequest(HTTPXRequest(), attempts=2, base_delay=0.01, max_delay=0.01)

    app = build_application(
        config,
        library,
        SECRET_TOKEN,
        base_url=server.base_url,
        base_file_url=server.file_url,
        request=transport(),
        get_updates_request=transport(),
    )
    try:
        await app.initialize()  # real HTTPX over 127.0.0.1
        user = api.user(4401)
        chat = api.private(user)
        # 1. a 500 whose description echoes the request URL (as some proxies do)
        api.failures["getFile"] = APIError(
            500, f"Internal Server Error: POST /bot{SECRET_TOKEN}/getFile"
        )
        await process(app, api.document_update(chat, user, "cafe.txt", CAFE.encode()))
        assert texts(api, 4401) == [ERROR]
        del api.failures["getFile"]
        # 2. 401 on sendMessage (a revoked token): the answer and the error reply both fail
        api.failures["sendMessage"] = APIError(401, "Unauthorized")
        await process(app, api.text_update(chat, user, "两江新区和天府新区要共同建设什么"))
        del api.failures["sendMessage"]
        # 3. the file download (its URL carries the token too) answers 404
        api.file_bytes = lambda path: None
        await process(app, api.document_update(chat, user, "x.txt", CAFE.encode()))
        assert texts(api, 4401) == [ERROR, ERROR]
    finally:
        await app.shutdown()
        server.stop()
    # 4. the server gone: connection refused
    dead = build_application(
        config,
        library,
        SECRET_TOKEN,
        base_url=f"http://127.0.0.1:{closed_port()}/bot",
        request=transport(),
        get_updates_request=transport(),
    )
    from telegram.error import NetworkError

    with pytest.raises(NetworkError) as refused:
        await dead.initialize()
    assert SECRET_TOKEN not in str(refused.value)
    library.close()

    records = caplog.records
    assert any(
        r.levelno >= logging.ERROR and r.name.startswith("bot") for r in records
    )  # failures logged
    # the token did pass through logging (httpx logs every URL at INFO), redacted in the record
    # itself (bot/tg/logs.py) so no handler, even one added later, can show it...
    assert any(f"/bot{REDACTED}/" in r.getMessage() for r in records if r.name == "httpx")
    # ...but no formatted line shows it, tracebacks included
    assert "Traceback" in caplog.text and "<redacted>" in caplog.text
    assert SECRET_TOKEN not in caplog.text
    # the bot's own log messages never carry it, even unformatted
    for record in records:
        if record.name.startswith("bot"):
            assert SECRET_TOKEN not in record.getMessage()
    shown = everything_shown(api)
    assert shown and SECRET_TOKEN not in shown and ":TEST" not in shown


def test_run_with_a_rejected_token_ends_with_one_line_without_it(tmp_path, caplog):
    """PTB's InvalidToken quotes the token; run() must not let it reach stderr or the log."""
    caplog.set_level(logging.DEBUG)
    config = make_bot_config(tmp_path / "data", owners=[999])
    started = time.monotonic()
    loop = asyncio.new_event_loop()  # run_polling closes the loop it uses
    asyncio.set_event_loop(loop)
    try:
        with restored_logging(), StandinServer() as server:  # the stand-in accepts only 123:TEST
            redact_logs("123:EARLIER")  # handlers already wrapped (an earlier run in this process)
            with pytest.raises(ConfigError) as rejected:
                run(
                    config,
                    Secrets.from_env(
                        {
                            "TELEGRAM_BOT_TOKEN": "123:REVOKED-Token",
                            "TELEGRAM_API_BASE_URL": server.base_url,
                        }
                    ),
                )
            logged = caplog.text  # formatted by the handlers run() wrapped
    finally:
        asyncio.set_event_loop(None)
        if not loop.is_closed():
            loop.close()
    error = rejected.value
    assert "rejected" in str(error) and "REVOKED" not in str(error) and "\n" not in str(error)
    assert error.__cause__ is None and error.__suppress_context__  # no chained PTB message
    assert "rejected by the server" in logged  # PTB's own line was logged...
    assert "REVOKED" not in logged
    assert time.monotonic() - started < 15


async def test_webhook_refuses_requests_without_the_right_secret(api, bot_app):
    secret = "webhook-s3cret_Token-42"
    port = closed_port()
    user = api.user(4501)
    chat = api.private(user)

    def update(update_id: int, text: str) -> dict:
        return {"update_id": update_id, "message": api.message(chat, user, text)}

    await bot_app.start()
    await bot_app.updater.start_webhook(
        listen="127.0.0.1",
        port=port,
        url_path="tg",
        secret_token=secret,
        webhook_url="https://bot.example.org/tg",
    )
    try:
        [set_webhook] = api.calls_of("setWebhook")
        assert set_webhook.params["secret_token"] == secret
        url = f"http://127.0.0.1:{port}/tg"
        async with httpx.AsyncClient(timeout=5) as client:
            missing = await client.post(url, json=update(9001, "两江新区和天府新区要共同建设什么"))
            wrong = await client.post(
                url,
                json=update(9002, "两江新区和天府新区要共同建设什么"),
                headers={"X-Telegram-Bot-Api-Secret-Token": "webhook-s3cret_Token-4"},
            )
            empty = await client.post(
                url,
                json=update(9003, "两江新区和天府新区要共同建设什么"),
                headers={"X-Telegram-Bot-Api-Secret-Token": ""},
            )
            await asyncio.sleep(0.2)
            assert not api.sent(4501)  # nothing refused was processed
            accepted = update(9004, "两江新区和天府新区要共同建设什么")
            right = await client.post(
                url, json=accepted, headers={"X-Telegram-Bot-Api-Secret-Token": secret}
            )
        assert (missing.status_code, wrong.status_code, empty.status_code) == (403, 403, 403)
        assert right.status_code == 200
        for _ in range(100):  # bounded: at most 5 s
            if api.sent(4501):
                break
            await asyncio.sleep(0.05)
        [answer] = api.sent(4501)
        assert "<blockquote>" in answer.params["text"]
        assert answer.params["reply_parameters"]["message_id"] == accepted["message"]["message_id"]
    finally:
        await bot_app.updater.stop()
        await bot_app.stop()


async def test_token_in_any_case_or_percent_encoded_never_reaches_the_log(
    tmp_path, redacted_logging
):
    """A 400 echoing the path (PTB lowercases some errors) and a download URL, whose token PTB
    percent-encodes (``/file/bot123%3ATEST/``), logged by httpx, telegram and the bot."""
    caplog = redacted_logging
    config = make_bot_config(tmp_path / "data", owners=[999])
    library = Library.open(config)
    server = StandinServer().start()
    api = server.api

    def transport():
        return RetryingRequest(HTTPXRequest(), attempts=1)

    app = build_application(
        config,
        library,
        SECRET_TOKEN,
        base_url=server.base_url,
        base_file_url=server.file_url,
        request=transport(),
        get_updates_request=transport(),
    )
    try:
        await app.initialize()
        user = api.user(4402)
        chat = api.private(user)
        api.failures["getFile"] = APIError(
            400, f"Bad Request: POST /bot{SECRET_TOKEN}/getFile failed"
        )
        await process(app, api.document_update(chat, user, "a.txt", CAFE.encode()))
        del api.failures["getFile"]
        api.file_bytes = lambda path: None  # the download answers 404
        await process(app, api.document_update(chat, user, "b.txt", CAFE.encode()))
        logging.getLogger("bot.test").error("echo %s", f"/bot{SECRET_TOKEN}/getFile".lower())
        logging.getLogger("bot.test").error("echo %s", f"{server.file_url}123%3ATEST/x")
    finally:
        await app.shutdown()
        server.stop()
        library.close()
    logged = caplog.text.lower() + "\n".join(r.getMessage().lower() for r in caplog.records)
    assert f"/file/bot{REDACTED}/" in caplog.text  # the download URL was logged, redacted
    for form in ("123:test", "123%3atest", "123%253atest"):
        assert form not in logged, form
    assert REDACTED in caplog.text
