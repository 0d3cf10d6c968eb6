"""Telegram handlers: thin wrappers that turn updates into ``Library`` calls and replies.

One module per concern — ``questions``, ``pages`` (全文), ``admin`` (/add /remove /list),
``settings``, ``corrections`` (/fix), ``channels``, ``inline``, ``membership``, ``info``
(/start /help /about), ``feeds`` (links, forwards, /follow /feeds /unfollow), ``failures`` —
over ``common``; ``register`` wires them, buttons routed by their kind (``pattern=``). Store
access goes through ``Library`` (in a thread) or ``bot.tg.state`` (chat settings cache,
message and button state), so the event loop never waits on the disk.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any

from telegram import Update
from telegram.ext import (
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    InlineQueryHandler,
    MessageHandler,
    filters,
)

from .. import buttons
from . import (
    admin,
    channels,
    corrections,
    failures,
    feeds,
    info,
    inline,
    membership,
    pages,
    questions,
    settings,
)

if TYPE_CHECKING:
    from ..context import BotApplication, BotContext

PressHandler = Callable[[Update, "BotContext"], Coroutine[Any, Any, None]]

#: The handler of each button kind (see ``bot.tg.buttons``).
BUTTONS: dict[str, PressHandler] = {
    "m": questions.press_more,
    "f": pages.press_full,
    "p": pages.press_page,
    "l": admin.press_list_page,
    "s": settings.press_setting,
    "a": questions.press_search_all,
}


async def press_legacy(update: Update, context: BotContext) -> None:
    """A spilled button from before the kind was visible (``k|<hash>``): route by its data."""
    query = update.callback_query
    assert query is not None
    button = await context.pressed(query.data)
    handler = BUTTONS.get(button.kind) if button is not None else None
    await (handler or failures.press_unknown)(update, context)


def register(application: BotApplication) -> None:
    """Add every handler to the application, in order."""
    message = filters.UpdateType.MESSAGE
    not_channel = ~filters.ChatType.CHANNEL
    channel_posts = filters.UpdateType.CHANNEL_POSTS
    add = application.add_handler
    add(MessageHandler(filters.StatusUpdate.MIGRATE, membership.on_migrate))
    add(CommandHandler("start", info.cmd_start, filters=message))
    add(CommandHandler("help", info.cmd_help, filters=message))
    add(CommandHandler("about", info.cmd_about, filters=message))
    add(CommandHandler("ask", questions.cmd_ask, filters=message & not_channel))
    add(CommandHandler("add", admin.cmd_add, filters=message))
    add(CommandHandler("remove", admin.cmd_remove, filters=message))
    add(CommandHandler("list", admin.cmd_list, filters=message))
    add(CommandHandler("settings", settings.cmd_settings, filters=message))
    add(CommandHandler("fix", corrections.cmd_fix, filters=message))
    add(MessageHandler(message & filters.Document.ALL, admin.on_document))
    add(MessageHandler(message & filters.COMMAND, info.on_unknown_command))
    add(
        MessageHandler(message & filters.ChatType.PRIVATE & filters.TEXT, questions.on_private_text)
    )
    add(MessageHandler(message & filters.ChatType.GROUPS & filters.TEXT, questions.on_group_text))
    add(MessageHandler(filters.UpdateType.CHANNEL_POST & filters.COMMAND, channels.cmd_channel))
    add(MessageHandler(channel_posts & (filters.TEXT | filters.CAPTION), channels.on_channel_post))
    for kind, handler in BUTTONS.items():
        add(CallbackQueryHandler(handler, pattern=buttons.pattern(kind)))
    add(CallbackQueryHandler(press_legacy, pattern=r"^k\|"))
    add(CallbackQueryHandler(failures.press_unknown))
    add(InlineQueryHandler(inline.on_inline_query))
    add(ChatMemberHandler(membership.on_my_chat_member, ChatMemberHandler.MY_CHAT_MEMBER))
    add(ChatMemberHandler(membership.on_chat_member, ChatMemberHandler.CHAT_MEMBER))
    feeds.register(application)  # links, forwards and feeds: group -1, stop once handled
    application.add_error_handler(failures.on_error)
