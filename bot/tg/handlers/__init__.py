"""Telegram handlers: thin wrappers that turn updates into ``Library`` calls and replies.

State that buttons and follow-ups need is kept in the store's meta table keyed by chat and
message id (``msg:<chat id>:<message id>``), never per user, so it survives restarts; the
oldest rows are pruned now and then (``KEEP_MSG_ROWS``, ``KEEP_CB_ROWS``, ``KEEP_EDIT_ROWS``).
Store reads and writes that may wait on SQLite run in a thread (``asyncio.to_thread``), never
on the loop.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from dataclasses import replace
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

from telegram import (
    Chat,
    ChatMember,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    LinkPreviewOptions,
    Message,
    MessageEntity,
    ReplyParameters,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, TelegramError
from telegram.ext import (
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    InlineQueryHandler,
    MessageHandler,
    filters,
)

from .. import buttons
from ...errors import ArticleError, BotError, QuestionError, StoreError
from ...answers.markup import esc
from ...texts import pick_language, t
from ...models import SHARED_SCOPE, Article, chat_scope
from ...answers.markup import utf16_len
from ...answers.render import attribution_html, format_date, render_html
from ...store import ArticleStore

if TYPE_CHECKING:
    from ..context import BotApplication, BotContext

log = logging.getLogger(__name__)

NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
HTML = ParseMode.HTML
DOCUMENT_SUFFIXES = {".txt", ".html", ".htm", ".md", ".json", ".jsonl"}
LIST_PAGE = 10
PAGE_UNITS = 3900          # article page body; the footer keeps the message under 4096
INLINE_RESULTS = 10
INLINE_CACHE_SECONDS = 30
ADMIN_COMMANDS = ("add", "remove", "list", "settings")
GROUPS = (Chat.GROUP, Chat.SUPERGROUP)

# The meta table gets a ``msg:`` row per message the bot sends (what it answered, for its
# buttons and reply follow-ups) and a ``cb:`` row per spilled button. Without pruning it grows
# for ever; a message whose row is pruned only loses its buttons ("expired"), so keeping the
# newest rows is enough: 50,000 messages is weeks of a busy bot, spilled buttons are rarer.
# Pruning costs one indexed DELETE, so it runs every PRUNE_EVERY writes, not on each one.
PRUNE_EVERY = 500
KEEP_MSG_ROWS = 50_000
KEEP_CB_ROWS = 20_000
# The last applied edit date per channel post: only posts edited again much later than tens
# of thousands of other posts lose the protection against an older edit arriving late.
KEEP_EDIT_ROWS = 50_000


# -- small helpers -------------------------------------------------------------------------

def lang_of(update: Update, context: "BotContext") -> str:
    """The interface language of whoever sent the update."""
    user = update.effective_user
    return pick_language(user.language_code if user else None, context.config.telegram.default_language)


def scopes_for(context: "BotContext", chat: Chat) -> set[str]:
    """The scopes a chat's answers cover, from its settings (plus a linked channel)."""
    settings = context.library.store.chat_settings(chat.id)
    own = {chat_scope(chat.id)}
    if chat.type in GROUPS and settings.linked_chat_id is not None:
        own.add(chat_scope(settings.linked_chat_id))
    if settings.corpus == "shared":
        return {SHARED_SCOPE}
    if settings.corpus == "own":
        return own
    return own | {SHARED_SCOPE}


def per_message_for(context: "BotContext", chat_id: int) -> int:
    """Quotes per answer message in this chat (its setting, else the configured default)."""
    settings = context.library.store.chat_settings(chat_id)
    return settings.per_message or context.config.answers.per_message


def _msg_key(chat_id: int, message_id: int) -> str:
    """The meta key holding the state of one bot message."""
    return f"msg:{chat_id}:{message_id}"


def _write_meta(store: ArticleStore, rows: dict[str, str], prune: bool) -> None:
    """Write meta rows; with ``prune``, drop all but the newest msg:/cb:/edit: rows (in a thread)."""
    for key, value in rows.items():
        store.set_meta(key, value)
    if prune:
        removed = (store.prune_meta("msg:", KEEP_MSG_ROWS) + store.prune_meta("cb:", KEEP_CB_ROWS)
                   + store.prune_meta("edit:", KEEP_EDIT_ROWS))
        if removed:
            log.info("pruned %d old button-state rows", removed)


async def keep_meta(context: "BotContext", rows: dict[str, str]) -> None:
    """Write button state off the event loop, pruning old rows every PRUNE_EVERY writes.
    Best effort: on a full disk the answer has been sent already; only its buttons expire."""
    if not rows:
        return
    data = context.bot_data
    data.meta_writes += len(rows)
    prune = data.meta_writes >= PRUNE_EVERY
    if prune:
        data.meta_writes = 0
    try:
        await asyncio.to_thread(_write_meta, context.library.store, rows, prune)
    except StoreError as exc:
        log.warning("button state not kept: %s", exc)


async def remember(context: "BotContext", message: Message, **state: Any) -> None:
    """Keep what a bot message answered/quoted, for its buttons and reply follow-ups."""
    await keep_meta(context, {_msg_key(message.chat_id, message.message_id): json.dumps(state, ensure_ascii=False)})


async def recall(context: "BotContext", chat_id: int, message_id: int) -> dict[str, Any] | None:
    """The state remembered for a bot message, or None (never answered, or pruned)."""
    raw = await asyncio.to_thread(context.library.store.get_meta, _msg_key(chat_id, message_id))
    return json.loads(raw) if raw else None


async def reply(message: Message, text: str, *, markup: InlineKeyboardMarkup | None = None,
                quote: bool = True) -> Message:
    """Reply in the message's chat (and topic) with HTML, link previews off."""
    return await message.reply_text(
        text, parse_mode=HTML, link_preview_options=NO_PREVIEW, reply_markup=markup,
        reply_parameters=ReplyParameters(message.message_id, allow_sending_without_reply=True)
        if quote else None,
        do_quote=None if quote else False,
    )


