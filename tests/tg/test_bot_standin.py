"""The Bot API stand-in itself: HTML checks, long polling, concurrency over HTTP."""

from __future__ import annotations

import json
import threading
import time
import urllib.request

import pytest
from botapi_standin import APIError, BotAPI, StandinServer, parse_telegram_html


@pytest.mark.parametrize(
    "bad",
    [
        "<div>x</div>",
        "<b>x",
        "<b>x</i>",
        "a < b",
        "a & b",
        "&nbsp;",
        "<a>x</a>",
        "<blockquote><blockquote>x</blockquote></blockquote>",
        "x" * 4097,
    ],
)
def test_invalid_html_is_refused_like_telegram(bad):
    api = BotAPI()
    status, body = api.call("sendMessage", {"chat_id": 1, "text": bad, "parse_mode": "HTML"})
    assert status == 400 and body["ok"] is False
    assert api.html_errors


def test_valid_html_gives_visible_text():
    assert parse_telegram_html('<b>a</b> &lt;&amp;&gt; <a href="https://x.org">l</a>') == "a <&> l"
    with pytest.raises(APIError):
        parse_telegram_html("<tg-foo>x</tg-foo>")


def test_callback_data_over_64_bytes_is_refused():
    api = BotAPI()
    markup = {"inline_keyboard": [[{"text": "x", "callback_data": "m|" + "9" * 63}]]}
    status, body = api.call("sendMessage", {"chat_id": 1, "text": "hi", "reply_markup": markup})
    assert status == 400 and "BUTTON_DATA_INVALID" in body["description"]


def http(server, method, **params):
    request = urllib.request.Request(
        f"{server.base_url}{server.api.token}/{method}",
        data=json.dumps(params).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def test_get_updates_long_polls_and_confirms_with_offset():
    with StandinServer() as server:
        api = server.api
        started = time.monotonic()
        assert http(server, "getUpdates", timeout=0.3)["result"] == []
        assert time.monotonic() - started >= 0.25  # it waited
        user = api.user(1)
        threading.Timer(0.2, lambda: api.text_update(api.private(user), user, "hi")).start()
        started = time.monotonic()
        [update] = http(server, "getUpdates", timeout=5)["result"]
        assert time.monotonic() - started < 2  # woke up on the update
        assert http(server, "getUpdates", timeout=0)["result"] == [update]  # not confirmed
        assert http(server, "getUpdates", offset=update["update_id"] + 1, timeout=0)["result"] == []


def test_many_concurrent_chats_over_http():
    with StandinServer() as server:
        api = server.api
        errors = []

        def chat(n):
            try:
                for i in range(5):
                    http(
                        server,
                        "sendMessage",
                        chat_id=1000 + n,
                        text=f"<b>{i}</b>",
                        parse_mode="HTML",
                    )
            except Exception as exc:  # pragma: no cover - reported below
                errors.append(exc)

        threads = [threading.Thread(target=chat, args=(n,)) for n in range(40)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(10)
        assert not errors
        for n in range(40):
            sent = api.sent(1000 + n)
            assert sorted(c.result["message_id"] for c in sent) == [1, 2, 3, 4, 5]
