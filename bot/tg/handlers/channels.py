"""Channels: posts (and their edits) become articles; a discussion group learns its channel."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

from telegram import Bot, Chat, Message, Update
from telegram.error import TelegramError

from ...errors import ArticleError, StoreError
from ...ingest.parsing import parse_text
from ...models import chat_scope
from ...texts import t
from ..state import ChatSettingsCache, edit_key
from .common import for_another_bot, lang_of, parse_command, reply

if TYPE_CHECKING:
    from ..context import BotContext

log = logging.getLogger(__name__)

CHANNEL_COMMANDS = ("add", "remove", "list", "ask", "about", "help", "start")


def channel_article_id(chat_id: int, message_id: int) -> str:
    """Stable article id of a channel post."""
    return f"tg{abs(chat_id)}m{message_id}"


async def link_chats(context: BotContext, group_id: int, channel_id: int) -> None:
    """Remember that a discussion group and a channel belong together (both directions).
    When the store cannot be written this is logged once per pair and otherwise ignored:
    it runs on every channel post forwarded to the group, and nobody there can fix it."""
    try:
        for own, other in ((group_id, channel_id), (channel_id, group_id)):
            if (await context.chat_settings.get(own)).linked_chat_id != other:
                await context.chat_settings.change(own, linked_chat_id=other)
                log.info("linked chat %s with %s", own, other)
    except StoreError as exc:
        problem = f"link:{group_id}:{channel_id}"
        if problem not in context.bot_data.logged_problems:
            context.bot_data.logged_problems.add(problem)
            log.error(
                "cannot save the link of chat %s with channel %s: %s", group_id, channel_id, exc
            )


async def unlink_chat(settings: ChatSettingsCache, chat_id: int) -> None:
    """Forget a chat's channel link, and the other side's link back to it."""
    other = (await settings.get(chat_id)).linked_chat_id
    if other is None:
        return
    await settings.change(chat_id, linked_chat_id=None)
    if (await settings.get(other)).linked_chat_id == chat_id:
        await settings.change(other, linked_chat_id=None)
    log.info(
        "chat %s is no longer linked with %s (Telegram no longer reports the link)", chat_id, other
    )


async def recheck_link(bot: Bot, settings: ChatSettingsCache, chat_id: int) -> None:
    """Ask Telegram (getChat) which chat this one is linked with now, and make the stored
    link say the same: a group unlinked from its channel stops answering from the channel's
    articles. A failed getChat changes nothing (logged)."""
    try:
        full = await bot.get_chat(chat_id)
    except TelegramError as exc:
        log.info("getChat(%s) failed: %s", chat_id, exc)
        return
    linked = full.linked_chat_id
    try:
        if (await settings.get(chat_id)).linked_chat_id not in (None, linked):
            await unlink_chat(settings, chat_id)
        if linked:
            group, channel = (linked, chat_id) if full.type == Chat.CHANNEL else (chat_id, linked)
            for own, other in ((group, channel), (channel, group)):
                current = (await settings.get(own)).linked_chat_id
                if current not in (None, other):
                    await unlink_chat(settings, own)
                if current != other:
                    await settings.change(own, linked_chat_id=other)
                    log.info("linked chat %s with %s", own, other)
    except StoreError as exc:
        log.error("cannot save the channel link of chat %s: %s", chat_id, exc)


async def on_channel_post(update: Update, context: BotContext) -> None:
    """A channel post (or its edit) becomes an article of the channel, unless turned off."""
    message, chat = update.effective_message, update.effective_chat
    assert message is not None and chat is not None
    text = message.text or message.caption or ""
    if not text.strip() or text.startswith("/"):
        return
    if not (await context.chat_settings.get(chat.id)).ingest_channel:
        return
    async with context.chat_lock(chat.id):
        await ingest_post(context, chat, message)


async def ingest_post(context: BotContext, chat: Chat, message: Message) -> None:
    """Parse and add (or replace) a channel post's article; runs under the channel's lock.
    Edits can arrive out of order: one older than the last applied edit is ignored."""
    text = message.text or message.caption or ""
    article_id = channel_article_id(chat.id, message.message_id)
    scope = chat_scope(chat.id)
    # 0 for the post itself: older than any edit, so a late original never undoes an edit.
    edited = int(message.edit_date.timestamp()) if message.edit_date is not None else 0
    applied = await context.messages.get(edit_key(chat.id, message.message_id))
    if applied is not None and int(applied) > edited:
        log.info(
            "%s post %s: a newer edit is applied already; this one is ignored",
            chat.id,
            message.message_id,
        )
        return
    existing = await asyncio.to_thread(context.library.scope_of, article_id)
    limit = context.config.telegram.limits.max_articles_per_chat
    if existing is None and await asyncio.to_thread(context.library.count_articles, scope) >= limit:
        log.warning(
            "channel %s holds %d articles (the limit); post %s not ingested",
            chat.id,
            limit,
            message.message_id,
        )
        return
    metadata: dict[str, Any] = {
        "id": article_id,
        "source": chat.title or chat.username or str(chat.id),
    }
    if chat.username:
        metadata["url"] = f"https://t.me/{chat.username}/{message.message_id}"
    try:
        article = await asyncio.to_thread(
            parse_text,
            text,
            metadata=metadata,
            origin=f"channel {chat.id} post {message.message_id}",
        )
    except ArticleError as exc:
        log.info("channel post %s/%s not ingested: %s", chat.id, message.message_id, exc)
        return
    if article.date is None and message.date is not None:
        article.date = message.date.date().isoformat()
    if existing is not None and existing != scope:
        # Ids of this form are reserved for channel posts (bot/library.py), so this is a store
        # from an older version that could not be migrated: never silent.
        log.error(
            "channel %s post %s not ingested: its id %s is held by %s",
            chat.id,
            message.message_id,
            article_id,
            existing,
        )
        return
    try:
        await asyncio.to_thread(context.library.add_article, article, scope)
        if edited:
            await context.messages.set(edit_key(chat.id, message.message_id), str(edited))
    except StoreError as exc:
        log.error("channel %s post %s not ingested: %s", chat.id, message.message_id, exc)
        return
    log.info("ingested %s post %s as %s", chat.id, message.message_id, article.id)


async def cmd_channel(update: Update, context: BotContext) -> None:
    """Commands posted in a channel: /settings works; the rest get a one-line explanation."""
    from .settings import cmd_settings

    message = update.effective_message
    assert message is not None
    name, target = parse_command(message.text)
    if for_another_bot(context, target):
        return
    if name == "settings":
        await cmd_settings(update, context)
    elif name in CHANNEL_COMMANDS:
        await reply(message, t("wrong_chat_channel", lang_of(update, context)))
