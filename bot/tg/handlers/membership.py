"""Membership: the bot added to a chat, admin rights changing, a group becoming a supergroup."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from telegram import ChatMember, Update

from ...answers.markup import esc
from ...errors import StoreError
from ...texts import t
from .channels import recheck_link
from .common import GROUPS, bot_username, lang_of, send

if TYPE_CHECKING:
    from ..context import BotContext

log = logging.getLogger(__name__)


async def on_my_chat_member(update: Update, context: BotContext) -> None:
    """The bot was added to a chat: learn the channel link; introduce itself in groups."""
    change = update.my_chat_member
    assert change is not None
    chat = change.chat
    context.admins.forget(chat.id)
    old, new = change.old_chat_member.status, change.new_chat_member.status
    if new not in (ChatMember.MEMBER, ChatMember.ADMINISTRATOR):
        return
    if chat.type in GROUPS or chat.type == chat.CHANNEL:
        # Learns a new link, and clears one Telegram no longer reports (unlinked meanwhile).
        await recheck_link(context.bot, context.chat_settings, chat.id)
    if chat.type in GROUPS and old in (ChatMember.LEFT, ChatMember.BANNED):
        await send(
            context,
            chat.id,
            t("intro_group", lang_of(update, context), bot=esc(bot_username(context))),
        )


async def on_chat_member(update: Update, context: BotContext) -> None:
    """Someone's rights changed: forget the cached admin answer."""
    change = update.chat_member
    if change is not None:
        context.admins.forget(change.chat.id, change.new_chat_member.user.id)


async def on_migrate(update: Update, context: BotContext) -> None:
    """A group became a supergroup (new chat id): its articles and settings move with it."""
    message = update.effective_message
    assert message is not None
    if message.migrate_to_chat_id:
        old_id, new_id = message.chat_id, message.migrate_to_chat_id
    elif message.migrate_from_chat_id:
        old_id, new_id = message.migrate_from_chat_id, message.chat_id
    else:
        return
    context.admins.forget(old_id)
    channel = (await context.chat_settings.get(old_id)).linked_chat_id
    async with context.chat_lock(old_id), context.chat_lock(new_id):
        try:
            moved = await asyncio.to_thread(context.library.move_chat, old_id, new_id)
        except StoreError as exc:
            log.error(
                "chat %s migrated to %s, but its articles could not be moved: %s",
                old_id,
                new_id,
                exc,
            )
            return
        finally:
            # move_chat changed settings in the store behind the cache's back
            context.chat_settings.forget(old_id, new_id, *([channel] if channel else []))
    if moved:
        log.info("chat %s migrated to %s: %d articles moved", old_id, new_id, moved)
