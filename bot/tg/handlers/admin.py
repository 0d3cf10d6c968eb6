"""Admin commands: /add (documents, texts), /remove, /list and its page buttons."""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import PurePath
from typing import TYPE_CHECKING

from telegram import Chat, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update

from ...answers.markup import cap, esc
from ...answers.render import format_date
from ...errors import ArticleError, QuotaExceeded, StoreError
from ...ids import byte_size
from ...ingest.parsing import parse_bytes, parse_text
from ...models import MAX_ARTICLE_ID_LENGTH, Article, chat_scope
from ...texts import t
from .. import buttons
from .common import (
    admin_pressing,
    asker,
    command_rest,
    edit,
    for_another_bot,
    lang_of,
    one_line,
    parse_command,
    pressed,
    refuse_unless_admin,
    reply,
)

if TYPE_CHECKING:
    from ..context import BotContext

log = logging.getLogger(__name__)

#: A long /add shows "正在导入 n/m…" once it has taken this long, updated at most this often.
PROGRESS_AFTER_SECONDS = 2.0
PROGRESS_EVERY_SECONDS = 2.0
DOCUMENT_SUFFIXES = {".txt", ".html", ".htm", ".md", ".json", ".jsonl"}
LIST_PAGE = 10


async def cmd_add(update: Update, context: BotContext) -> None:
    """/add: as the caption of a document, or as a reply to a document or an article text."""
    message = update.effective_message
    assert message is not None
    if await refuse_unless_admin(update, context):
        return
    lang = lang_of(update, context)
    if message.document is not None:
        await add_document(update, context, message)
        return
    source = message.reply_to_message
    rest = command_rest(message)
    if source is not None and source.document is not None:
        await add_document(update, context, source)
    elif source is not None and (source.text or source.caption):
        await add_text(update, context, source)
    elif rest and len(rest) > 40:
        await add_text(update, context, message, text=rest)
    else:
        await reply(message, t("add_usage", lang))


async def on_document(update: Update, context: BotContext) -> None:
    """A document in a private chat, or with an /add caption anywhere, is added."""
    message, chat = update.effective_message, update.effective_chat
    assert message is not None and chat is not None
    name, target = parse_command(message.caption)
    if name == "add" and not for_another_bot(context, target):
        await cmd_add(update, context)
    elif chat.type == Chat.PRIVATE and not name:
        await cmd_add(update, context)


async def add_document(update: Update, context: BotContext, holder: Message) -> None:
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
        await reply(message, t("add_too_big", lang, limit=size_text(limit)))
        return
    if await chat_full(update, context):
        return
    file = await context.bot.get_file(document.file_id)
    data = bytes(await file.download_as_bytearray())
    if len(data) > limit:
        await reply(message, t("add_too_big", lang, limit=size_text(limit)))
        return
    try:
        articles = await asyncio.to_thread(parse_bytes, data, name=name, max_bytes=limit)
    except ArticleError as exc:
        await reply(message, t("add_failed", lang, error=esc(one_line(exc))))
        return
    await store_articles(update, context, articles)


async def add_text(
    update: Update, context: BotContext, holder: Message, *, text: str | None = None
) -> None:
    """Parse a message's text as an article and add it."""
    message = update.effective_message
    assert message is not None
    lang = lang_of(update, context)
    if await chat_full(update, context):
        return
    body = text or holder.text or holder.caption or ""
    try:
        article = await asyncio.to_thread(parse_text, body, origin=f"message {holder.message_id}")
    except ArticleError as exc:
        await reply(message, t("add_failed", lang, error=esc(one_line(exc))))
        return
    await store_articles(update, context, [article])


def size_text(limit: int) -> str:
    """A byte limit for people (``1.0 MB``)."""
    return f"{limit / 1_000_000:.1f} MB" if limit >= 100_000 else f"{limit} B"


async def chat_full(update: Update, context: BotContext) -> bool:
    """True (after saying so) when the chat holds its maximum of articles: an early check
    before downloading; ``store_articles`` checks again under the chat's lock."""
    chat, message = update.effective_chat, update.effective_message
    assert chat is not None and message is not None
    limit = context.config.telegram.limits.max_articles_per_chat
    if await asyncio.to_thread(context.library.count_articles, chat_scope(chat.id)) >= limit:
        await reply(message, t("add_full", lang_of(update, context), limit=limit))
        return True
    return False


async def store_articles(update: Update, context: BotContext, articles: list[Article]) -> None:
    """Add parsed articles to the chat's scope (up to the limit) and show what was found."""
    chat, message = update.effective_chat, update.effective_message
    assert chat is not None and message is not None
    lang = lang_of(update, context)
    scope = chat_scope(chat.id)
    limit = context.config.telegram.limits.max_articles_per_chat
    added = []
    not_saved = 0
    refused: QuotaExceeded | None = None
    # Whose daily upload quota this spends: the person, or the chat an anonymous admin or a
    # channel identity posts as (their "from" is an account shared by everyone).
    uploader = asker(message, update.effective_user, chat)
    # A long import (a JSONL of hundreds of records) shows its progress by editing one
    # message, first after PROGRESS_AFTER_SECONDS, then at most every PROGRESS_EVERY_SECONDS.
    started = last_shown = time.monotonic()
    status: Message | None = None
    # Check and add under the chat's lock: concurrent /adds must not both see room for one.
    async with context.chat_lock(chat.id):
        room = max(0, limit - await asyncio.to_thread(context.library.count_articles, scope))
        for position, article in enumerate(articles[:room]):
            now = time.monotonic()
            if (
                now - started >= PROGRESS_AFTER_SECONDS
                and now - last_shown >= PROGRESS_EVERY_SECONDS
            ):
                last_shown = now
                progress = t("opml_progress", lang, done=position, total=min(room, len(articles)))
                if status is None:
                    status = await reply(message, progress)
                else:
                    await edit(status, progress, None)
            try:
                added.append(
                    await asyncio.to_thread(
                        context.library.add_article, article, scope, uploader=uploader
                    )
                )
            except QuotaExceeded as exc:  # nothing of this article stored; the rest neither
                log.info("/add in chat %s refused: %s", chat.id, exc)
                refused = exc
                break
            except StoreError as exc:  # disk full, read-only or damaged store: nothing half-stored
                log.error("/add in chat %s not saved: %s", chat.id, exc)
                not_saved = len(articles[:room]) - position
                break
    lines = [describe_article(a, lang, context.library.shown_id(a.id, scope)) for a in added[:5]]
    if len(added) > 5:
        lines.append(t("added_more", lang, count=len(added) - 5))
    if refused is not None:
        lines.append(quota_refusal(refused, lang))
    if not_saved:
        lines.append(t("add_not_saved", lang, count=not_saved))
    if len(articles) > room:
        lines.append(t("add_full", lang, limit=limit))
    if status is not None:
        await edit(status, "\n\n".join(lines), None)
    else:
        await reply(message, "\n\n".join(lines))