async def send(context: "BotContext", chat_id: int, text: str, *,
               markup: InlineKeyboardMarkup | None = None, reply_to: int | None = None,
               thread_id: int | None = None) -> Message:
    """Send an HTML message (link previews off) to a chat, optionally as a reply / in a topic."""
    return await context.bot.send_message(
        chat_id, text, parse_mode=HTML, link_preview_options=NO_PREVIEW, reply_markup=markup,
        message_thread_id=thread_id,
        reply_parameters=ReplyParameters(reply_to, allow_sending_without_reply=True) if reply_to else None,
    )


def _bot_username(context: "BotContext") -> str:
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


def _for_another_bot(context: "BotContext", target: str) -> bool:
    """True when a command names a bot (``/cmd@other``) that is not this one."""
    return bool(target) and target != _bot_username(context).lower()


def _command_rest(message: Message) -> str:
    """The text after the leading /command[@bot] (original spacing kept)."""
    text = message.text or message.caption or ""
    entities = message.entities or message.caption_entities
    if entities and entities[0].type == MessageEntity.BOT_COMMAND and entities[0].offset == 0:
        units = text.encode("utf-16-le")[: entities[0].length * 2]
        return text[len(units.decode("utf-16-le")):].strip()
    return text.split(maxsplit=1)[1].strip() if len(text.split(maxsplit=1)) > 1 else ""


def _is_reply_to_bot(context: "BotContext", message: Message) -> Message | None:
    """The bot's message this one replies to, or None."""
    replied = message.reply_to_message
    if replied and replied.from_user and replied.from_user.id == context.bot.id:
        return replied
    return None


def _strip_mention(context: "BotContext", message: Message) -> tuple[bool, str]:
    """(addressed to the bot by a mention, text with the mention removed)."""
    text = message.text or ""
    username = _bot_username(context).lower()
    mentioned = False
    for entity, value in message.parse_entities([MessageEntity.MENTION, MessageEntity.TEXT_MENTION]).items():
        if (entity.type == MessageEntity.MENTION and value[1:].lower() == username) or (
                entity.type == MessageEntity.TEXT_MENTION and entity.user and entity.user.id == context.bot.id):
            mentioned = True
            text = text.replace(value, " ", 1)
    return mentioned, " ".join(text.split())


def _from_inline(context: "BotContext", message: Message) -> bool:
    """True for a message posted through this bot's inline mode (never answered again)."""
    return bool(message.via_bot and message.via_bot.id == context.bot.id)


async def _is_admin(update: Update, context: "BotContext") -> bool:
    """True when the update's sender may administer its chat (see AdminCheck)."""
    chat, message = update.effective_chat, update.effective_message
    assert chat is not None
    linked = context.library.store.chat_settings(chat.id).linked_chat_id
    return await context.admins.is_admin(context.bot, chat, update.effective_user,
                                         message.sender_chat if message else None,
                                         linked_chat_id=linked)


# -- questions --------------------------------------------------------------------------------

async def ask(update: Update, context: "BotContext", question: str, *, within: str | None = None) -> None:
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
    wait = context.limiter.hit(_asker(message, user, chat))
    if wait:
        await reply(message, t("rate_limited", lang, seconds=context.limiter.seconds_text(wait)))
        return
    await send_answers(context, chat, lang, question, within=within, offset=0,
                       reply_to=message.message_id, thread_id=message.message_thread_id
                       if message.is_topic_message else None)


def _asker(message: Message, user: Any, chat: Chat) -> int:
    """Whose question budget a message spends: anonymous admins and channel identities all
    send as one shared placeholder account (GroupAnonymousBot, Channel_Bot), so the chat they
    post as (``sender_chat``) is the asker; otherwise the user."""
    if message.sender_chat is not None:
        return message.sender_chat.id
    return user.id if user else chat.id


async def send_answers(context: "BotContext", chat: Chat, lang: str, question: str, *,
                       within: str | None, offset: int, reply_to: int | None = None,
                       thread_id: int | None = None) -> None:
    """Ask the library, render the quotes, send them with More / Full article buttons."""
    per_message = per_message_for(context, chat.id)
    try:
        result = await asyncio.to_thread(
            context.library.ask, question, scopes=scopes_for(context, chat), top=per_message + 1,
            within_article=within, offset=offset)
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
    markup = await answer_keyboard(context, lang, articles,
                                   more_offset=next_offset if len(answers) > per_message else None)
    state = {"q": question, "w": within, "a": articles[0] if articles else None, "o": next_offset}
    for number, html in enumerate(pages):
        last = number == len(pages) - 1
        sent = await send(context, chat.id, html, markup=markup if last else None,
                          reply_to=reply_to if number == 0 else None, thread_id=thread_id)
        await remember(context, sent, **state)


async def answer_keyboard(context: "BotContext", lang: str, articles: list[str], *,
                          more_offset: int | None) -> InlineKeyboardMarkup | None:
    """More (next quotes) and one Full article button per quoted article."""
    spills: dict[str, str] = {}
    spill = spills.__setitem__
    row: list[InlineKeyboardButton] = []
    if more_offset is not None:
        row.append(InlineKeyboardButton(t("btn_more", lang), callback_data=buttons.pack("m", more_offset)))
    label = t("btn_full", lang)
    for number, article_id in enumerate(articles[:3], 1):
        text = label if len(articles) == 1 else f"{label} {number}"
        row.append(InlineKeyboardButton(text, callback_data=buttons.pack("f", article_id, set_meta=spill)))
    await keep_meta(context, spills)
    return InlineKeyboardMarkup([row]) if row else None


