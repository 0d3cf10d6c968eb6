"""Inline mode: ``@bot question`` in any chat offers quotes to send."""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import replace
from typing import TYPE_CHECKING

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    Update,
)

from ...answers.markup import fit_html, printable
from ...answers.render import render_html
from ...models import SHARED_SCOPE, chat_scope
from ...texts import t
from .common import HTML, NO_PREVIEW, bot_username, lang_of

if TYPE_CHECKING:
    from ..context import BotContext

INLINE_RESULTS = 10
INLINE_CACHE_SECONDS = 30


async def on_inline_query(update: Update, context: BotContext) -> None:
    """@bot question in any chat: up to 10 quotes as articles to send."""
    query = update.inline_query
    assert query is not None
    lang = lang_of(update, context)
    question = query.query.strip()
    own = chat_scope(query.from_user.id)
    personal = await asyncio.to_thread(context.library.count_articles, own) > 0
    if (
        not question
        or len(question) > context.config.telegram.limits.max_question_chars
        or context.inline_limiter.hit(query.from_user.id)
    ):
        await query.answer([], cache_time=0, is_personal=personal)
        return
    result = await asyncio.to_thread(
        context.library.ask, question, scopes={SHARED_SCOPE, own}, top=INLINE_RESULTS
    )
    results = []
    for number, answer in enumerate(result.answers[:INLINE_RESULTS]):
        html = render_html(replace(result, answers=[answer]), lang=lang, per_message=1)[0]
        key = f"{number}:{answer.paragraph_id or answer.article.id}"
        results.append(
            InlineQueryResultArticle(
                id=hashlib.sha1(key.encode()).hexdigest()[:32],
                # Plain text fields: control, bidi and zero-width characters dropped as in messages.
                title=printable(answer.article.title or t("untitled", lang))[:100] or "…",
                description=" ".join(printable(answer.excerpt).split())[:150],
                input_message_content=InputTextMessageContent(
                    fit_html(html), parse_mode=HTML, link_preview_options=NO_PREVIEW
                ),
                reply_markup=full_article_link(context, lang, answer.article.id),
            )
        )
    await query.answer(results, cache_time=INLINE_CACHE_SECONDS, is_personal=personal)


def full_article_link(
    context: BotContext, lang: str, article_id: str
) -> InlineKeyboardMarkup | None:
    """A "Full article" button under an inline result: a t.me deep link (``/start art_<id>``)
    that opens the article in a private chat with the bot; None when the id cannot be a
    start payload (at most 64 characters of A-Z a-z 0-9 _ -)."""
    payload = f"art_{article_id}"
    if len(payload) > 64 or not all(c.isascii() and (c.isalnum() or c in "_-") for c in payload):
        return None
    url = f"https://t.me/{bot_username(context)}?start={payload}"
    return InlineKeyboardMarkup([[InlineKeyboardButton(t("btn_full", lang), url=url)]])
