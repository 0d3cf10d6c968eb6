"""Links and feeds in Telegram: /add URL, a link in a private chat, /follow, /feeds, /unfollow,
OPML in and out, and the feed poller on PTB's JobQueue.

Every handler here is registered in group -1 and stops the update there
(``ApplicationHandlerStop``) once it has handled it, so a link is not also answered as a
question and /follow is not taken for an unknown command, wherever ``register`` is called.
Fetching, parsing and the store run in a thread (``asyncio.to_thread``); the event loop only
sends replies. The poller (``bot.feeds.FeedPoller``) is made once per Library.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import time
import weakref
from typing import TYPE_CHECKING

from telegram import Chat, Message, MessageEntity, MessageOriginChannel, Update
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop, CommandHandler, MessageHandler, filters

from ...answers.markup import esc
from ...errors import ArticleError, BotError, FetchError
from ...feeds import FeedPoller, PollResult
from ...ingest.feeds import OpmlFeed, parse_opml, write_opml
from ...ingest.fetch import fetch_article, is_link
from ...ingest.forwards import article_from_post, linked_url
from ...models import chat_scope
from ...texts import t
from .admin import chat_full, store_articles
from .common import (
    command_rest,
    edit,
    for_another_bot,
    is_admin,
    lang_of,
    one_line,
    parse_command,
    refuse_unless_admin,
    reply,
    send,
)

if TYPE_CHECKING:
    from ...library import Library
    from ..context import BotApplication, BotContext

log = logging.getLogger(__name__)

#: How often the JobQueue looks for due feeds (each feed keeps its own interval).
POLL_TICK_SECONDS = 60
#: Progress of a long import is shown by editing one message, at most this often.
PROGRESS_EVERY_SECONDS = 2.0
LINK_ONLY = r"^\s*https?://\S+\s*$"
ADD_LINK = r"^/add(?:@\w+)?\s+https?://\S+\s*$"

_POLLERS: weakref.WeakKeyDictionary[Library, FeedPoller] = weakref.WeakKeyDictionary()


async def poller_for(library: Library) -> FeedPoller:
    """The library's poller (made in a thread the first time: it creates its tables)."""
    poller = _POLLERS.get(library)
    if poller is None:
        poller = await asyncio.to_thread(FeedPoller, library)
        _POLLERS[library] = poller
    return poller


async def close_poller(library: Library) -> None:
    """Close the library's poller and its HTTP connections (at shutdown)."""
    poller = _POLLERS.pop(library, None)
    if poller is not None:
        await asyncio.to_thread(poller.close)


async def _edit(message: Message, text: str) -> None:
    """``common.edit``, logging instead of raising (a progress edit runs unawaited)."""
    try:
        await edit(message, text, None)
    except TelegramError as exc:  # deleted meanwhile …
        log.info("progress message not edited: %s", exc)


def _elsewhere(context: BotContext, message: Message) -> bool:
    """True when the message's /command names another bot (``/follow@other``)."""
    return for_another_bot(context, parse_command(message.text or message.caption)[1])


# -- links ----------------------------------------------------------------------------------


async def add_link(update: Update, context: BotContext, url: str) -> None:
    """Fetch a page, store it in the chat's scope (within its quota) and show what was found.

    The caller has checked the sender's rights (a private chat is its user's own)."""
    message = update.effective_message
    assert message is not None
    lang = lang_of(update, context)
    # Checked before fetching too (and again when storing): a full chat costs no request.
    if await chat_full(update, context):
        return
    poller = await poller_for(context.library)
    try:
        article = await asyncio.to_thread(fetch_article, url.strip(), poller.fetcher)
    except (FetchError, ArticleError) as exc:
        await reply(message, t("link_failed", lang, error=esc(one_line(exc))))
        return
    await store_articles(update, context, [article])


async def cmd_add_link(update: Update, context: BotContext) -> None:
    """``/add URL`` (admins): the linked page becomes an article of this chat."""
    message = update.effective_message
    assert message is not None
    if _elsewhere(context, message):
        return
    if not await refuse_unless_admin(update, context):
        await add_link(update, context, command_rest(message).split()[0])
    raise ApplicationHandlerStop


async def on_private_link(update: Update, context: BotContext) -> None:
    """A message that is only a link, in a private chat: added to that chat's own articles."""
    message = update.effective_message
    assert message is not None and message.text is not None
    if is_link(message.text):
        await add_link(update, context, message.text)
        raise ApplicationHandlerStop


