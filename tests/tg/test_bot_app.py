"""Application building and running, and the small helpers of the Telegram layer."""

from __future__ import annotations

import logging
import re

import pytest
from botapi_standin import APIError
from conftest import make_bot_config
from telegram.ext import Application

from bot.config import Secrets
from bot.errors import ConfigError
from bot.texts import LANGUAGES, TEXTS, pick_language, t
from bot.tg import buttons
from bot.tg.access import AdminCheck
from bot.tg.app import run
from bot.tg.context import BotContext
from bot.tg.logs import RedactingFormatter
from bot.tg.ratelimit import QuestionLimiter

# -- start-up ------------------------------------------------------------------------------------


async def test_command_menus_are_set_per_scope(api, bot_app):
    await bot_app.post_init(bot_app)
    scopes = {
        c.params["scope"]["type"]: c.params["commands"] for c in api.calls_of("setMyCommands")
    }
    assert set(scopes) == {"all_private_chats", "all_group_chats", "all_chat_administrators"}
    assert {c["command"] for c in scopes["all_group_chats"]} >= {"ask", "help", "about"}
    assert {c["command"] for c in scopes["all_chat_administrators"]} >= {
        "add",
        "remove",
        "list",
        "settings",
    }
    assert "ask" not in {c["command"] for c in scopes["all_private_chats"]}


async def test_failing_command_menus_are_logged_not_fatal(api, bot_app, caplog):
    api.failures["setMyCommands"] = APIError(400, "Bad Request: commands rejected")
    await bot_app.post_init(bot_app)  # does not raise
    assert any("command menu" in r.getMessage() for r in caplog.records)


async def test_context_is_typed(bot_app):
    assert bot_app.context_types.context is BotContext
    context = BotContext(bot_app)
    assert context.library is bot_app.bot_data.library
    assert context.config.telegram.owners == [999]


def test_run_without_token_is_a_clear_config_error(tmp_path):
    config = make_bot_config(tmp_path / "data")
    with pytest.raises(ConfigError, match="TELEGRAM_BOT_TOKEN is not set"):
        run(config, Secrets.from_env({}))


def test_run_polls_with_the_base_urls_from_env_over_config(tmp_path, monkeypatch):
    seen = {}

    def fake_polling(self, **kwargs):
        seen.update(kwargs, base_url=self.bot.base_url, file_url=self.bot.base_file_url)

    monkeypatch.setattr(Application, "run_polling", fake_polling)
    config = make_bot_config(
        tmp_path / "data",
        api_base_url="http://config.invalid/bot",
        api_file_url="http://config.invalid/file/bot",
    )
    run(
        config,
        Secrets.from_env(
            {"TELEGRAM_BOT_TOKEN": "123:TEST", "TELEGRAM_API_BASE_URL": "http://127.0.0.1:9/bot"}
        ),
    )
    assert seen["base_url"] == "http://127.0.0.1:9/bot123:TEST"
    assert seen["file_url"] == "http://config.invalid/file/bot123:TEST"
    assert "message" in seen["allowed_updates"] and "channel_post" in seen["allowed_updates"]


def test_file_url_follows_a_lone_base_url(tmp_path):
    from bot.tg.app import api_urls

    config = make_bot_config(tmp_path / "data")
    env = Secrets.from_env({"TELEGRAM_API_BASE_URL": "http://127.0.0.1:8081/bot"})
    assert api_urls(config, env) == ("http://127.0.0.1:8081/bot", "http://127.0.0.1:8081/file/bot")
    assert api_urls(config, Secrets.from_env({})) == (None, None)


def test_webhook_mode_needs_a_secret_and_passes_it(tmp_path, monkeypatch):
    from bot.config import WebhookConfig

    seen = {}
    monkeypatch.setattr(Application, "run_webhook", lambda self, **kw: seen.update(kw))
    config = make_bot_config(
        tmp_path / "data",
        mode="webhook",
        webhook=WebhookConfig(
            listen="0.0.0.0", port=8443, path="tg", public_url="https://bot.example.org"
        ),
    )
    with pytest.raises(ConfigError, match="TELEGRAM_WEBHOOK_SECRET"):
        run(config, Secrets.from_env({"TELEGRAM_BOT_TOKEN": "123:TEST"}))
    run(
        config,
        Secrets.from_env({"TELEGRAM_BOT_TOKEN": "123:TEST", "TELEGRAM_WEBHOOK_SECRET": "s3cret"}),
    )
    assert seen["secret_token"] == "s3cret"
    assert seen["webhook_url"] == "https://bot.example.org/tg"
    assert (seen["listen"], seen["port"], seen["url_path"]) == ("0.0.0.0", 8443, "tg")


