"""Flood benchmark: how long a question from another chat waits while one user floods the bot.

    .venv/bin/python bench/bench_flood.py                   # the three floods of issue 12
    .venv/bin/python bench/bench_flood.py --only group-full --timeout 20

What runs: the real Application (``bot.tg.app.build_application``: every handler, the update
processor, the rate limiter) over a real Library on the bundled corpus (config.yaml, a temp
data_dir), in this process, started as ``run()`` starts it (updates go through the update
queue, so the concurrency rules apply) but fed directly instead of by getUpdates. PTB's HTTP
layer is the Bot API stand-in's ``RecordingRequest`` (tests/botapi_standin.py): no sockets.
The stand-in never throttles; the bot's own rate limiter (20 messages a minute per group, 30 a
second overall) does, as it would against Telegram.

Floods (all queued at once, then the control questions):

* ``group-full``: 300 presses of the 全文 (Full article) button under one answer in a group;
* ``group-ask``: 300 ``/ask <question>`` from one user in one group (the per-user question
  budget answers most of them with the "slow down" notice, which the group's limit delays);
* ``private-full``: 1,000 presses of 全文 under one answer in a private chat;
* ``group-many``: 300 members of one group, one ``/ask`` each (the per-chat bound);
* ``huge-pages``: 全文 and 14 page presses on a 1.9 MB article of a private chat (stored
  directly, not indexed: the pages are what is measured).

Control: first alone (baseline), then during the flood, ``--controls`` questions, one every
0.3 s, each from its own private chat; its latency is from queueing the update to the bot's
first sendMessage to that chat. ``wall``: from queueing the flood to the last control answered
(the benchmark shares the bot's event loop, so work that blocks the loop before a control is
queued shows there, not in the control's latency). Target: < 2 s. A control not answered
within ``--timeout`` seconds counts as that timeout (printed with ``>``). Every wait is
bounded; the flood still in flight when the controls are done is cancelled.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

from botapi_standin import BotAPI, RecordingRequest  # noqa: E402
from telegram import Update  # noqa: E402

from bot.config import load_config  # noqa: E402
from bot.library import Library  # noqa: E402
from bot.models import Article, Paragraph, chat_scope  # noqa: E402
from bot.tg.app import build_application  # noqa: E402

QUESTION = "两江新区和天府新区要共同建设什么"
GROUP = -100_777
FLOODER = 7001
FLOODS = {
    "group-full": 300,
    "group-ask": 300,
    "private-full": 1000,
    "group-many": 300,
    "huge-pages": 15,
}


def _full_button(api: BotAPI, chat_id: int) -> tuple[dict, str]:
    """The bot's last message to a chat that has a 全文 button, and that button's data."""
    for call in reversed(api.sent(chat_id)):
        keyboard = (call.params.get("reply_markup") or {}).get("inline_keyboard") or []
        for row in keyboard:
            for button in row:
                if str(button.get("callback_data", "")).startswith("f|"):
                    message = api.messages[(chat_id, call.result["message_id"])]
                    return message, button["callback_data"]
    raise RuntimeError("the answer has no Full article button")


async def _control(app: Any, api: BotAPI, user_id: int, timeout: float) -> float:
    user = api.user(user_id)
    before = len(api.sent(user_id))
    await app.update_queue.put(
        Update.de_json(api.text_update(api.private(user), user, QUESTION), app.bot)
    )
    latency = await api.seconds_to_reply(user_id, before, timeout)
    return timeout if latency is None else latency


async def scenario(name: str, count: int, controls: int, timeout: float) -> dict[str, Any]:
    """One flood on a fresh bot; the control latencies before and during it."""
    api = BotAPI()
    with tempfile.TemporaryDirectory() as tmp:
        config = load_config(REPO / "config.yaml")
        config = dataclasses.replace(config, data_dir=str(Path(tmp) / "data"))
        library = Library.open(config)
        app = build_application(
            config,
            library,
            api.token,
            request=RecordingRequest(api),
            get_updates_request=RecordingRequest(api),
        )
        await app.initialize()
        await app.start()
        try:
            baseline = await _control(app, api, 9000, timeout)
            flooder = api.user(FLOODER)
            chat = api.group(GROUP) if name.startswith("group") else api.private(flooder)
            chat_id = chat["id"]
            updates: list[dict] = []
            if name == "huge-pages":
                # 19 paragraphs of 100,000 characters: a document without line breaks.
                paragraphs = [
                    Paragraph(f"huge#{n}", "巨型文档的段落，" * 12_500) for n in range(19)
                ]
                library.store.put(
                    Article(id="huge", title="巨型文档", paragraphs=paragraphs), chat_scope(FLOODER)
                )
                anchor = api.message(chat, None, "anchor")
                updates = [api.press(flooder, anchor, "f|huge")] + [
                    api.press(flooder, anchor, f"p|huge|{page}") for page in range(1, count)
                ]
            elif name == "group-ask":
                updates = [api.text_update(chat, flooder, f"/ask {QUESTION}") for _ in range(count)]
            elif name == "group-many":
                updates = [
                    api.text_update(chat, api.user(20_000 + n), f"/ask {QUESTION}")
                    for n in range(count)
                ]
            else:
                before = len(api.sent(chat_id))
                text = f"/ask {QUESTION}" if name.startswith("group") else QUESTION
                await app.update_queue.put(
                    Update.de_json(api.text_update(chat, flooder, text), app.bot)
                )
                if await api.seconds_to_reply(chat_id, before, timeout) is None:
                    raise RuntimeError("the flooder's question was not answered")
                await asyncio.sleep(0.2)
                message, data = _full_button(api, chat_id)
                updates = [api.press(flooder, message, data) for _ in range(count)]
            sent_before = len(api.sent(chat_id))
            started = time.monotonic()
            for update in updates:
                app.update_queue.put_nowait(Update.de_json(update, app.bot))
            await asyncio.sleep(0.3)
            latencies = []
            for number in range(controls):
                latencies.append(await _control(app, api, 9001 + number, timeout))
                await asyncio.sleep(0.3)
            elapsed = time.monotonic() - started
            return {
                "flood": name,
                "updates": count,
                "baseline": baseline,
                "median": statistics.median(latencies),
                "max": max(latencies),
                "timeout": timeout,
                "flood_replies": len(api.sent(chat_id)) - sent_before,
                "elapsed": elapsed,
            }
        finally:
            # What is still in flight is cancelled with the event loop (asyncio.run).
            library.close()


def _seconds(value: float, timeout: float) -> str:
    return f">{timeout:.0f} s" if value >= timeout else f"{value:.2f} s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", choices=sorted(FLOODS), action="append")
    parser.add_argument("--controls", type=int, default=5)
    parser.add_argument("--timeout", type=float, default=30.0)
    args = parser.parse_args()
    print(
        f"{'flood':<14} {'updates':>7} {'baseline':>9} {'control median':>15} "
        f"{'control max':>12} {'flood replies':>14} {'wall':>8}"
    )
    for name in args.only or list(FLOODS):
        result = asyncio.run(scenario(name, FLOODS[name], args.controls, args.timeout))
        t = args.timeout
        print(
            f"{name:<14} {result['updates']:>7} {_seconds(result['baseline'], t):>9} "
            f"{_seconds(result['median'], t):>15} {_seconds(result['max'], t):>12} "
            f"{result['flood_replies']:>14} {result['elapsed']:>6.1f} s",
            flush=True,
        )


if __name__ == "__main__":
    main()
