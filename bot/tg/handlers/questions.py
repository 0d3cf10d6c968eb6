"""Questions: private texts, /ask, mentions and replies in groups, and the More button."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from telegram import (
    Chat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    MessageEntity,
    Update,
)

from ...answers.render import render_html
from ...errors import QuestionError
from ...texts import t
from .. import buttons
from .common import (
    asker,
    bot_username,
    command_rest,
    lang_of,
    may_ask,
    may_press,
    per_message_for,
    pressed,
    reply,
    scopes_for,
    send,
    topic_of,
)

if TYPE_CHECKING:
    from ..context import BotContext

log = logging.getLogger(__name__)


def is_reply_to_bot(context: BotContext, message: Message) -> Message | None:
    """The bot's message this one replies to, or None."""
    replied = message.reply_to_message
    if replied and replied.from_user and replied.from_user.id == context.bot.id:
        return replied
    return None


def strip_mention(context: BotContext, message: Message) -> tuple[bool, str]:
    """(addressed to the bot by a mention, text with the mention removed)."""
    text = message.text or ""
    username = bot_username(context).lower()
    mentioned = False
    kinds: list[str | None] = [MessageEntity.MENTION, MessageEntity.TEXT_MENTION]
    for entity, value in message.parse_entities(kinds).items():
        if (entity.type == MessageEntity.MENTION and value[1:].lower() == username) or (
            entity.type == MessageEntity.TEXT_MENTION
            and entity.user
            and entity.user.id == context.bot.id
        ):
            mentioned = True
            text = text.replace(value, " ", 1)
    return mentioned, " ".join(text.split())


def from_inline(context: BotContext, message: Message) -> bool:
    """True for a message posted through this bot's inline mode (never answered again)."""
    return bool(message.via_bot and message.via_bot.id == context.bot.id)


async def quoted_article(context: BotContext, message: Message) -> str | None:
    """The article a reply to one of the bot's answers stays in (None: not such a reply)."""
    replied = is_reply_to_bot(context, message)
    if replied is None:
        return None
    state = await context.messages.recall(message.chat_id, replied.message_id) or {}
    article = state.get("a")
    return article if isinstance(article, str) else None


async def ask(
    update: Update, context: BotContext, question: str, *, within: str | None = None
) -> None:
    """Check length and rate, then answer a question in the update's chat."""
    message, chat, user = update.effective_message, update.effective_chat, update.effective_user
    assert message is not None and chat is not None
    lang = lang_of(update, context)
    question = question.strip()
    if not question:
        await reply(message, t("empty_question", lang))
        return
    limit = context.config.telegram.limits.max_question_chars
    if len(question) > limit:
        await reply(message, t("too_long", lang, limit=limit))
        return
    if not await may_ask(message, lang, context.limiter, asker(message, user, chat)):
        return
    await send_answers(
        context,
        chat,
        lang,
        question,
        within=within,
        offset=0,
        reply_to=message.message_id,
        thread_id=message.message_thread_id if message.is_topic_message else None,
    )


async def send_answers(
    context: BotContext,
    chat: Chat,
    lang: str,
    question: str,
    *,
    within: str | None,
    offset: int,
    reply_to: int | None = None,
    thread_id: int | None = None,
) -> None:
    """Ask the library, render the quotes, send them with More / Full article buttons."""
    per_message = await per_message_for(context, chat.id)
    try:
        result = await asyncio.to_thread(
            context.library.ask,
            question,
            scopes=await scopes_for(context, chat),
            top=per_message + 1,
            within_article=within,
            offset=offset,
        )
    except QuestionError as exc:
        log.info("question refused: %s", exc)
        await send(context, chat.id, t("no_answer", lang), reply_to=reply_to, thread_id=thread_id)
        return
    answers = list(result.answers)
    if not answers and offset:
        await send(context, chat.id, t("no_more", lang), reply_to=reply_to, thread_id=thread_id)
        return
    shown = replace(result, answers=answers[:per_message])
    pages = render_html(shown, lang=lang, per_message=per_message)
    articles: list[str] = []
    for answer in shown.answers:
        if answer.article.id not in articles:
            articles.append(answer.article.id)
    next_offset = offset + len(shown.answers)
    # every answer returned is above the confidence threshold: 更多 only when more remain
    more = len(answers) > per_message or (result.more and len(answers) == per_message)
    markup = await answer_keyboard(
        context,
        lang,
        articles,
        more_offset=next_offset if more else None,
        search_all=not answers and within is not None and result.status == "not_found",
    )
    state = {"q": question, "w": within, "a": articles[0] if articles else None, "o": next_offset}
    for number, html in enumerate(pages):
        last = number == len(pages) - 1
        sent = await send(
            context,
            chat.id,
            html,
            markup=markup if last else None,
            reply_to=reply_to if number == 0 else None,
            thread_id=thread_id,
        )
        await context.messages.remember(sent.chat_id, sent.message_id, **state)