# -- forwarded channel posts ----------------------------------------------------------------


def _channel_origin(message: Message) -> MessageOriginChannel | None:
    origin = message.forward_origin
    return origin if isinstance(origin, MessageOriginChannel) else None


async def add_forward(update: Update, context: BotContext, post: Message) -> bool:
    """A forwarded channel post becomes an article credited to the channel (or, when it is only
    a link and a line, the linked article); False when ``post`` is no channel forward.

    The caller has checked the sender's rights."""
    origin = _channel_origin(post)
    message, chat = update.effective_message, update.effective_chat
    if origin is None or message is None or chat is None:
        return False
    text = post.text or post.caption or ""
    links = [
        entity.url
        for entity in (post.entities or post.caption_entities or ())
        if entity.type == MessageEntity.TEXT_LINK and entity.url
    ]
    url = linked_url(text, links)
    if url is not None:
        await add_link(update, context, url)
        return True
    lang = lang_of(update, context)
    try:
        article = article_from_post(
            text,
            channel_title=origin.chat.title,
            channel_username=origin.chat.username,
            message_id=origin.message_id,
            posted=origin.date,
            author_signature=origin.author_signature,
        )
    except ArticleError as exc:
        await reply(message, t("link_failed", lang, error=esc(one_line(exc))))
        return True
    await store_articles(update, context, [article])
    return True


async def on_forward(update: Update, context: BotContext) -> None:
    """A channel post forwarded into a private chat, or by an admin into a group."""
    message, chat = update.effective_message, update.effective_chat
    assert message is not None and chat is not None
    if _channel_origin(message) is None:
        return
    if chat.type != Chat.PRIVATE and not await is_admin(update, context):
        return  # group chatter: left to the other handlers
    if await add_forward(update, context, message):
        raise ApplicationHandlerStop


async def cmd_add_forward(update: Update, context: BotContext) -> None:
    """``/add`` in reply to a forwarded channel post (admins)."""
    message = update.effective_message
    assert message is not None
    replied = message.reply_to_message
    if replied is None or _channel_origin(replied) is None or _elsewhere(context, message):
        return  # any other /add: the /add handler
    if not await refuse_unless_admin(update, context):
        await add_forward(update, context, replied)
    raise ApplicationHandlerStop


# -- following --------------------------------------------------------------------------------


async def cmd_follow(update: Update, context: BotContext) -> None:
    """``/follow URL [minutes]`` or an .opml document with /follow (admins)."""
    message, chat = update.effective_message, update.effective_chat
    assert message is not None and chat is not None
    if _elsewhere(context, message):
        return
    lang = lang_of(update, context)
    if await refuse_unless_admin(update, context):
        raise ApplicationHandlerStop
    replied = message.reply_to_message
    document = message.document or (replied.document if replied else None)
    words = command_rest(message).split()
    if document is not None and not words:
        await _follow_opml(update, context, document.file_id, document.file_size)
        raise ApplicationHandlerStop
    announce = "announce" in words[1:]
    options = [word for word in words[1:] if word != "announce"]
    if not words or len(options) > 1 or (options and not options[0].isdigit()):
        await reply(message, t("follow_usage", lang))
        raise ApplicationHandlerStop
    minutes = int(options[0]) if options else None
    poller = await poller_for(context.library)
    status = await reply(message, t("follow_busy", lang))
    progress = _ProgressEditor(status, lang)
    try:
        result = await asyncio.to_thread(
            poller.follow,
            words[0],
            chat_scope(chat.id),
            interval_minutes=minutes,
            announce=announce,
            progress=progress,
        )
    except BotError as exc:
        await progress.settle()
        await _edit(status, t("follow_failed", lang, error=esc(one_line(exc))))
        raise ApplicationHandlerStop from None
    await progress.settle()
    if result.error:
        await _edit(status, t("follow_failed", lang, error=esc(result.error)))
    else:
        await _edit(status, _followed(result, lang))
    raise ApplicationHandlerStop


def _followed(result: PollResult, lang: str) -> str:
    feed = result.feed
    return t(
        "followed",
        lang,
        title=esc(feed.title or feed.url),
        minutes=feed.interval // 60,
        count=len(result.added),
    )


