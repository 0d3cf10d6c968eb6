"""End to end: ``python -m bot run`` as its own process, long polling the Bot API stand-in.

Plays users: a private question (answered with a quote and credit), a group ``/ask@bot``,
a press of the "More" button, an uploaded document, chit-chat (a hint, no quote) and a
credits question. The subprocess is always killed, whatever happens.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time

import pytest
import yaml
from botapi_standin import BOT_USERNAME, TOKEN, StandinServer
from conftest import REPO

pytestmark = pytest.mark.e2e

QUESTION = "两江新区和天府新区要共同建设什么？"


def write_config(tmp_path) -> str:
    raw = yaml.safe_load((REPO / "config.yaml").read_text(encoding="utf-8"))
    raw["corpus"]["paths"] = [str(REPO / "corpus")]
    raw["data_dir"] = str(tmp_path / "data")
    raw["answers"]["per_message"] = 1  # so the bundled article has a "More"
    raw["telegram"]["api_base_url"] = "http://config.invalid/bot"  # the env must win
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return str(path)


def keyboard(call):
    return [
        b for row in (call.params.get("reply_markup") or {}).get("inline_keyboard", []) for b in row
    ]


def test_bot_process_answers_through_the_standin(tmp_path):
    started = time.monotonic()
    with StandinServer() as server:
        api = server.api
        env = server.bot_env()
        log = open(tmp_path / "bot.log", "w+", encoding="utf-8")
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "--config", write_config(tmp_path), "run"],
            cwd=REPO,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            # ready: the command menus are set in post_init, then polling starts
            api.wait_for(lambda: len(api.calls_of("setMyCommands")) == 3, timeout=20)
            api.wait_for(lambda: any(c.method == "getMe" for c in api.calls), timeout=5)

            # a private question
            user = api.user(6001, "Wang")
            api.text_update(api.private(user), user, QUESTION)
            [answer] = api.wait_sent(6001, timeout=10)
            text = answer.params["text"]
            assert "<blockquote>" in text and "<b>两江新区</b>" in text
            assert "严薇" in text and "郭欣欣" in text and "上游新闻·重庆晨报" in text
            assert answer.params["link_preview_options"] == {"is_disabled": True}

            # a group /ask@bot, with chatter around it that must stay unanswered
            group = api.group(-100600, "E2E group")
            member = api.user(6002, "Zhao", language_code="en")
            api.text_update(group, member, "大家早上好")
            api.text_update(group, member, f"/ask@{BOT_USERNAME} {QUESTION}")
            [group_answer] = api.wait_sent(-100600, timeout=10)
            assert "<blockquote>" in group_answer.params["text"]
            assert [b["text"] for b in keyboard(group_answer)][0] == "More"

            # "More" under the private answer
            more = [b for b in keyboard(answer) if b["callback_data"].startswith("m|")]
            assert more, keyboard(answer)
            message = api.messages[(6001, answer.result["message_id"])]
            api.press(user, message, more[0]["callback_data"])
            [_, second] = api.wait_sent(6001, count=2, timeout=10)
            quotes = re.compile(r"<blockquote>(.*?)</blockquote>", re.S)
            assert quotes.findall(second.params["text"])
            assert quotes.findall(second.params["text"]) != quotes.findall(text)
            api.wait_for(lambda: api.calls_of("answerCallbackQuery"), timeout=5)

            # a document added in the private chat (getFile + download over HTTP), then asked
            copy = (REPO / "corpus" / "cqcb-2020-04-12-chuanyu-innovation.txt").read_bytes()
            api.document_update(
                api.private(user),
                user,
                "copy.txt",
                copy.replace("两江新区".encode(), "江北新区".encode()),
            )
            added = api.wait_sent(6001, count=3, timeout=10)[2]
            assert "已添加" in added.params["text"] and "严薇" in added.params["text"]
            api.text_update(api.private(user), user, "江北新区和天府新区要共同建设什么")
            own = api.wait_sent(6001, count=4, timeout=10)[3]
            assert "<blockquote>" in own.params["text"] and "江北" in own.params["text"]

            # chit-chat gets a one-line hint, never a quote; a credits question names the
            # article it is about and answers from its credits
            api.text_update(api.private(user), user, "你好")
            hint = api.wait_sent(6001, count=5, timeout=10)[4]
            assert "<blockquote>" not in hint.params["text"] and not keyboard(hint)
            api.text_update(api.private(user), user, "两江新区天府新区那篇报道的记者是谁？")
            credits = api.wait_sent(6001, count=6, timeout=10)[5]
            assert "严薇" in credits.params["text"] and "郭欣欣" in credits.params["text"]

            assert len(api.sent(-100600)) == 1  # the chatter got no reply
            assert not api.html_errors
            assert process.poll() is None, "the bot exited early"
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
            log.seek(0)
            output = log.read()
            log.close()
        assert TOKEN not in output, "the token leaked into the log"
        assert "Traceback" not in output, output[-3000:]
    assert time.monotonic() - started < 30