async def answer_keyboard(
    context: BotContext,
    lang: str,
    articles: list[str],
    *,
    more_offset: int | None,
    search_all: bool = False,
) -> InlineKeyboardMarkup | None:
    """More (next quotes) and one Full article button per quoted article; Search everything
    under a follow-up that its article could not answer."""
    spills: dict[str, str] = {}
    spill = spills.__setitem__
    row: list[InlineKeyboardButton] = []
    if search_all:
        row.append(
            InlineKeyboardButton(t("btn_search_all", lang), callback_data=buttons.pack("a", 0))
        )
    if more_offset is not None:
        row.append(
            InlineKeyboardButton(t("btn_more", lang), callback_data=buttons.pack("m", more_offset))
        )
    label = t("btn_full", lang)
    for number, article_id in enumerate(articles[:3], 1):
        text = label if len(articles) == 1 else f"{label} {number}"
        row.append(
            InlineKeyboardButton(text, callback_data=buttons.pack("f", article_id, set_meta=spill))
        )
    await context.messages.keep(spills)
    return InlineKeyboardMarkup([row]) if row else None


async def on_private_text(update: Update, context: BotContext) -> None:
    """Any text in a private chat is a question (a reply to the bot stays in its article)."""
    message = update.effective_message
    assert message is not None
    if from_inline(context, message):
        return
    await ask(update, context, message.text or "", within=await quoted_article(context, message))


async def on_group_text(update: Update, context: BotContext) -> None:
    """In groups: answer replies to the bot and mentions; stay silent on chatter."""
    message = update.effective_message
    assert message is not None
    if message.is_automatic_forward and message.sender_chat is not None:
        from .channels import link_chats

        await link_chats(context, message.chat_id, message.sender_chat.id)
        return
    if from_inline(context, message):
        return
    mentioned, text = strip_mention(context, message)
    if is_reply_to_bot(context, message) is not None:
        await ask(update, context, text, within=await quoted_article(context, message))
    elif mentioned:
        await ask(update, context, text)


async def cmd_ask(update: Update, context: BotContext) -> None:
    """/ask question (groups, and private chats too)."""
    message = update.effective_message
    assert message is not None
    await ask(update, context, command_rest(message), within=await quoted_article(context, message))


async def press_more(update: Update, context: BotContext) -> None:
    """More: the next quotes of the question the pressed message answered."""
    press = await pressed(update, context)
    if press is None:
        return
    query, message, lang = press.query, press.message, press.lang
    state = await context.messages.recall(message.chat.id, message.message_id)
    if not state or not state.get("q"):
        await query.answer(t("button_expired", lang), show_alert=True)
        return
    if not await may_press(query, lang, context.limiter):
        return
    await query.answer()
    await send_answers(
        context,
        message.chat,
        lang,
        state["q"],
        within=state.get("w"),
        offset=more_offset(state),
        thread_id=topic_of(message),
    )


#: The furthest "More" goes (quotes already shown); each further one costs a larger search.
MAX_MORE_OFFSET = 60


def more_offset(state: dict[str, Any]) -> int:
    """Where More continues: the quotes the pressed message had actually shown (kept with
    it when it was sent), never a number from the button, which a client can forge."""
    shown = state.get("o")
    if isinstance(shown, bool) or not isinstance(shown, int):
        return 0
    return max(0, min(shown, MAX_MORE_OFFSET))


async def press_search_all(update: Update, context: BotContext) -> None:
    """Search everything: the follow-up's question, asked of every article the chat reads."""
    press = await pressed(update, context, alert=True)
    if press is None:
        return
    query, message, lang = press.query, press.message, press.lang
    state = await context.messages.recall(message.chat.id, message.message_id)
    if not state or not isinstance(state.get("q"), str):
        await query.answer(t("button_expired", lang), show_alert=True)
        return
    if not await may_press(query, lang, context.limiter):
        return
    await query.answer()
    await send_answers(
        context, message.chat, lang, state["q"], within=None, offset=0, thread_id=topic_of(message)
    )
