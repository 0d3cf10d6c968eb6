"""Abuse: the token never in logs, floods that cannot stall other chats, squatting, quotas."""

from __future__ import annotations

import logging
import sys

import pytest

from bot.tg.logs import REDACTED, SecretRedactor, install_redaction

TOKEN = "123:TEST"


# -- the token never reaches a log line ------------------------------------------------------------

@pytest.mark.parametrize("logged", [
    "Bad Request: POST /bot123:TEST/getFile failed",
    "bad request: post /bot123:test/getfile failed",          # PTB lowercases some errors
    "404 for http://127.0.0.1:1/file/bot123%3ATEST/documents/x.txt",   # download URLs
    "404 for http://127.0.0.1:1/file/bot123%3atest/documents/x.txt",
    "echoed twice: /bot123%253ATEST/",                          # encoded twice
])
def test_every_spelling_of_the_token_is_redacted(logged):
    redactor = SecretRedactor([TOKEN])
    record = logging.LogRecord("telegram.ext", logging.ERROR, __file__, 1, "%s", (logged,), None)
    assert redactor.filter(record)
    text = record.getMessage()
    assert REDACTED in text
    assert not any(form in text.lower() for form in ("123:test", "123%3atest", "123%253atest"))


def test_tracebacks_and_arguments_are_redacted_in_the_record():
    redactor = SecretRedactor([TOKEN])
    try:
        raise RuntimeError("POST /bot123:test/getfile failed")
    except RuntimeError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "url %s", ("/BOT123:TEST/",),
                                   sys.exc_info())
    redactor.filter(record)
    line = logging.Formatter("%(message)s").format(record)
    assert "Traceback" in line and line.count(REDACTED) >= 3     # argument, message, source line
    assert "123:test" not in line.lower()


def test_a_handler_added_after_installation_sees_redacted_records():
    """An operator's handler added later (on any logger) never gets the token."""
    import io

    from bot.tg.app import redact_logs

    httpx_level = logging.getLogger("httpx").level
    redact_logs(TOKEN)                                   # as run() does
    logging.getLogger("httpx").setLevel(httpx_level)
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)              # added afterwards, no filter of ours
    logger = logging.getLogger("operator.added")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.error("GET /file/bot123%%3Atest/x failed: %s", "Bad Request: /bot123:TEST/getFile")
        try:
            raise ValueError("https://api.telegram.org/bot123:Test/sendMessage")
        except ValueError:
            logger.exception("send failed")
    finally:
        logger.removeHandler(handler)
    text = stream.getvalue()
    assert "Traceback" in text and REDACTED in text
    assert "123:test" not in text.lower() and "123%3atest" not in text.lower()


def test_root_handlers_get_the_filter(caplog):
    install_redaction(TOKEN)
    assert any(isinstance(f, SecretRedactor) for f in caplog.handler.filters) or \
        caplog.handler not in logging.getLogger().handlers
    record = logging.makeLogRecord({"msg": "manual /bot123:TEST/x", "levelno": logging.INFO})
    for handler in logging.getLogger().handlers:
        handler.handle(record)
    assert "123:TEST" not in record.getMessage()


# -- access: sender_chat == chat only for the anonymous-admin account --------------------------------

async def test_sender_chat_equal_to_the_chat_is_trusted_only_from_group_anonymous_bot():
    from telegram import Chat, User

    from bot.tg.access import AdminCheck

    class NoBot:
        async def get_chat_member(self, chat_id, user_id):   # members only: nobody is admin
            from telegram import ChatMemberMember
            return ChatMemberMember(User(user_id, "x", False))

    check = AdminCheck([], 60)
    group = Chat(-100_77, Chat.SUPERGROUP)
    channel = Chat(-100_78, Chat.CHANNEL)
    anonymous = User(1087968824, "Group", True)
    stranger = User(4242, "Mallory", False)
    assert await check.is_admin(NoBot(), group, anonymous, sender_chat=group)
    # a member (or any other account) whose update claims to be sent as the group
    assert not await check.is_admin(NoBot(), group, stranger, sender_chat=group)
    assert not await check.is_admin(NoBot(), group, None, sender_chat=group)
    assert not await check.is_admin(NoBot(), group, User(136817688, "Channel", True),
                                    sender_chat=group)
    # a channel's own post has no "from"; a linked channel posts from its placeholder accounts
    assert await check.is_admin(NoBot(), channel, None, sender_chat=channel)
    assert not await check.is_admin(NoBot(), channel, stranger, sender_chat=channel)
    assert await check.is_admin(NoBot(), group, User(136817688, "Channel", True),
                                sender_chat=channel, linked_chat_id=channel.id)
    assert not await check.is_admin(NoBot(), group, stranger, sender_chat=channel,
                                    linked_chat_id=channel.id)


async def test_a_member_posing_as_the_group_cannot_add(api, bot_app, feed):
    """Through the handlers: /add from a member whose message carries sender_chat == group."""
    group = api.group(-100_79)
    member = api.user(4243)
    update = api.document_update(group, member, "x.txt", "标题\n\n正文一段，足够长的文字内容。".encode(),
                                 caption="/add")
    update["message"]["sender_chat"] = group
    await feed(update)
    assert bot_app.bot_data.library.count_articles("chat:-10079") == 0


# -- bidi and zero-width controls never reach a message; only real http(s) URLs are linked ----------

BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"


def test_escape_and_plain_text_drop_bidi_and_zero_width_controls():
    from bot.answers.markup import check_telegram_html, escape, printable

    text = "来源" + BIDI + "：甲" + ZERO_WIDTH + "报 <b>"
    for shown in (escape(text), printable(text)):
        assert not any(ch in shown for ch in BIDI + ZERO_WIDTH), repr(shown)
    assert escape(text) == "来源：甲报 &lt;b&gt;"
    with pytest.raises(ValueError, match="U\\+202E"):
        check_telegram_html("gnp.exe\u202e")


@pytest.mark.parametrize("url", [
    "https://\u202etg://x", "https://\u2066example.com/", "https://exa\u200bmple.com/",
    "https:///nohost", "https://", "tg://resolve?domain=x", "javascript:alert(1)//https://x",
    "https://trusted.example@evil.example/", "https://x.example:port/", "http://a b.example/",
])
def test_only_http_urls_with_a_host_are_linked(url):
    from bot.answers.markup import is_http_url

    assert not is_http_url(url)


def test_real_urls_stay_linked():
    from bot.answers.markup import is_http_url

    for url in ("https://example.com/a?b=1&c=2", "http://127.0.0.1:8080/p", "https://例子.中国/新闻",
                "HTTPS://EXAMPLE.COM/", "http://[::1]:80/x"):
        assert is_http_url(url), url


def test_an_article_with_bidi_controls_renders_without_them():
    from bot.answers.render import attribution_html, attribution_plain
    from bot.models import Article

    article = Article(id="bidi1", title="标题\u202e反转", source="甲\u2066报\u2069",
                      reporters=["张\u200f三"], url="https://\u202etg://x")
    html = attribution_html(article, lang="zh-hans")
    plain = attribution_plain(article, lang="zh-hans")
    for shown in (html, plain):
        assert not any(ch in shown for ch in BIDI + ZERO_WIDTH), repr(shown)
    assert "<a " not in html
