"""/start (with deep links), /help, /about, and unknown commands."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from telegram import Chat, Update

from ...answers.markup import cap, esc
from ...answers.render import format_date
from ...models import Article
from ...texts import t
from .common import bot_username, lang_of, may_ask, parse_command, reply, scopes_for
from .pages import send_article_page

if TYPE_CHECKING:
    from ..context import BotContext

#: Longest source name shown by /about (characters; eight of them fit in one message).
SOURCE_CAP = 30


async def cmd_start(update: Update, context: BotContext) -> None:
    """/start, with deep-link payloads: ``art_<article id>`` opens that article (the link
    under every inline result, ``inline.full_article_link``)."""
    message, chat = update.effective_message, update.effective_chat
    assert message is not None and chat is not None
    lang = lang_of(update, context)
    payload = context.args[0] if context.args else ""
    if payload.startswith("art_"):
        # A deep link sends a page like 全文 does: the same question budget.
        user = update.effective_user
        who = user.id if user is not None else chat.id
        if not await may_ask(message, lang, context.limiter, who):
            return
        await send_article_page(context, chat, lang, payload[4:], 0, reply_to=message.message_id)
        return
    await reply(message, t("start", lang), quote=False)


async def cmd_help(update: Update, context: BotContext) -> None:
    """/help: short usage with examples."""
    assert update.effective_message is not None
    await reply(
        update.effective_message,
        t("help", lang_of(update, context), bot=esc(bot_username(context))),
        quote=False,
    )


async def cmd_about(update: Update, context: BotContext) -> None:
    """/about: how many articles the chat's corpus holds, their sources, the newest date."""
    message, chat = update.effective_message, update.effective_chat
    assert message is not None and chat is not None
    lang = lang_of(update, context)
    stats = await asyncio.to_thread(context.library.stats, await scopes_for(context, chat))
    sources = "、".join(
        f"{esc(cap(name, SOURCE_CAP))} ({count})" for name, count in stats.sources[:8]
    ) or t("none", lang)
    if len(stats.sources) > 8:
        sources += " …"
    newest = newest_date(stats.newest_date) or t("unknown", lang)
    await reply(
        message,
        t(
            "about",
            lang,
            articles=stats.articles,
            paragraphs=stats.paragraphs,
            sources=sources,
            newest=esc(newest),
        ),
        quote=False,
    )


def newest_date(iso: str | None) -> str | None:
    """The corpus's newest date as articles show theirs (``render.format_date``)."""
    return format_date(Article(id="newest", date=iso)) if iso else None


async def on_unknown_command(update: Update, context: BotContext) -> None:
    """Unknown commands: a hint in private chats, in groups only when addressed to the bot."""
    message, chat = update.effective_message, update.effective_chat
    assert message is not None and chat is not None
    _, target = parse_command(message.text)
    if chat.type != Chat.PRIVATE and target != bot_username(context).lower():
        return
    await reply(message, t("unknown_command", lang_of(update, context)))
