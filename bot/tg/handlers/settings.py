"""/settings: quotes per message, which corpus a chat answers from, channel ingestion."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from telegram import Chat, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update

from ...errors import StoreError
from ...texts import t
from .. import buttons
from .common import (
    GROUPS,
    admin_pressing,
    command_rest,
    edit,
    lang_of,
    per_message_for,
    pressed,
    refuse_unless_admin,
    reply,
)

if TYPE_CHECKING:
    from ..context import BotContext

log = logging.getLogger(__name__)

CORPUS_CHOICES = ("both", "shared", "own")


async def ingest_target(context: BotContext, chat: Chat) -> int | None:
    """The channel whose ingestion this chat's settings control (itself, or its linked channel)."""
    if chat.type == Chat.CHANNEL:
        return chat.id
    if chat.type in GROUPS:
        return (await context.chat_settings.get(chat.id)).linked_chat_id
    return None


async def settings_view(
    context: BotContext, chat: Chat, lang: str
) -> tuple[str, InlineKeyboardMarkup]:
    """The chat's settings as text, with a button for every choice."""
    settings = await context.chat_settings.get(chat.id)
    per_message = await per_message_for(context, chat.id)
    target = await ingest_target(context, chat)
    ingest = ""
    state = False
    if target is not None:
        state = (await context.chat_settings.get(target)).ingest_channel
        ingest = t("settings_ingest", lang, state=t("on" if state else "off", lang))
    text = t(
        "settings",
        lang,
        per_message=per_message,
        corpus=t(f"corpus_{settings.corpus}", lang),
        ingest=ingest,
    )
    rows = []
    if chat.type != Chat.CHANNEL:
        rows.append(
            [
                InlineKeyboardButton(
                    ("• " if n == per_message else "") + str(n),
                    callback_data=buttons.pack("s", "pm", n),
                )
                for n in range(1, 6)
            ]
        )
        rows.append(
            [
                InlineKeyboardButton(
                    ("• " if c == settings.corpus else "") + t(f"corpus_{c}", lang),
                    callback_data=buttons.pack("s", "corpus", c),
                )
                for c in CORPUS_CHOICES
            ]
        )
    if target is not None:
        rows.append(
            [
                InlineKeyboardButton(
                    ("• " if state == value else "") + t(label, lang),
                    callback_data=buttons.pack("s", "ingest", label),
                )
                for value, label in ((True, "on"), (False, "off"))
            ]
        )
    return text, InlineKeyboardMarkup(rows)


async def apply_setting(
    context: BotContext, chat: Chat, user_id: int | None, key: str, value: str
) -> str | None:
    """Change one setting; returns an error text key, or None when saved."""
    key = {"per_message": "pm", "answers": "pm", "ingest_channel": "ingest"}.get(key, key)
    changes: dict[str, object]
    if key == "pm" and value.isdigit() and 1 <= int(value) <= 5:
        target, changes = chat.id, {"per_message": int(value)}
    elif key == "corpus" and value in CORPUS_CHOICES and chat.type != Chat.CHANNEL:
        target, changes = chat.id, {"corpus": value}
    elif key == "ingest" and value in ("on", "off"):
        channel = await ingest_target(context, chat)
        if channel is None:
            return "settings_no_channel"
        if channel != chat.id and (
            user_id is None
            or not await context.admins.member_is_admin(context.bot, channel, user_id)
        ):
            return "not_admin"
        target, changes = channel, {"ingest_channel": value == "on"}
    else:
        return "settings_bad"
    if not context.library.writable:
        return "store_read_only"
    try:
        await context.chat_settings.change(target, **changes)
    except StoreError as exc:
        log.error("settings of chat %s not saved: %s", target, exc)
        return "store_read_only"
    return None


async def cmd_settings(update: Update, context: BotContext) -> None:
    """/settings [key value]: show the settings with buttons, or change one."""
    message, chat, user = update.effective_message, update.effective_chat, update.effective_user
    assert message is not None and chat is not None
    if await refuse_unless_admin(update, context):
        return
    lang = lang_of(update, context)
    if not context.library.writable:
        await reply(message, t("store_read_only", lang))
        return
    args = context.args or command_rest(message).split()
    if len(args) >= 2:
        problem = await apply_setting(
            context, chat, user.id if user else None, args[0].lower(), args[1].lower()
        )
        if problem:
            await reply(message, t(problem, lang))
            return
    elif args:
        await reply(message, t("settings_bad", lang))
        return
    text, markup = await settings_view(context, chat, lang)
    await reply(message, text, markup=markup, quote=False)


async def press_setting(update: Update, context: BotContext) -> None:
    """A /settings button (admins only): save the choice and redraw the settings."""
    press = await pressed(update, context)
    if press is None:
        return
    query, button, lang = press.query, press.button, press.lang
    chat = await admin_pressing(update, context, lang)
    if chat is None:
        return
    problem = await apply_setting(context, chat, query.from_user.id, button.arg(0), button.arg(1))
    if problem:
        await query.answer(t(problem, lang), show_alert=True)
        return
    await query.answer(t("settings_saved", lang))
    text, markup = await settings_view(context, chat, lang)
    if isinstance(query.message, Message):
        await edit(query.message, text, markup)