def test_log_lines_never_show_the_token():
    formatter = RedactingFormatter(logging.Formatter("%(message)s"), ["123:SECRET"])
    try:
        raise RuntimeError("POST https://api.telegram.org/bot123:SECRET/sendMessage failed")
    except RuntimeError:
        import sys

        record = logging.LogRecord(
            "x", logging.ERROR, __file__, 1, "url %s", ("bot123:SECRET",), sys.exc_info()
        )
    text = formatter.format(record)
    assert "123:SECRET" not in text and "<redacted>" in text and "Traceback" in text


# -- messages ------------------------------------------------------------------------------------


def test_every_text_exists_in_every_language():
    for key, variants in TEXTS.items():
        assert set(variants) == set(LANGUAGES), key
        assert all(v.strip() for v in variants.values()), key


def test_the_example_question_needs_no_escaping():
    # t() puts it into HTML texts as it is (bot.texts imports no escaping of its own)
    from bot.answers.markup import escape
    from bot.texts import EXAMPLE_QUESTION

    for example in EXAMPLE_QUESTION.values():
        assert escape(example) == example


@pytest.mark.parametrize(
    "code, expected",
    [
        ("zh-hans", "zh-hans"),
        ("zh-CN", "zh-hans"),
        ("zh", "zh-hans"),
        ("zh-hant", "zh-hant"),
        ("zh-TW", "zh-hant"),
        ("zh-hk", "zh-hant"),
        ("zh-MO", "zh-hant"),
        ("en", "en"),
        ("ru", "en"),
        ("ja", "en"),
        (None, "zh-hans"),
        ("", "zh-hans"),
    ],
)
def test_language_choice(code, expected):
    assert pick_language(code) == expected


def test_default_language_applies_only_without_a_code():
    assert pick_language(None, "en") == "en"
    assert pick_language("zh-tw", "en") == "zh-hant"


def test_texts_fill_values():
    assert "42" in t("too_long", "en", limit=42)
    assert "秒" in t("rate_limited", "zh-hans", seconds=3)


# -- buttons -------------------------------------------------------------------------------------


def test_buttons_round_trip_and_fit():
    data = buttons.pack("p", "a75ea57b65e1f", 3)
    assert len(data.encode()) <= 64
    decoded = buttons.unpack(data)
    assert decoded.kind == "p" and decoded.arg(0) == "a75ea57b65e1f" and decoded.int_arg(1) == 3


def test_long_button_state_spills_to_the_store():
    meta = {}
    long_id = "an-article-id-from-a-json-record-that-is-much-longer-than-usual-" * 2
    data = buttons.pack("f", long_id, set_meta=meta.__setitem__)
    assert len(data.encode()) <= 64 and data.startswith("kf|")  # the kind stays visible
    assert buttons.unpack(data, get_meta=meta.get).arg(0) == long_id
    assert buttons.unpack(data, get_meta={}.get) is None
    with pytest.raises(ValueError):
        buttons.pack("f", long_id)


def test_foreign_callback_data_is_ignored():
    assert (
        buttons.unpack("x|1") is None
        and buttons.unpack("") is None
        and buttons.unpack(None) is None
    )


# -- rate limit ----------------------------------------------------------------------------------


def test_question_limiter_sliding_window():
    now = [0.0]
    limiter = QuestionLimiter(2, 60, clock=lambda: now[0])
    assert limiter.hit(1) == 0 and limiter.hit(1) == 0
    assert limiter.hit(1) == pytest.approx(60)
    assert limiter.hit(2) == 0  # per user
    now[0] = 30
    assert limiter.hit(1) == pytest.approx(30)
    now[0] = 60.5
    assert limiter.hit(1) == 0