class _ProgressEditor:
    """Progress from a worker thread shown by editing ``status`` (正在导入 3/10…) on the loop,
    at most every PROGRESS_EVERY_SECONDS; ``settle()`` waits for edits in flight, so the
    final text is never overwritten by a late progress edit."""

    def __init__(self, status: Message, lang: str):
        self.status = status
        self.lang = lang
        self._loop = asyncio.get_running_loop()
        self._last = time.monotonic()
        self._pending: list[concurrent.futures.Future[None]] = []

    def __call__(self, done: int, total: int) -> None:
        if time.monotonic() - self._last >= PROGRESS_EVERY_SECONDS and done < total:
            self._last = time.monotonic()
            text = t("opml_progress", self.lang, done=done, total=total)
            self._pending.append(
                asyncio.run_coroutine_threadsafe(_edit(self.status, text), self._loop)
            )

    async def settle(self) -> None:
        for future in self._pending:
            await asyncio.wrap_future(future)


async def _follow_opml(update: Update, context: BotContext, file_id: str, size: int | None) -> None:
    """Follow every feed of an OPML file, editing one progress message, then a summary."""
    message, chat = update.effective_message, update.effective_chat
    assert message is not None and chat is not None
    lang = lang_of(update, context)
    limit = context.config.telegram.limits.max_document_bytes
    if size is not None and size > limit:
        await reply(message, t("follow_failed", lang, error=esc(f"> {limit} B")))
        return
    data = bytes(await (await context.bot.get_file(file_id)).download_as_bytearray())
    try:
        entries = await asyncio.to_thread(parse_opml, data[:limit])
    except BotError as exc:
        await reply(message, t("follow_failed", lang, error=esc(one_line(exc))))
        return
    poller = await poller_for(context.library)
    status = await reply(message, t("opml_progress", lang, done=0, total=len(entries)))
    progress = _ProgressEditor(status, lang)
    results = await asyncio.to_thread(poller.follow_opml, entries, chat_scope(chat.id), progress)
    await progress.settle()
    followed = [r for _, r in results if isinstance(r, PollResult) and not r.error]
    count = sum(len(r.added) for r in followed)
    await _edit(
        status,
        t("opml_done", lang, ok=len(followed), failed=len(results) - len(followed), count=count),
    )


async def cmd_feeds(update: Update, context: BotContext) -> None:
    """``/feeds``: this chat's feeds and their state; ``/feeds opml``: them as an OPML file."""
    message, chat = update.effective_message, update.effective_chat
    assert message is not None and chat is not None
    if _elsewhere(context, message):
        return
    lang = lang_of(update, context)
    poller = await poller_for(context.library)
    feeds = await asyncio.to_thread(poller.list_feeds, chat_scope(chat.id))
    if command_rest(message).split()[:1] == ["opml"]:
        document = write_opml(
            [OpmlFeed(f.url, f.title) for f in feeds], title=chat.title or chat.full_name or "feeds"
        )
        await message.reply_document(document=document, filename="feeds.opml", do_quote=True)
        raise ApplicationHandlerStop
    if not feeds:
        await reply(message, t("feeds_none", lang))
        raise ApplicationHandlerStop
    lines = [t("feeds_head", lang)]
    for number, feed in enumerate(feeds, start=1):
        if feed.paused:
            state = t("feed_paused", lang, reason=esc(feed.paused))
        elif feed.failures:
            state = t("feed_failing", lang, count=feed.failures, error=esc(feed.last_error or ""))
        else:
            state = t("feed_ok", lang)
        lines.append(
            t(
                "feed_line",
                lang,
                n=number,
                title=esc(feed.title or feed.url),
                minutes=feed.interval // 60,
                state=state,
            )
        )
    await reply(message, "\n".join(lines))
    raise ApplicationHandlerStop


async def cmd_unfollow(update: Update, context: BotContext) -> None:
    """``/unfollow N`` (admins): N as numbered by /feeds; the feed's articles stay."""
    message, chat = update.effective_message, update.effective_chat
    assert message is not None and chat is not None
    if _elsewhere(context, message):
        return
    lang = lang_of(update, context)
    if await refuse_unless_admin(update, context):
        raise ApplicationHandlerStop
    words = command_rest(message).split()
    poller = await poller_for(context.library)
    scope = chat_scope(chat.id)
    feeds = await asyncio.to_thread(poller.list_feeds, scope)
    if len(words) != 1 or not words[0].isdigit() or not 1 <= int(words[0]) <= len(feeds):
        await reply(message, t("unfollow_usage", lang))
        raise ApplicationHandlerStop
    feed = feeds[int(words[0]) - 1]
    await asyncio.to_thread(poller.unfollow, feed.id, scope)
    await reply(message, t("unfollowed", lang, title=esc(feed.title or feed.url)))
    raise ApplicationHandlerStop


