"""Full article pages: the 全文 button, page buttons and ``/start art_<id>`` deep links."""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from typing import TYPE_CHECKING

from telegram import Chat, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update

from ...answers.markup import esc, escape, utf16_len
from ...answers.render import attribution_html
from ...models import SHARED_SCOPE, Article, chat_scope
from ...texts import t
from .. import buttons
from .common import edit, may_press, pressed, scopes_for, send, topic_of

if TYPE_CHECKING:
    from ..context import BotContext

PAGE_UNITS = 3900  # article page body; the footer keeps the message under 4096


def article_pages(article: Article, lang: str, limit: int = PAGE_UNITS) -> list[str]:
    """The article as HTML pages of at most ``limit`` UTF-16 units, split between paragraphs.
    Linear in the article's length (a 2 MB document takes a fraction of a second)."""
    blocks = [attribution_html(article, lang=lang)]
    for paragraph in article.paragraphs:
        text = paragraph.text.strip()
        if not text:
            continue
        blocks.extend(split_escaped(text, limit - 10, bold=paragraph.kind == "heading"))
    pages: list[str] = []
    current: list[str] = []
    units = 0
    for block in blocks:
        size = utf16_len(block)
        if current and units + 2 + size > limit:
            pages.append("\n\n".join(current))
            current, units = [], 0
        units += size + (2 if current else 0)
        current.append(block)
    if current:
        pages.append("\n\n".join(current))
    return pages


_ENTITY_TAIL = 6  # the longest entity escape() makes is "&quot;"


def split_escaped(text: str, limit: int, *, bold: bool) -> list[str]:
    """Escape ``text``, cutting it into pieces whose HTML fits ``limit`` units (never inside
    an entity); one pass over the text."""
    escaped = escape(text)
    if bold:
        limit -= len("<b></b>")
    pieces: list[str] = []
    start = 0
    while start < len(escaped):
        end = min(len(escaped), start + limit)
        over = utf16_len(escaped[start:end]) - limit
        while over > 0:  # characters outside the BMP count twice: give back the excess
            end -= over
            over = utf16_len(escaped[start:end]) - limit
        amp = escaped.rfind("&", max(start, end - _ENTITY_TAIL + 1), end)
        if amp > start and escaped.find(";", amp, end) == -1:
            end = amp  # an entity cut in two: it starts the next piece
        pieces.append(escaped[start:end])
        start = end
    return [f"<b>{p}</b>" for p in pieces] if bold else pieces


#: Pages of recently shown articles: a second press costs no re-rendering. Keyed by article id
#: and language; valid while the library hands out the same Article object (it makes a new
#: one whenever the article changes).
_PAGES: OrderedDict[tuple[str, str], tuple[Article, list[str]]] = OrderedDict()
PAGES_CACHED = 16


def cached_pages(article: Article, lang: str) -> list[str]:
    """``article_pages``, remembered for the last few articles shown (runs in a thread)."""
    key = (article.id, lang)
    cached = _PAGES.get(key)
    if cached is not None and cached[0] is article:
        return cached[1]
    pages = article_pages(article, lang)
    _PAGES[key] = (article, pages)
    while len(_PAGES) > PAGES_CACHED:
        _PAGES.popitem(last=False)
    return pages


async def article_visible(context: BotContext, chat: Chat, article_id: str) -> bool:
    """True when the article belongs to a scope this chat may read."""
    scope = await asyncio.to_thread(context.library.scope_of, article_id)
    return scope is not None and (
        scope == SHARED_SCOPE
        or scope == chat_scope(chat.id)
        or scope in await scopes_for(context, chat)
    )


async def page_markup(
    context: BotContext, lang: str, article_id: str, page: int, pages: int
) -> InlineKeyboardMarkup | None:
    """Previous / next page buttons of a Full article message."""
    spills: dict[str, str] = {}
    spill = spills.__setitem__
    row = []
    if page > 0:
        row.append(
            InlineKeyboardButton(
                t("btn_prev", lang),
                callback_data=buttons.pack("p", article_id, page - 1, set_meta=spill),
            )
        )
    if page < pages - 1:
        row.append(
            InlineKeyboardButton(
                t("btn_next", lang),
                callback_data=buttons.pack("p", article_id, page + 1, set_meta=spill),
            )
        )
    await context.messages.keep(spills)
    return InlineKeyboardMarkup([row]) if row else None


def page_text(pages: list[str], page: int, lang: str) -> str:
    """One page's HTML with its "page n of m" footer."""
    text = pages[page]
    if len(pages) > 1:
        text += "\n\n<i>" + esc(t("page_of", lang, page=page + 1, pages=len(pages))) + "</i>"
    return text


async def send_article_page(
    context: BotContext,
    chat: Chat,
    lang: str,
    article_id: str,
    page: int,
    *,
    reply_to: int | None = None,
    edit_message: Message | None = None,
    thread_id: int | None = None,
) -> None:
    """Send (or edit ``edit_message`` into) one page of an article, with prev/next buttons."""
    article = (
        await asyncio.to_thread(context.library.get_article, article_id)
        if await article_visible(context, chat, article_id)
        else None
    )
    if article is None:
        await send(
            context, chat.id, t("article_missing", lang), reply_to=reply_to, thread_id=thread_id
        )
        return
    # Off the event loop: a huge article takes a while to cut into pages.
    pages = await asyncio.to_thread(cached_pages, article, lang)
    page = max(0, min(page, len(pages) - 1))
    text = page_text(pages, page, lang)
    markup = await page_markup(context, lang, article.id, page, len(pages))
    if edit_message is not None:
        await edit(edit_message, text, markup)
        return
    sent = await send(context, chat.id, text, markup=markup, reply_to=reply_to, thread_id=thread_id)
    await context.messages.remember(sent.chat_id, sent.message_id, a=article.id)


async def press_full(update: Update, context: BotContext) -> None:
    """全文: send page 0 of the quoted article as a new message."""
    press = await pressed(update, context)
    # A new message each time: spends the question budget (told on the button when spent).
    if press is None or not await may_press(press.query, press.lang, context.limiter):
        return
    await press.query.answer()
    message = press.message
    await send_article_page(
        context, message.chat, press.lang, press.button.arg(0), 0, thread_id=topic_of(message)
    )


async def press_page(update: Update, context: BotContext) -> None:
    """Previous / next page: edit the pressed message to that page."""
    press = await pressed(update, context)
    # Turning pages edits one message: the larger inline-sized budget, told on the button.
    if press is None or not await may_press(press.query, press.lang, context.inline_limiter):
        return
    await press.query.answer()
    message = press.message
    await send_article_page(
        context,
        message.chat,
        press.lang,
        press.button.arg(0),
        press.button.int_arg(1),
        edit_message=message if isinstance(message, Message) else None,
    )