# -- access --------------------------------------------------------------------------------------


class FakeBot:
    def __init__(self, status):
        self.status = status
        self.calls = 0

    async def get_chat_member(self, chat_id, user_id):
        self.calls += 1

        class Member:
            status = self.status

        return Member()


def _chat(chat_id, kind):
    from telegram import Chat

    return Chat(chat_id, kind)


def _user(user_id):
    from telegram import User

    return User(user_id, "x", False)


async def test_admin_check_rules_and_cache():
    now = [0.0]
    check = AdminCheck([7], cache_seconds=60, clock=lambda: now[0])
    group = _chat(-1, "supergroup")
    admin_bot = FakeBot("administrator")
    assert await check.is_admin(admin_bot, group, _user(5))
    assert await check.is_admin(admin_bot, group, _user(5))
    assert admin_bot.calls == 1  # cached
    now[0] = 61
    assert await check.is_admin(admin_bot, group, _user(5)) and admin_bot.calls == 2
    member_bot = FakeBot("member")
    assert not await check.is_admin(member_bot, group, _user(6))
    assert await check.is_admin(member_bot, group, _user(7))  # owner
    assert await check.is_admin(member_bot, _chat(6, "private"), _user(6))
    assert not await check.is_admin(member_bot, _chat(8, "private"), _user(6))
    assert await check.is_admin(member_bot, group, _user(1087968824), sender_chat=group)
    channel = _chat(-100, "channel")
    assert await check.is_admin(
        member_bot, group, _user(136817688), sender_chat=channel, linked_chat_id=-100
    )
    assert not await check.is_admin(member_bot, group, _user(136817688), sender_chat=channel)
    assert await check.is_admin(member_bot, channel, None, sender_chat=channel)


def test_an_argument_with_the_separator_spills_and_round_trips():
    meta = {}
    odd_id = "wire|2021|0042"  # short enough to fit, but "|" would split it
    for kind, args in (("f", (odd_id,)), ("p", (odd_id, 3))):
        data = buttons.pack(kind, *args, set_meta=meta.__setitem__)
        assert data.startswith(f"k{kind}|") and len(data.encode()) <= 64
        decoded = buttons.unpack(data, get_meta=meta.get)
        assert decoded.kind == kind and decoded.arg(0) == odd_id
    assert (
        buttons.unpack(
            buttons.pack("p", odd_id, 3, set_meta=meta.__setitem__), get_meta=meta.get
        ).int_arg(1)
        == 3
    )
    with pytest.raises(ValueError):
        buttons.pack("f", odd_id)  # no store to spill to: refused, never mis-packed


def test_spilled_buttons_of_earlier_versions_still_unpack_and_a_swapped_kind_does_not():
    meta = {"cb:0123456789abcdef0123": '["f", "wire|2021|0042"]'}
    legacy = buttons.unpack("k|0123456789abcdef0123", get_meta=meta.get)
    assert legacy is not None and legacy.kind == "f" and legacy.arg(0) == "wire|2021|0042"
    # the visible kind must match the stored one: "kp|<key of an f button>" is not a page
    assert buttons.unpack("kp|0123456789abcdef0123", get_meta=meta.get) is None
    assert re.match(buttons.pattern("f"), "kf|0123") and re.match(buttons.pattern("f"), "f|x")
    assert not re.match(buttons.pattern("f"), "k|0123") and not re.match(
        buttons.pattern("p"), "f|x"
    )


def test_commands_are_parsed_by_one_helper():
    from bot.tg.handlers.common import parse_command

    assert parse_command("/Add@NewsQuoteBot rest of it") == ("add", "newsquotebot")
    assert parse_command("/settings") == ("settings", "")
    assert parse_command("  /ask 问题") == ("ask", "")
    assert parse_command("hello /ask") == ("", "") and parse_command(None) == ("", "")


def test_one_escaping_function():
    from bot.answers.markup import esc, escape

    for text in ('<b>&"x"</b>', "bad\x00\x07control", "lone \ud800 surrogate", "正文"):
        assert esc(text) == escape(text)
    assert esc(42) == "42"