#: Longest field shown in an /add confirmation, a /list line or /about (characters): the
#: longest values the parser allows must still fit in one message.
FIELD_CAPS = {
    "title": 100,
    "source": 60,
    "reporters": 100,
    "date": 40,
    "list_title": 60,
    "list_source": 30,
}


def describe_article(article: Article, lang: str, shown_id: str | None = None) -> str:
    """What /add found in an article: title, source, reporters, date, id (each capped)."""
    unknown = t("unknown", lang)
    title = cap(article.title or t("untitled", lang), FIELD_CAPS["title"])
    return t(
        "added",
        lang,
        title=esc(title),
        source=esc(cap(article.source or unknown, FIELD_CAPS["source"])),
        reporters=esc(cap("、".join(article.reporters[:10]) or unknown, FIELD_CAPS["reporters"])),
        date=esc(cap(format_date(article) or unknown, FIELD_CAPS["date"])),
        id=esc(shown_id or article.id),
    )


def quota_refusal(error: QuotaExceeded, lang: str) -> str:
    """The one line telling which storage quota an /add would break."""
    key = "quota_user" if error.key.endswith("per_user_per_day") else "quota_chat"
    return t(key, lang, used=byte_size(error.used), limit=byte_size(error.limit))


async def cmd_remove(update: Update, context: BotContext) -> None:
    """/remove ID: remove one of this chat's articles."""
    message, chat = update.effective_message, update.effective_chat
    assert message is not None and chat is not None
    if await refuse_unless_admin(update, context):
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
        removed = await asyncio.to_thread(
            context.library.remove_article, article_id, chat_scope(chat.id)
        )
    except StoreError as exc:
        log.error("/remove in chat %s refused: %s", chat.id, exc)
        await reply(message, t("store_read_only", lang))
        return
    await reply(
        message,
        t(
            "removed" if removed else "not_found",
            lang,
            id=esc(cap(article_id, MAX_ARTICLE_ID_LENGTH + 1)),
        ),
    )


async def list_page(
    context: BotContext, chat: Chat, lang: str, offset: int
) -> tuple[str, InlineKeyboardMarkup | None]:
    """One page of the chat's own articles, with prev/next buttons."""
    scope = chat_scope(chat.id)
    total = await asyncio.to_thread(context.library.count_articles, scope)
    if total == 0:
        return t("list_empty", lang), None
    offset = max(0, min(offset, (total - 1) // LIST_PAGE * LIST_PAGE))
    articles = await asyncio.to_thread(
        context.library.list_articles, scope, offset=offset, limit=LIST_PAGE
    )
    lines = [t("list_head", lang, first=offset + 1, last=offset + len(articles), total=total)]
    for article in articles:
        fields = (
            (article.source, FIELD_CAPS["list_source"]),
            (format_date(article), FIELD_CAPS["date"]),
        )
        extra = " · ".join(esc(cap(value, limit)) for value, limit in fields if value)
        title = esc(cap(article.title or t("untitled", lang), FIELD_CAPS["list_title"]))
        shown = context.library.shown_id(article.id, scope)
        lines.append(f"<code>{esc(shown)}</code> {title}" + (f" — {extra}" if extra else ""))
    row = []
    if offset > 0:
        row.append(
            InlineKeyboardButton(
                t("btn_prev", lang), callback_data=buttons.pack("l", offset - LIST_PAGE)
            )
        )
    if offset + LIST_PAGE < total:
        row.append(
            InlineKeyboardButton(
                t("btn_next", lang), callback_data=buttons.pack("l", offset + LIST_PAGE)
            )
        )
    return "\n".join(lines), InlineKeyboardMarkup([row]) if row else None


async def cmd_list(update: Update, context: BotContext) -> None:
    """/list: this chat's own articles, paged."""
    message, chat = update.effective_message, update.effective_chat
    assert message is not None and chat is not None
    if await refuse_unless_admin(update, context):
        return
    text, markup = await list_page(context, chat, lang_of(update, context), 0)
    await reply(message, text, markup=markup, quote=False)


async def press_list_page(update: Update, context: BotContext) -> None:
    """/list paging (admins only): edit the pressed message to another page."""
    press = await pressed(update, context)
    if press is None:
        return
    query, button, lang = press.query, press.button, press.lang
    chat = await admin_pressing(update, context, lang)
    if chat is None:
        return
    await query.answer()
    text, markup = await list_page(context, chat, lang, button.int_arg(0))
    if isinstance(query.message, Message):
        await edit(query.message, text, markup)
