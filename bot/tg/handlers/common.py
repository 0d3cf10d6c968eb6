"""What every handler module uses: language, scopes, sending, command text, admin checks.

Every message the bot sends or edits goes through ``reply``, ``send`` or ``edit`` here, and so
through one length guard (``markup.fit_html``): a text over Telegram's 4,096 units is cut at a
safe place instead of failing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from telegram import (
    CallbackQuery,
    Chat,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    MaybeInaccessibleMessage,
    Message,
    MessageEntity,
    ReplyParameters,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest

from ...answers.markup import fit_html
from ...models import SHARED_SCOPE, chat_scope
from ...texts import pick_language, t
from ..ratelimit import QuestionLimiter

if TYPE_CHECKING:
    from ..buttons import Button
    from ..context import BotApplication, BotContext

NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
HTML = ParseMode.HTML
GROUPS = (Chat.GROUP, Chat.SUPERGROUP)


def lang_of(update: Update, context: BotContext) -> str:
    """The interface language of whoever sent the update."""
    user = update.effective_user
    return pick_language(
        user.language_code if user else None, context.config.telegram.default_language
    )


async def scopes_for(context: BotContext, chat: Chat) -> set[str]:
    """The scopes a chat's answers cover, from its settings (plus a linked channel)."""
    settings = await context.chat_settings.get(chat.id)
    own = {chat_scope(chat.id)}
    if chat.type in GROUPS and settings.linked_chat_id is not None:
        own.add(chat_scope(settings.linked_chat_id))
    if settings.corpus == "shared":
        return {SHARED_SCOPE}
    if settings.corpus == "own":
        return own
    return own | {SHARED_SCOPE}


async def per_message_for(context: BotContext, chat_id: int) -> int:
    """Quotes per answer message in this chat (its setting, else the configured default)."""
    settings = await context.chat_settings.get(chat_id)
    return settings.per_message or context.config.answers.per_message


async def reply(
    message: Message, text: str, *, markup: InlineKeyboardMarkup | None = None, quote: bool = True
) -> Message:
    """Reply in the message's chat (and topic) with HTML, link previews off."""
    return await message.reply_text(
        fit_html(text),
        parse_mode=HTML,
        link_preview_options=NO_PREVIEW,
        reply_markup=markup,
        reply_parameters=ReplyParameters(message.message_id, allow_sending_without_reply=True)
        if quote
        else None,
        do_quote=None if quote else False,
    )


async def send(
    context: BotContext | BotApplication,
    chat_id: int,
    text: str,
    *,
    markup: InlineKeyboardMarkup | None = None,
    reply_to: int | None = None,
    thread_id: int | None = None,
) -> Message:
    """Send an HTML message (link previews off) to a chat, optionally as a reply / in a topic;
    from a handler (its context) or a job (the application)."""
    return await context.bot.send_message(
        chat_id,
        fit_html(text),
        parse_mode=HTML,
        link_preview_options=NO_PREVIEW,
        reply_markup=markup,
        message_thread_id=thread_id,
        reply_parameters=ReplyParameters(reply_to, allow_sending_without_reply=True)
        if reply_to
        else None,
    )


async def edit(message: Any, text: str, markup: InlineKeyboardMarkup | None) -> None:
    """Edit a message's text and keyboard ("message is not modified" is not an error)."""
    try:
        await message.edit_text(
            fit_html(text), parse_mode=HTML, link_preview_options=NO_PREVIEW, reply_markup=markup
        )
    except BadRequest as exc:
        if "not modified" not in str(exc).lower():
            raise


def bot_username(context: BotContext) -> str:
    """The bot's username (without @)."""
    return context.bot.username or "bot"


def parse_command(text: str | None) -> tuple[str, str]:
    """(command name, addressed bot) of a ``/command[@bot] ...`` text, both lower case;
    ("", "") when the text is not a command."""
    text = (text or "").strip()
    if not text.startswith("/"):
        return "", ""
    name, _, target = text.split(maxsplit=1)[0][1:].partition("@")
    return name.lower(), target.lower()


def for_another_bot(context: BotContext, target: str) -> bool:
    """True when a command names a bot (``/cmd@other``) that is not this one."""
    return bool(target) and target != bot_username(context).lower()