async def on_private_text(update: Update, context: "BotContext") -> None:
    """Any text in a private chat is a question (a reply to the bot stays in its article)."""
    message = update.effective_message
    assert message is not None
    if _from_inline(context, message):
        return
    within = None
    replied = _is_reply_to_bot(context, message)
    if replied is not None:
        within = (await recall(context, message.chat_id, replied.message_id) or {}).get("a")
    await ask(update, context, message.text or "", within=within)


async def on_group_text(update: Update, context: "BotContext") -> None:
    """In groups: answer replies to the bot and mentions; stay silent on chatter."""
    message = update.effective_message
    assert message is not None
    if message.is_automatic_forward and message.sender_chat is not None:
        await link_chats(context, message.chat_id, message.sender_chat.id)
        return
    if _from_inline(context, message):
        return
    mentioned, text = _strip_mention(context, message)
    replied = _is_reply_to_bot(context, message)
    if replied is not None:
        within = (await recall(context, message.chat_id, replied.message_id) or {}).get("a")
        await ask(update, context, text, within=within)
    elif mentioned:
        await ask(update, context, text)


async def cmd_ask(update: Update, context: "BotContext") -> None:
    """/ask question (groups, and private chats too)."""
    message = update.effective_message
    assert message is not None
    within = None
    replied = _is_reply_to_bot(context, message)
    if replied is not None:
        within = (await recall(context, message.chat_id, replied.message_id) or {}).get("a")
    await ask(update, context, _command_rest(message), within=within)


# -- start / help / about ----------------------------------------------------------------------

async def cmd_start(update: Update, context: "BotContext") -> None:
    """/start, with deep-link payloads: ``art_<article id>`` opens that article (the link
    under every inline result, ``_full_article_link``)."""
    message, chat = update.effective_message, update.effective_chat
    assert message is not None and chat is not None
    lang = lang_of(update, context)
    payload = context.args[0] if context.args else ""
    if payload.startswith("art_"):
        await send_article_page(context, chat, lang, payload[4:], 0, reply_to=message.message_id)
        return
    await reply(message, t("start", lang), quote=False)


async def cmd_help(update: Update, context: "BotContext") -> None:
    """/help: short usage with examples."""
    assert update.effective_message is not None
    await reply(update.effective_message, t("help", lang_of(update, context), bot=esc(_bot_username(context))),
                quote=False)


async def cmd_about(update: Update, context: "BotContext") -> None:
    """/about: how many articles the chat's corpus holds, their sources, the newest date."""
    message, chat = update.effective_message, update.effective_chat
    assert message is not None and chat is not None
    lang = lang_of(update, context)
    stats = await asyncio.to_thread(context.library.stats, scopes_for(context, chat))
    sources = "、".join(f"{esc(name)} ({count})" for name, count in stats.sources[:8]) or t("none", lang)
    if len(stats.sources) > 8:
        sources += " …"
    await reply(message, t("about", lang, articles=stats.articles, paragraphs=stats.paragraphs,
                           sources=sources, newest=esc(_newest(stats.newest_date) or t("unknown", lang))),
                quote=False)


def _newest(iso: str | None) -> str | None:
    """The corpus's newest date as articles show theirs (``render.format_date``)."""
    return format_date(Article(id="newest", date=iso)) if iso else None


# -- full article pages ------------------------------------------------------------------------

def article_pages(article: Article, lang: str, limit: int = PAGE_UNITS) -> list[str]:
    """The article as HTML pages of at most ``limit`` UTF-16 units, split between paragraphs."""
    blocks = [attribution_html(article, lang=lang)]
    for paragraph in article.paragraphs:
        text = paragraph.text.strip()
        if not text:
            continue
        blocks.extend(_split_escaped(text, limit - 10, bold=paragraph.kind == "heading"))
    pages: list[str] = []
    current = ""
    for block in blocks:
        candidate = f"{current}\n\n{block}" if current else block
        if current and utf16_len(candidate) > limit:
            pages.append(current)
            current = block
        else:
            current = candidate
    if current:
        pages.append(current)
    return pages


def _split_escaped(text: str, limit: int, *, bold: bool) -> list[str]:
    """Escape ``text``, cutting it into pieces whose HTML fits ``limit`` units."""
    pieces: list[str] = []
    current = ""
    for char in text:
        piece = esc(char)
        if utf16_len(current) + utf16_len(piece) > limit:
            pieces.append(current)
            current = ""
        current += piece
    if current:
        pieces.append(current)
    return [f"<b>{p}</b>" for p in pieces] if bold else pieces


def _article_visible(context: "BotContext", chat: Chat, article_id: str) -> bool:
    """True when the article belongs to a scope this chat may read."""
    scope = context.library.scope_of(article_id)
    return scope is not None and (scope == SHARED_SCOPE or scope in scopes_for(context, chat)
                                  or scope == chat_scope(chat.id))


async def _page_markup(context: "BotContext", lang: str, article_id: str, page: int, pages: int
                       ) -> InlineKeyboardMarkup | None:
    """Previous / next page buttons of a Full article message."""
    spills: dict[str, str] = {}
    spill = spills.__setitem__
    row = []
    if page > 0:
        row.append(InlineKeyboardButton(t("btn_prev", lang),
                                        callback_data=buttons.pack("p", article_id, page - 1, set_meta=spill)))
    if page < pages - 1:
        row.append(InlineKeyboardButton(t("btn_next", lang),
                                        callback_data=buttons.pack("p", article_id, page + 1, set_meta=spill)))
    await keep_meta(context, spills)
    return InlineKeyboardMarkup([row]) if row else None


def _page_text(pages: list[str], page: int, lang: str) -> str:
    """One page's HTML with its "page n of m" footer."""
    text = pages[page]
    if len(pages) > 1:
        text += "\n\n<i>" + esc(t("page_of", lang, page=page + 1, pages=len(pages))) + "</i>"
    return text


