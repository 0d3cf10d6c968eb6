"""The event loop never waits on the disk: a store held by a worker thread (an fsynced commit
of a large /add) delays no reply that does not need it."""

from __future__ import annotations

import asyncio
import threading
import time

from conftest import process

QUESTION = "两江新区和天府新区要共同建设什么？"


async def _reply_time(api, app, update: dict, chat_id: int) -> float:
    """Seconds until the bot's reply to ``update`` is sent (the handler may still be running)."""
    before = len(api.sent(chat_id))
    task = asyncio.create_task(process(app, update))
    elapsed = await api.seconds_to_reply(chat_id, before, 10)
    assert elapsed is not None, "no reply within 10 s"
    await task
    return elapsed


def _hold(lock: threading.RLock, seconds: float, held: threading.Event) -> None:
    with lock:
        held.set()
        time.sleep(seconds)


async def test_help_and_a_cached_settings_question_are_answered_while_the_store_is_locked(
    api, make_bot
):
    app = await make_bot()
    user = api.user(7001)
    chat = api.private(user)
    # warm up: the chat's settings and the quoted article are read once
    await process(app, api.text_update(chat, user, QUESTION))
    assert "<blockquote>" in api.sent(7001)[-1].params["text"]
    store = app.bot_data.library.store
    held = threading.Event()
    holder = threading.Thread(target=_hold, args=(store._lock, 3.0, held))
    holder.start()
    try:
        assert held.wait(2)
        help_seconds = await _reply_time(api, app, api.text_update(chat, user, "/help"), 7001)
        question_seconds = await _reply_time(api, app, api.text_update(chat, user, QUESTION), 7001)
    finally:
        holder.join()
    assert help_seconds < 1.0, help_seconds
    assert question_seconds < 1.0, question_seconds
    assert "<blockquote>" in api.sent(7001)[-1].params["text"]


async def test_settings_changed_by_a_command_are_seen_by_the_next_question(api, make_bot):
    app = await make_bot(owners=[7002])
    user = api.user(7002)
    group = api.group(-7002)
    await process(app, api.text_update(group, user, "/ask " + QUESTION))
    first = api.sent(-7002)[-1].params["text"]
    assert first.count("<blockquote>") >= 1
    await process(app, api.text_update(group, user, "/settings corpus own"))
    assert app.bot_data.library.store.chat_settings(-7002).corpus == "own"
    await process(app, api.text_update(group, user, "/ask " + QUESTION))
    # the group holds no articles of its own: nothing is quoted from the shared corpus now
    assert "<blockquote>" not in api.sent(-7002)[-1].params["text"]
