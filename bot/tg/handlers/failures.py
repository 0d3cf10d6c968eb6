"""The error handler, and presses of buttons that are no longer understood."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from telegram import Chat, Update
from telegram.error import TelegramError

from ...errors import BotError
from ...texts import t
from ..ratelimit import ReplyDropped
from .common import lang_of, send

if TYPE_CHECKING:
    from ..context import BotContext

log = logging.getLogger(__name__)


async def on_error(update: object, context: BotContext) -> None:
    """Log the failure; tell the user one polite line (never the error text)."""
    error = context.error
    if isinstance(error, ReplyDropped):
        # The chat is flooded: its reply was dropped on purpose; telling it so would be
        # dropped as well.
        log.info("update not answered: %s", error)
        return
    if isinstance(error, BotError):
        log.warning("update failed: %s", error.__class__.__name__, exc_info=error)
    else:
        log.error("update failed", exc_info=error)
    if not isinstance(update, Update):
        return
    lang = lang_of(update, context)
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(t("error", lang))
            return
        chat = update.effective_chat
        if update.effective_message is not None and chat is not None and chat.type != Chat.CHANNEL:
            await send(context, chat.id, t("error", lang))
    except TelegramError as exc:
        log.warning("could not report the failure to the user: %s", exc.__class__.__name__)


async def press_unknown(update: Update, context: BotContext) -> None:
    """A button whose data is not ours (or too old to read): say it expired."""
    query = update.callback_query
    assert query is not None
    await query.answer(t("button_expired", lang_of(update, context)))