async def send_article_page(context: "BotContext", chat: Chat, lang: str, article_id: str, page: int, *,
                            reply_to: int | None = None, edit: Message | None = None,
                            thread_id: int | None = None) -> None:
    """Send (or edit ``edit`` into) one page of an article, with prev/next buttons."""
    article = (await asyncio.to_thread(context.library.get_article, article_id)
               if _article_visible(context, chat, article_id) else None)
    if article is None:
        await send(context, chat.id, t("article_missing", lang), reply_to=reply_to, thread_id=thread_id)
        return
    pages = article_pages(article, lang)
    page = max(0, min(page, len(pages) - 1))
    text = _page_text(pages, page, lang)
    markup = await _page_markup(context, lang, article.id, page, len(pages))
    if edit is not None:
        try:
            await edit.edit_text(text, parse_mode=HTML, link_preview_options=NO_PREVIEW, reply_markup=markup)
        except BadRequest as exc:
            if "not modified" not in str(exc).lower():
                raise
        return
    sent = await send(context, chat.id, text, markup=markup, reply_to=reply_to, thread_id=thread_id)
    await remember(context, sent, a=article.id)


# -- buttons ---------------------------------------------------------------------------------

async def on_button(update: Update, context: "BotContext") -> None:
    """Inline keyboard presses: More, Full article, article pages, /list pages, settings."""
    query = update.callback_query
    assert query is not None
    lang = lang_of(update, context)
    button = await asyncio.to_thread(buttons.unpack, query.data, get_meta=context.library.store.get_meta)
    message = query.message
    if button is None or message is None:
        await query.answer(t("button_expired", lang))
        return
    chat = message.chat
    accessible = isinstance(message, Message)
    thread_id = message.message_thread_id if accessible and message.is_topic_message else None
    if button.kind == "m":
        await _press_more(update, context, button, lang, thread_id)
    elif button.kind == "f":
        await query.answer()
        await send_article_page(context, chat, lang, button.arg(0), 0, thread_id=thread_id)
    elif button.kind == "p":
        await query.answer()
        await send_article_page(context, chat, lang, button.arg(0), button.int_arg(1),
                                edit=message if accessible else None)
    elif button.kind == "l":
        await _press_list_page(update, context, button, lang)
    elif button.kind == "s":
        await settings_button(update, context, button, lang)
    else:  # pragma: no cover - unpack() only returns known kinds
        await query.answer()


async def _press_more(update: Update, context: "BotContext", button: buttons.Button, lang: str,
                      thread_id: int | None) -> None:
    """More: the next quotes of the question the pressed message answered."""
    query = update.callback_query
    assert query is not None and query.message is not None
    chat = query.message.chat
    state = await recall(context, chat.id, query.message.message_id)
    if not state or not state.get("q"):
        await query.answer(t("button_expired", lang), show_alert=True)
        return
    await query.answer()
    wait = context.limiter.hit(query.from_user.id)
    if wait:
        await send(context, chat.id, t("rate_limited", lang, seconds=context.limiter.seconds_text(wait)))
        return
    await send_answers(context, chat, lang, state["q"], within=state.get("w"),
                       offset=button.int_arg(0, state.get("o", 0)), thread_id=thread_id)


async def _admin_pressing(update: Update, context: "BotContext", lang: str) -> Chat | None:
    """The chat of a pressed admin-only button, or None after telling a non-admin no."""
    query = update.callback_query
    assert query is not None and query.message is not None
    chat = query.message.chat
    if not await context.admins.is_admin(context.bot, chat, query.from_user):
        await query.answer(t("not_admin", lang), show_alert=True)
        return None
    return chat


async def _press_list_page(update: Update, context: "BotContext", button: buttons.Button, lang: str) -> None:
    """/list paging (admins only): edit the pressed message to another page."""
    query = update.callback_query
    chat = await _admin_pressing(update, context, lang)
    if chat is None:
        return
    await query.answer()
    text, markup = list_page(context, chat, lang, button.int_arg(0))
    if isinstance(query.message, Message):
        await _edit(query.message, text, markup)


async def _edit(message: Any, text: str, markup: InlineKeyboardMarkup | None) -> None:
    """Edit a message's text and keyboard ("message is not modified" is not an error)."""
    try:
        await message.edit_text(text, parse_mode=HTML, link_preview_options=NO_PREVIEW, reply_markup=markup)
    except BadRequest as exc:
        if "not modified" not in str(exc).lower():
            raise


# -- admin: /add /remove /list -----------------------------------------------------------------

async def _refuse_unless_admin(update: Update, context: "BotContext") -> bool:
    """True (after a one-line refusal) when the sender may not administer this chat."""
    if await _is_admin(update, context):
        return False
    assert update.effective_message is not None
    await reply(update.effective_message, t("not_admin", lang_of(update, context)))
    return True


async def cmd_add(update: Update, context: "BotContext") -> None:
    """/add: as the caption of a document, or as a reply to a document or an article text."""
    message = update.effective_message
    assert message is not None
    if await _refuse_unless_admin(update, context):
        return
    lang = lang_of(update, context)
    if message.document is not None:
        await add_document(update, context, message)
        return
    source = message.reply_to_message
    if source is not None and source.document is not None:
        await add_document(update, context, source)
    elif source is not None and (source.text or source.caption):
        await add_text(update, context, source)
    elif _command_rest(message) and len(_command_rest(message)) > 40:
        await add_text(update, context, message, text=_command_rest(message))
    else:
        await reply(message, t("add_usage", lang))


async def on_document(update: Update, context: "BotContext") -> None:
    """A document in a private chat, or with an /add caption anywhere, is added."""
    message, chat = update.effective_message, update.effective_chat
    assert message is not None and chat is not None
    name, target = parse_command(message.caption)
    if name == "add" and not _for_another_bot(context, target):
        await cmd_add(update, context)
    elif chat.type == Chat.PRIVATE and not name:
        await cmd_add(update, context)