# -- polling ----------------------------------------------------------------------------------


async def poll_feeds(application: BotApplication) -> list[PollResult]:
    """Poll every due feed (in a thread); tell a chat once when one of its feeds is paused."""
    library = application.bot_data.library
    if library is None:
        return []
    poller = await poller_for(library)
    results = await asyncio.to_thread(poller.poll_due)
    lang = application.bot_data.config.telegram.default_language
    for result in results:
        feed = result.feed
        if not feed.scope.startswith("chat:"):
            continue
        chat_id = int(feed.scope.split(":", 1)[1])
        title = esc(feed.title or feed.url)
        if result.paused_now:
            await _tell(
                application,
                chat_id,
                t(
                    "feed_paused_notice",
                    lang,
                    title=title,
                    reason=esc(feed.paused or ""),
                    url=esc(feed.url),
                ),
            )
        if result.quota_notice:
            await _tell(application, chat_id, t("feed_quota_notice", lang, title=title))
        if feed.announce and result.added and not result.backfill:
            await _tell(application, chat_id, _announcement(result, lang))
    return results


def _announcement(result: PollResult, lang: str) -> str:
    """New articles of a feed, as links (at most 10 named)."""
    lines = [t("feed_new", lang, feed=esc(result.feed.title or result.feed.url))]
    for article in result.added[-10:]:
        title = esc(article.title or t("untitled", lang))
        url = article.url or ""
        lines.append(
            f'• <a href="{esc(url)}">{title}</a>'
            if url.startswith(("http://", "https://"))
            else f"• {title}"
        )
    return "\n".join(lines)


async def _tell(application: BotApplication, chat_id: int, text: str) -> None:
    try:
        await send(application, chat_id, text)
    except TelegramError as exc:  # the bot was removed from the chat, …
        log.warning("could not tell chat %s about its feeds: %s", chat_id, exc)


async def _poll_job(context: BotContext) -> None:
    await poll_feeds(context.application)  # type: ignore[arg-type]  # PTB's generic ST


def register(application: BotApplication) -> None:
    """Add the link and feed handlers (group -1, see the module docstring) and the poll job."""
    message = filters.UpdateType.MESSAGE
    post = filters.UpdateType.CHANNEL_POST  # CommandHandler never sees channel posts
    add = application.add_handler
    add(MessageHandler((message | post) & filters.Regex(ADD_LINK), cmd_add_link), group=-1)
    add(
        MessageHandler(
            message & filters.ChatType.PRIVATE & filters.Regex(LINK_ONLY), on_private_link
        ),
        group=-1,
    )
    add(
        MessageHandler(
            message & filters.REPLY & filters.Regex(r"^/add(?:@\w+)?\s*$"), cmd_add_forward
        ),
        group=-1,
    )
    # Automatic forwards (a channel's posts copied into its discussion group) are the channel
    # handlers' business, not an admin forwarding news.
    add(
        MessageHandler(
            message
            & filters.FORWARDED
            & ~filters.IS_AUTOMATIC_FORWARD
            & (filters.TEXT | filters.CAPTION)
            & ~filters.COMMAND,
            on_forward,
        ),
        group=-1,
    )
    for name, callback in (
        ("follow", cmd_follow),
        ("feeds", cmd_feeds),
        ("unfollow", cmd_unfollow),
    ):
        add(CommandHandler(name, callback, filters=message), group=-1)
        add(MessageHandler(post & filters.Regex(rf"^/{name}(?:@\w+)?(?:\s|$)"), callback), group=-1)
    add(
        MessageHandler(
            message & filters.Document.ALL & filters.CaptionRegex(r"^/follow(@\w+)?\b"), cmd_follow
        ),
        group=-1,
    )
    if application.job_queue is not None:
        application.job_queue.run_repeating(
            _poll_job, interval=POLL_TICK_SECONDS, first=POLL_TICK_SECONDS, name="feeds"
        )