def command_rest(message: Message) -> str:
    """The text after the leading /command[@bot] (original spacing kept)."""
    text = message.text or message.caption or ""
    entities = message.entities or message.caption_entities
    if entities and entities[0].type == MessageEntity.BOT_COMMAND and entities[0].offset == 0:
        units = text.encode("utf-16-le")[: entities[0].length * 2]
        return text[len(units.decode("utf-16-le")) :].strip()
    parts = text.split(maxsplit=1)
    return parts[1].strip() if len(parts) > 1 else ""


def one_line(exc: BaseException) -> str:
    """An exception's text on one line, at most 300 characters."""
    return " ".join(str(exc).split())[:300]


async def is_admin(update: Update, context: BotContext) -> bool:
    """True when the update's sender may administer its chat (see AdminCheck)."""
    chat, message = update.effective_chat, update.effective_message
    assert chat is not None
    linked = (await context.chat_settings.get(chat.id)).linked_chat_id
    return await context.admins.is_admin(
        context.bot,
        chat,
        update.effective_user,
        message.sender_chat if message else None,
        linked_chat_id=linked,
    )


async def refuse_unless_admin(update: Update, context: BotContext) -> bool:
    """True (after a one-line refusal) when the sender may not administer this chat."""
    if await is_admin(update, context):
        return False
    assert update.effective_message is not None
    await reply(update.effective_message, t("not_admin", lang_of(update, context)))
    return True


def topic_of(message: object) -> int | None:
    """The forum topic a (pressed) message is in; None outside topics or when inaccessible."""
    if isinstance(message, Message) and message.is_topic_message:
        return message.message_thread_id
    return None


@dataclass(frozen=True)
class Press:
    """A pressed button of ours, decoded, with the message it is on and the presser's language."""

    query: CallbackQuery
    button: Button
    message: MaybeInaccessibleMessage
    lang: str


async def pressed(update: Update, context: BotContext, *, alert: bool = False) -> Press | None:
    """The press behind a callback query; None (after a "button expired" answer, as an alert
    when ``alert``) when its data can no longer be read or its message is gone."""
    query = update.callback_query
    assert query is not None
    lang = lang_of(update, context)
    button = await context.pressed(query.data)
    if button is None or query.message is None:
        await query.answer(t("button_expired", lang), show_alert=True if alert else None)
        return None
    return Press(query, button, query.message, lang)


def asker(message: Message, user: Any, chat: Chat) -> int:
    """Whose question budget (or daily upload quota) a message spends: anonymous admins and
    channel identities all send as one shared placeholder account (GroupAnonymousBot,
    Channel_Bot), so the chat they post as (``sender_chat``) is the asker; otherwise the user."""
    if message.sender_chat is not None:
        return message.sender_chat.id
    return int(user.id) if user else chat.id


async def may_ask(message: Message, lang: str, limiter: QuestionLimiter, who: int) -> bool:
    """True when ``who``'s question budget allows one more; else False, after one "slow down"
    reply per window (the rest are dropped silently: a flood of notices would only wait for
    the group's message limit)."""
    wait = limiter.hit(who)
    if not wait:
        return True
    if limiter.notice_due(who):
        await reply(message, t("rate_limited", lang, seconds=limiter.seconds_text(wait)))
    return False


async def may_press(query: CallbackQuery, lang: str, limiter: QuestionLimiter) -> bool:
    """True when the presser's budget allows the press; else a toast on the button says when
    to try again (nothing is posted in the chat) and False."""
    wait = limiter.hit(query.from_user.id)
    if wait:
        await query.answer(t("rate_limited", lang, seconds=limiter.seconds_text(wait)))
        return False
    return True


async def admin_pressing(update: Update, context: BotContext, lang: str) -> Chat | None:
    """The chat of a pressed admin-only button, or None after telling a non-admin no."""
    query = update.callback_query
    assert query is not None and query.message is not None
    chat = query.message.chat
    if not await context.admins.is_admin(context.bot, chat, query.from_user):
        await query.answer(t("not_admin", lang), show_alert=True)
        return None
    return chat