async def add_document(update: Update, context: "BotContext", holder: Message) -> None:
    """Check type and size, download, parse, add."""
    message, chat = update.effective_message, update.effective_chat
    assert message is not None and chat is not None and holder.document is not None
    lang = lang_of(update, context)
    document = holder.document
    name = document.file_name or "document.txt"
    if PurePath(name).suffix.lower() not in DOCUMENT_SUFFIXES:
        await reply(message, t("add_bad_type", lang))
        return
    limit = context.config.telegram.limits.max_document_bytes
    if document.file_size is not None and document.file_size > limit:
        await reply(message, t("add_too_big", lang, limit=_size(limit)))
        return
    if await _chat_full(update, context):
        return
    file = await context.bot.get_file(document.file_id)
    data = bytes(await file.download_as_bytearray())
    if len(data) > limit:
        await reply(message, t("add_too_big", lang, limit=_size(limit)))
        return
    from ...ingest.parsing import parse_bytes

    try:
        articles = await asyncio.to_thread(parse_bytes, data, name=name, max_bytes=limit)
    except ArticleError as exc:
        await reply(message, t("add_failed", lang, error=esc(_one_line(exc))))
        return
    await store_articles(update, context, articles)


async def add_text(update: Update, context: "BotContext", holder: Message, *, text: str | None = None) -> None:
    """Parse a message's text as an article and add it."""
    message = update.effective_message
    assert message is not None
    lang = lang_of(update, context)
    if await _chat_full(update, context):
        return
    from ...ingest.parsing import parse_text

    body = text or holder.text or holder.caption or ""
    try:
        article = await asyncio.to_thread(parse_text, body, origin=f"message {holder.message_id}")
    except ArticleError as exc:
        await reply(message, t("add_failed", lang, error=esc(_one_line(exc))))
        return
    await store_articles(update, context, [article])


def _one_line(exc: BaseException) -> str:
    """An exception's text on one line, at most 300 characters."""
    return " ".join(str(exc).split())[:300]


def _size(limit: int) -> str:
    """A byte limit for people (``1.0 MB``)."""
    return f"{limit / 1_000_000:.1f} MB" if limit >= 100_000 else f"{limit} B"


async def _chat_full(update: Update, context: "BotContext") -> bool:
    """True (after saying so) when the chat holds its maximum of articles: an early check
    before downloading; ``store_articles`` checks again under the chat's lock."""
    chat, message = update.effective_chat, update.effective_message
    assert chat is not None and message is not None
    limit = context.config.telegram.limits.max_articles_per_chat
    if context.library.count_articles(chat_scope(chat.id)) >= limit:
        await reply(message, t("add_full", lang_of(update, context), limit=limit))
        return True
    return False


async def store_articles(update: Update, context: "BotContext", articles: list[Article]) -> None:
    """Add parsed articles to the chat's scope (up to the limit) and show what was found."""
    chat, message = update.effective_chat, update.effective_message
    assert chat is not None and message is not None
    lang = lang_of(update, context)
    scope = chat_scope(chat.id)
    limit = context.config.telegram.limits.max_articles_per_chat
    added = []
    not_saved = 0
    # Check and add under the chat's lock: concurrent /adds must not both see room for one.
    async with context.chat_lock(chat.id):
        room = max(0, limit - await asyncio.to_thread(context.library.count_articles, scope))
        for position, article in enumerate(articles[:room]):
            try:
                added.append(await asyncio.to_thread(context.library.add_article, article, scope))
            except StoreError as exc:  # disk full, read-only or damaged store: nothing half-stored
                log.error("/add in chat %s not saved: %s", chat.id, exc)
                not_saved = len(articles[:room]) - position
                break
    lines = [describe_article(a, lang) for a in added[:5]]
    if len(added) > 5:
        lines.append(t("added_more", lang, count=len(added) - 5))
    if not_saved:
        lines.append(t("add_not_saved", lang, count=not_saved))
    if len(articles) > room:
        lines.append(t("add_full", lang, limit=limit))
    await reply(message, "\n\n".join(lines))


def describe_article(article: Article, lang: str) -> str:
    """What /add found in an article: title, source, reporters, date, id."""
    unknown = t("unknown", lang)
    return t("added", lang, title=esc(article.title or t("untitled", lang)),
             source=esc(article.source or unknown),
             reporters=esc("、".join(article.reporters) or unknown),
             date=esc(format_date(article) or unknown), id=esc(article.id))


async def cmd_remove(update: Update, context: "BotContext") -> None:
    """/remove ID: remove one of this chat's articles."""
    message, chat = update.effective_message, update.effective_chat
    assert message is not None and chat is not None
    if await _refuse_unless_admin(update, context):
        return
    lang = lang_of(update, context)
    if not context.args:
        await reply(message, t("remove_usage", lang))
        return
    article_id = context.args[0]
    if not context.library.writable:
        await reply(message, t("store_read_only", lang))
        return
    try:
        removed = await asyncio.to_thread(context.library.remove_article, article_id, chat_scope(chat.id))
    except StoreError as exc:
        log.error("/remove in chat %s refused: %s", chat.id, exc)
        await reply(message, t("store_read_only", lang))
        return
    await reply(message, t("removed" if removed else "not_found", lang, id=esc(article_id)))


