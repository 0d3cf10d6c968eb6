"""Full article pages: the 全文 button, page buttons and ``/start art_<id>`` deep links."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from telegram import Chat, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update

from ...answers.markup import esc, utf16_len
from ...answers.render import attribution_html
from ...models import SHARED_SCOPE, Article, chat_scope
from ...texts import t
from .. import buttons
from .common import edit, lang_of, scopes_for, send

if TYPE_CHECKING:
    from ..context import BotContext

PAGE_UNITS = 3900          # article page body; the footer keeps the message under 4096


def article_pages(article: Article, lang: str, limit: int = PAGE_UNITS) -> list[str]:
    """The article as HTML pages of at most ``limit`` UTF-16 units, split between paragraphs."""
    blocks = [attribution_html(article, lang=lang)]
    for paragraph in article.paragraphs:
        text = paragraph.text.strip()
        if not text:
            continue
        blocks.extend(split_escaped(text, limit - 10, bold=paragraph.kind == "heading"))
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


def split_escaped(text: str, limit: int, *, bold: bool) -> list[str]:
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


async def article_visible(context: BotContext, chat: Chat, article_id: str) -> bool:
    """True when the article belongs to a scope this chat may read."""
    scope = await asyncio.to_thread(context.library.scope_of, article_id)
    return scope is not None and (scope == SHARED_SCOPE or scope == chat_scope(chat.id)
                                  or scope in await scopes_for(context, chat))


async def page_markup(context: BotContext, lang: str, article_id: str, page: int, pages: int
                      ) -> InlineKeyboardMarkup | None:
    """Previous / next page buttons of a Full article message."""
    spills: dict[str, str] = {}
    spill = spills.__setitem__
    row = []
    if page > 0:
        row.append(InlineKeyboardButton(
            t("btn_prev", lang), callback_data=buttons.pack("p", article_id, page - 1, set_meta=spill)))
    if page < pages - 1:
        row.append(InlineKeyboardButton(
            t("btn_next", lang), callback_data=buttons.pack("p", article_id, page + 1, set_meta=spill)))
    await context.messages.keep(spills)
    return InlineKeyboardMarkup([row]) if row else None


def page_text(pages: list[str], page: int, lang: str) -> str:
    """One page's HTML with its "page n of m" footer."""
    text = pages[page]
    if len(pages) > 1:
        text += "\n\n<i>" + esc(t("page_of", lang, page=page + 1, pages=len(pages))) + "</i>"
    return text


async def send_article_page(context: BotContext, chat: Chat, lang: str, article_id: str, page: int,
                            *, reply_to: int | None = None, edit_message: Message | None = None,
                            thread_id: int | None = None) -> None:
    """Send (or edit ``edit_message`` into) one page of an article, with prev/next buttons."""
    article = (await asyncio.to_thread(context.library.get_article, article_id)
               if await article_visible(context, chat, article_id) else None)
    if article is None:
        await send(context, chat.id, t("article_missing", lang), reply_to=reply_to,
                   thread_id=thread_id)
        return
    pages = article_pages(article, lang)
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
    query = update.callback_query
    assert query is not None
    lang = lang_of(update, context)
    button = await context.pressed(query.data)
    message = query.message
    if button is None or message is None:
        await query.answer(t("button_expired", lang))
        return
    await query.answer()
    thread_id = (message.message_thread_id
                 if isinstance(message, Message) and message.is_topic_message else None)
    await send_article_page(context, message.chat, lang, button.arg(0), 0, thread_id=thread_id)


async def press_page(update: Update, context: BotContext) -> None:
    """Previous / next page: edit the pressed message to that page."""
    query = update.callback_query
    assert query is not None
    lang = lang_of(update, context)
    button = await context.pressed(query.data)
    message = query.message
    if button is None or message is None:
        await query.answer(t("button_expired", lang))
        return
    await query.answer()
    await send_article_page(context, message.chat, lang, button.arg(0), button.int_arg(1),
                            edit_message=message if isinstance(message, Message) else None)