def list_page(context: "BotContext", chat: Chat, lang: str, offset: int) -> tuple[str, InlineKeyboardMarkup | None]:
    """One page of the chat's own articles, with prev/next buttons."""
    scope = chat_scope(chat.id)
    total = context.library.count_articles(scope)
    if total == 0:
        return t("list_empty", lang), None
    offset = max(0, min(offset, (total - 1) // LIST_PAGE * LIST_PAGE))
    articles = context.library.list_articles(scope, offset=offset, limit=LIST_PAGE)
    lines = [t("list_head", lang, first=offset + 1, last=offset + len(articles), total=total)]
    for article in articles:
        extra = " · ".join(esc(x) for x in (article.source, format_date(article)) if x)
        title = esc((article.title or t("untitled", lang))[:80])
        lines.append(f"<code>{esc(article.id)}</code> {title}" + (f" — {extra}" if extra else ""))
    row = []
    if offset > 0:
        row.append(InlineKeyboardButton(t("btn_prev", lang), callback_data=buttons.pack("l", offset - LIST_PAGE)))
    if offset + LIST_PAGE < total:
        row.append(InlineKeyboardButton(t("btn_next", lang), callback_data=buttons.pack("l", offset + LIST_PAGE)))
    return "\n".join(lines), InlineKeyboardMarkup([row]) if row else None


async def cmd_list(update: Update, context: "BotContext") -> None:
    """/list: this chat's own articles, paged."""
    message, chat = update.effective_message, update.effective_chat
    assert message is not None and chat is not None
    if await _refuse_unless_admin(update, context):
        return
    text, markup = list_page(context, chat, lang_of(update, context), 0)
    await reply(message, text, markup=markup, quote=False)


# -- admin: /settings -----------------------------------------------------------------------------

def _ingest_target(context: "BotContext", chat: Chat) -> int | None:
    """The channel whose ingestion this chat's settings control (itself, or its linked channel)."""
    if chat.type == Chat.CHANNEL:
        return chat.id
    if chat.type in GROUPS:
        return context.library.store.chat_settings(chat.id).linked_chat_id
    return None


def settings_view(context: "BotContext", chat: Chat, lang: str) -> tuple[str, InlineKeyboardMarkup]:
    """The chat's settings as text, with a button for every choice."""
    store = context.library.store
    settings = store.chat_settings(chat.id)
    per_message = settings.per_message or context.config.answers.per_message
    target = _ingest_target(context, chat)
    ingest = ""
    if target is not None:
        state = store.chat_settings(target).ingest_channel
        ingest = t("settings_ingest", lang, state=t("on" if state else "off", lang))
    text = t("settings", lang, per_message=per_message, corpus=t(f"corpus_{settings.corpus}", lang), ingest=ingest)
    rows = []
    if chat.type != Chat.CHANNEL:
        rows.append([InlineKeyboardButton(("• " if n == per_message else "") + str(n),
                                          callback_data=buttons.pack("s", "pm", n)) for n in range(1, 6)])
        rows.append([InlineKeyboardButton(("• " if c == settings.corpus else "") + t(f"corpus_{c}", lang),
                                          callback_data=buttons.pack("s", "corpus", c))
                     for c in ("both", "shared", "own")])
    if target is not None:
        state = store.chat_settings(target).ingest_channel
        rows.append([InlineKeyboardButton(("• " if state == value else "") + t(label, lang),
                                          callback_data=buttons.pack("s", "ingest", label))
                     for value, label in ((True, "on"), (False, "off"))])
    return text, InlineKeyboardMarkup(rows)


async def apply_setting(context: "BotContext", chat: Chat, user_id: int | None, key: str, value: str) -> str | None:
    """Change one setting; returns an error text key, or None when saved."""
    key = {"per_message": "pm", "answers": "pm", "ingest_channel": "ingest"}.get(key, key)
    if key == "pm" and value.isdigit() and 1 <= int(value) <= 5:
        target, changes = chat.id, {"per_message": int(value)}
    elif key == "corpus" and value in ("both", "shared", "own") and chat.type != Chat.CHANNEL:
        target, changes = chat.id, {"corpus": value}
    elif key == "ingest" and value in ("on", "off"):
        ingest_target = _ingest_target(context, chat)
        if ingest_target is None:
            return "settings_no_channel"
        if ingest_target != chat.id and (user_id is None or not await context.admins.member_is_admin(
                context.bot, ingest_target, user_id)):
            return "not_admin"
        target, changes = ingest_target, {"ingest_channel": value == "on"}
    else:
        return "settings_bad"
    if not context.library.writable:
        return "store_read_only"
    try:
        await asyncio.to_thread(_change_settings, context.library.store, target, changes)
    except StoreError as exc:
        log.error("settings of chat %s not saved: %s", target, exc)
        return "store_read_only"
    return None


def _change_settings(store: ArticleStore, chat_id: int, changes: dict[str, Any]) -> None:
    """Read, change and save one chat's settings (in a thread)."""
    store.save_chat_settings(chat_id, store.chat_settings(chat_id).with_changes(**changes))


async def cmd_settings(update: Update, context: "BotContext") -> None:
    """/settings [key value]: show the settings with buttons, or change one."""
    message, chat, user = update.effective_message, update.effective_chat, update.effective_user
    assert message is not None and chat is not None
    if await _refuse_unless_admin(update, context):
        return
    lang = lang_of(update, context)
    if not context.library.writable:
        await reply(message, t("store_read_only", lang))
        return
    args = context.args or _command_rest(message).split()
    if len(args) >= 2:
        problem = await apply_setting(context, chat, user.id if user else None, args[0].lower(), args[1].lower())
        if problem:
            await reply(message, t(problem, lang))
            return
    elif args:
        await reply(message, t("settings_bad", lang))
        return
    text, markup = settings_view(context, chat, lang)
    await reply(message, text, markup=markup, quote=False)


async def settings_button(update: Update, context: "BotContext", button: buttons.Button, lang: str) -> None:
    """A /settings button (admins only): save the choice and redraw the settings."""
    query = update.callback_query
    chat = await _admin_pressing(update, context, lang)
    if chat is None:
        return
    problem = await apply_setting(context, chat, query.from_user.id, button.arg(0), button.arg(1))
    if problem:
        await query.answer(t(problem, lang), show_alert=True)
        return
    await query.answer(t("settings_saved", lang))
    text, markup = settings_view(context, chat, lang)
    if isinstance(query.message, Message):
        await _edit(query.message, text, markup)


# -- channels ---------------------------------------------------------------------------------

def channel_article_id(chat_id: int, message_id: int) -> str:
    """Stable article id of a channel post."""
    return f"tg{abs(chat_id)}m{message_id}"


def _link_in_store(store: ArticleStore, group_id: int, channel_id: int) -> None:
    """Save the group <-> channel link in both chats' settings when it changed (in a thread)."""
    for own, other in ((group_id, channel_id), (channel_id, group_id)):
        settings = store.chat_settings(own)
        if settings.linked_chat_id != other:
            store.save_chat_settings(own, settings.with_changes(linked_chat_id=other))
            log.info("linked chat %s with %s", own, other)


async def link_chats(context: "BotContext", group_id: int, channel_id: int) -> None:
    """Remember that a discussion group and a channel belong together (both directions).
    When the store cannot be written this is logged once per pair and otherwise ignored:
    it runs on every channel post forwarded to the group, and nobody there can fix it."""
    try:
        await asyncio.to_thread(_link_in_store, context.library.store, group_id, channel_id)
    except StoreError as exc:
        problem = f"link:{group_id}:{channel_id}"
        if problem not in context.bot_data.logged_problems:
            context.bot_data.logged_problems.add(problem)
            log.error("cannot save the link of chat %s with channel %s: %s", group_id, channel_id, exc)


async def on_channel_post(update: Update, context: "BotContext") -> None:
    """A channel post (or its edit) becomes an article of the channel, unless turned off."""
    message, chat = update.effective_message, update.effective_chat
    assert message is not None and chat is not None
    text = message.text or message.caption or ""
    if not text.strip() or text.startswith("/"):
        return
    store = context.library.store
    if not store.chat_settings(chat.id).ingest_channel:
        return
    async with context.chat_lock(chat.id):
        await _ingest_post(context, chat, message)


def _edit_key(chat_id: int, message_id: int) -> str:
    """The meta key holding the edit_date of the last applied edit of a channel post."""
    return f"edit:{chat_id}:{message_id}"


async def _ingest_post(context: "BotContext", chat: Chat, message: Message) -> None:
    """Parse and add (or replace) a channel post's article; runs under the channel's lock.
    Edits can arrive out of order: one older than the last applied edit is ignored."""
    text = message.text or message.caption or ""
    store = context.library.store
    article_id = channel_article_id(chat.id, message.message_id)
    scope = chat_scope(chat.id)
    # 0 for the post itself: older than any edit, so a late original never undoes an edit.
    edited = int(message.edit_date.timestamp()) if message.edit_date is not None else 0
    applied = await asyncio.to_thread(store.get_meta, _edit_key(chat.id, message.message_id))
    if applied is not None and int(applied) > edited:
        log.info("%s post %s: a newer edit is applied already; this one is ignored", chat.id, message.message_id)
        return
    existing = await asyncio.to_thread(context.library.scope_of, article_id)
    limit = context.config.telegram.limits.max_articles_per_chat
    if existing is None and await asyncio.to_thread(context.library.count_articles, scope) >= limit:
        log.warning("channel %s holds %d articles (the limit); post %s not ingested",
                    chat.id, limit, message.message_id)
        return
    metadata: dict[str, Any] = {"id": article_id, "source": chat.title or chat.username or str(chat.id)}
    if chat.username:
        metadata["url"] = f"https://t.me/{chat.username}/{message.message_id}"
    from ...ingest.parsing import parse_text

    try:
        article = await asyncio.to_thread(parse_text, text, metadata=metadata,
                                          origin=f"channel {chat.id} post {message.message_id}")
    except ArticleError as exc:
        log.info("channel post %s/%s not ingested: %s", chat.id, message.message_id, exc)
        return
    if article.date is None and message.date is not None:
        article.date = message.date.date().isoformat()
    if existing is not None and existing != scope:
        return
    try:
        await asyncio.to_thread(context.library.add_article, article, scope)
        if edited:
            await asyncio.to_thread(store.set_meta, _edit_key(chat.id, message.message_id), str(edited))
    except StoreError as exc:
        log.error("channel %s post %s not ingested: %s", chat.id, message.message_id, exc)
        return
    log.info("ingested %s post %s as %s", chat.id, message.message_id, article.id)


async def cmd_channel(update: Update, context: "BotContext") -> None:
    """Commands posted in a channel: /settings works; the rest get a one-line explanation."""
    message = update.effective_message
    assert message is not None
    name, target = parse_command(message.text)
    if _for_another_bot(context, target):
        return
    if name == "settings":
        await cmd_settings(update, context)
    elif name in ("add", "remove", "list", "ask", "about", "help", "start"):
        await reply(message, t("wrong_chat_channel", lang_of(update, context)))


# -- membership --------------------------------------------------------------------------------

async def on_my_chat_member(update: Update, context: "BotContext") -> None:
    """The bot was added to a chat: learn the channel link; introduce itself in groups."""
    change = update.my_chat_member
    assert change is not None
    chat = change.chat
    context.admins.forget(chat.id)
    old, new = change.old_chat_member.status, change.new_chat_member.status
    present = (ChatMember.MEMBER, ChatMember.ADMINISTRATOR)
    if new not in present:
        return
    if chat.type in GROUPS or chat.type == Chat.CHANNEL:
        try:
            full = await context.bot.get_chat(chat.id)
            if full.linked_chat_id:
                if chat.type == Chat.CHANNEL:
                    await link_chats(context, full.linked_chat_id, chat.id)
                else:
                    await link_chats(context, chat.id, full.linked_chat_id)
        except TelegramError as exc:
            log.info("getChat(%s) failed: %s", chat.id, exc)
    if chat.type in GROUPS and old in (ChatMember.LEFT, ChatMember.BANNED):
        await send(context, chat.id, t("intro_group", lang_of(update, context), bot=esc(_bot_username(context))))


async def on_chat_member(update: Update, context: "BotContext") -> None:
    """Someone's rights changed: forget the cached admin answer."""
    change = update.chat_member
    if change is not None:
        context.admins.forget(change.chat.id, change.new_chat_member.user.id)


async def on_migrate(update: Update, context: "BotContext") -> None:
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
    async with context.chat_lock(old_id), context.chat_lock(new_id):
        try:
            moved = await asyncio.to_thread(context.library.move_chat, old_id, new_id)
        except StoreError as exc:
            log.error("chat %s migrated to %s, but its articles could not be moved: %s", old_id, new_id, exc)
            return
    if moved:
        log.info("chat %s migrated to %s: %d articles moved", old_id, new_id, moved)


# -- inline mode -----------------------------------------------------------------------------

async def on_inline_query(update: Update, context: "BotContext") -> None:
    """@bot question in any chat: up to 10 quotes as articles to send."""
    query = update.inline_query
    assert query is not None
    lang = lang_of(update, context)
    question = query.query.strip()
    own = chat_scope(query.from_user.id)
    personal = await asyncio.to_thread(context.library.count_articles, own) > 0
    if not question or len(question) > context.config.telegram.limits.max_question_chars \
            or context.inline_limiter.hit(query.from_user.id):
        await query.answer([], cache_time=0, is_personal=personal)
        return
    result = await asyncio.to_thread(context.library.ask, question, scopes={SHARED_SCOPE, own},
                                     top=INLINE_RESULTS)
    results = []
    for number, answer in enumerate(result.answers[:INLINE_RESULTS]):
        html = render_html(replace(result, answers=[answer]), lang=lang, per_message=1)[0]
        key = f"{number}:{answer.paragraph_id or answer.article.id}"
        results.append(InlineQueryResultArticle(
            id=hashlib.sha1(key.encode()).hexdigest()[:32],
            title=(answer.article.title or t("untitled", lang))[:100],
            description=" ".join(answer.excerpt.split())[:150],
            input_message_content=InputTextMessageContent(html, parse_mode=HTML, link_preview_options=NO_PREVIEW),
            reply_markup=_full_article_link(context, lang, answer.article.id),
        ))
    await query.answer(results, cache_time=INLINE_CACHE_SECONDS, is_personal=personal)


def _full_article_link(context: "BotContext", lang: str, article_id: str) -> InlineKeyboardMarkup | None:
    """A "Full article" button under an inline result: a t.me deep link (``/start art_<id>``)
    that opens the article in a private chat with the bot; None when the id cannot be a
    start payload (at most 64 characters of A-Z a-z 0-9 _ -)."""
    payload = f"art_{article_id}"
    if len(payload) > 64 or not all(c.isascii() and (c.isalnum() or c in "_-") for c in payload):
        return None
    url = f"https://t.me/{_bot_username(context)}?start={payload}"
    return InlineKeyboardMarkup([[InlineKeyboardButton(t("btn_full", lang), url=url)]])


# -- unknown and misplaced commands -------------------------------------------------------------

async def on_unknown_command(update: Update, context: "BotContext") -> None:
    """Unknown commands: a hint in private chats, in groups only when addressed to the bot."""
    message, chat = update.effective_message, update.effective_chat
    assert message is not None and chat is not None
    _, target = parse_command(message.text)
    if chat.type != Chat.PRIVATE and target != _bot_username(context).lower():
        return
    await reply(message, t("unknown_command", lang_of(update, context)))


# -- errors --------------------------------------------------------------------------------------

async def on_error(update: object, context: "BotContext") -> None:
    """Log the failure; tell the user one polite line (never the error text)."""
    error = context.error
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


# -- registration --------------------------------------------------------------------------------

def register(application: "BotApplication") -> None:
    """Add every handler to the application, in order."""
    message = filters.UpdateType.MESSAGE
    not_channel = ~filters.ChatType.CHANNEL
    add = application.add_handler
    add(MessageHandler(filters.StatusUpdate.MIGRATE, on_migrate))
    add(CommandHandler("start", cmd_start, filters=message))
    add(CommandHandler("help", cmd_help, filters=message))
    add(CommandHandler("about", cmd_about, filters=message))
    add(CommandHandler("ask", cmd_ask, filters=message & not_channel))
    add(CommandHandler("add", cmd_add, filters=message))
    add(CommandHandler("remove", cmd_remove, filters=message))
    add(CommandHandler("list", cmd_list, filters=message))
    add(CommandHandler("settings", cmd_settings, filters=message))
    add(MessageHandler(message & filters.Document.ALL, on_document))
    add(MessageHandler(message & filters.COMMAND, on_unknown_command))
    add(MessageHandler(message & filters.ChatType.PRIVATE & filters.TEXT, on_private_text))
    add(MessageHandler(message & filters.ChatType.GROUPS & filters.TEXT, on_group_text))
    add(MessageHandler(filters.UpdateType.CHANNEL_POST & filters.COMMAND, cmd_channel))
    add(MessageHandler(filters.UpdateType.CHANNEL_POSTS & (filters.TEXT | filters.CAPTION), on_channel_post))
    add(CallbackQueryHandler(on_button))
    add(InlineQueryHandler(on_inline_query))
    add(ChatMemberHandler(on_my_chat_member, ChatMemberHandler.MY_CHAT_MEMBER))
    add(ChatMemberHandler(on_chat_member, ChatMemberHandler.CHAT_MEMBER))
    from .feeds import register as register_links_and_feeds  # issue 11; group -1

    register_links_and_feeds(application)
    application.add_error_handler(on_error)  # type: ignore[arg-type]
