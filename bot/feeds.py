"""Following feeds: follow/unfollow, and the poller that turns new items into articles.

Library layer, no Telegram: the CLI calls it directly, the bot from a worker thread
(``asyncio.to_thread``) on PTB's JobQueue. Blocking by design (httpx sync client, SQLite).

Polling: every due feed (``next_poll`` passed, not paused) is fetched with a conditional GET
(ETag / Last-Modified), at most ``feeds.concurrency`` requests in flight and one request at a
time per host (page fetches of items included). New items — keys not seen before for this
feed, across restarts — become articles: the item's own full text, or, when it carries only
a summary (shorter than ``feeds.summary_chars``) and the feed's ``fetch_pages`` is on, its
linked page, parsed like any link; the item's title, authors and date and the feed's title
(as outlet) fill what the page lacks. The first poll after ``follow`` is a quiet backfill.
A feed failing ``pause_after_failures`` times in a row is paused with the reason; following
it again resumes it. The next poll is the interval later, moved by up to ±``jitter``.
"""

from __future__ import annotations

import hashlib
import logging
import random
import threading
import time
import urllib.parse
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any

from .config import Config
from .errors import (
    ArticleError,
    BotError,
    FeedError,
    FetchError,
    NotAPage,
    ParseError,
    QuotaExceeded,
    StoreError,
    UnreadableFile,
)
from .feedstore import Feed, FeedStore
from .ingest.feeds import FeedDocument, FeedItem, OpmlFeed, discover_feed_link, parse_feed
from .ingest.fetch import Accept, Fetched, Fetcher, article_from_fetched, page_text
from .library import Library
from .models import Article

log = logging.getLogger(__name__)

#: progress(done, total), called from the polling thread during long operations.
Progress = Callable[[int, int], None]


@dataclass
class PollResult:
    """What one poll of one feed did."""

    feed: Feed
    added: list[Article] = field(default_factory=list)
    not_modified: bool = False
    error: str | None = None
    paused_now: bool = False  # this poll paused the feed: tell the chat's admins once
    backfill: bool = False  # the first poll after follow: not announced
    skipped_quota: int = 0  # new items not stored because the chat's quota is full
    dropped: int = 0  # old feed articles removed to make room (quotas)
    quota_notice: bool = False  # first time this feed hit a quota: tell the chat's admins

    def to_json(self) -> dict[str, object]:
        return {
            "feed": self.feed.id,
            "url": self.feed.url,
            "added": len(self.added),
            "not_modified": self.not_modified,
            "error": self.error,
            "paused": self.paused_now,
            "backfill": self.backfill,
            "skipped_quota": self.skipped_quota,
            "dropped": self.dropped,
        }


class _HostGates:
    """One lock per host (one request at a time each) under a global bound on requests."""

    def __init__(self, concurrency: int):
        self._slots = threading.BoundedSemaphore(concurrency)
        self._hosts: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()

    def host(self, url: str) -> threading.Lock:
        host = (urllib.parse.urlsplit(url).hostname or "").lower()
        with self._lock:
            return self._hosts.setdefault(host, threading.Lock())

    def run(self, url: str, request: Callable[[], Fetched]) -> Fetched:
        with self.host(url), self._slots:
            return request()


class FeedPoller:
    """Feeds of every scope over one library; thread-safe (one gate set per poller)."""

    def __init__(
        self,
        library: Library,
        config: Config | None = None,
        *,
        fetcher: Fetcher | None = None,
        clock: Callable[[], float] = time.time,
    ):
        self.library = library
        self.config = config or library.config
        self.settings = self.config.feeds
        self.feeds = FeedStore(library.store)
        self.fetcher = fetcher or Fetcher(self.config.fetch)
        self._own_fetcher = fetcher is None
        self._gates = _HostGates(self.settings.concurrency)
        self._clock = clock
        self._polling = threading.Lock()

    def close(self) -> None:
        if self._own_fetcher:
            self.fetcher.close()

    def __enter__(self) -> FeedPoller:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- requests --------------------------------------------------------------------------

    def _get(
        self, url: str, accept: Accept, etag: str | None = None, last_modified: str | None = None
    ) -> Fetched:
        return self._gates.run(
            url,
            lambda: self.fetcher.get(url, accept=accept, etag=etag, last_modified=last_modified),
        )

    def _fetch_feed(
        self,
        url: str,
        etag: str | None = None,
        last_modified: str | None = None,
        body_hash: str | None = None,
    ) -> tuple[Fetched, FeedDocument | None]:
        """The feed and its parsed document; None when it did not change (a 304, or the
        same bytes as last time from a server that ignores conditional requests)."""
        fetched = self._get(url, "feed", etag, last_modified)
        if fetched.not_modified or (body_hash and _body_hash(fetched) == body_hash):
            return fetched, None
        return fetched, parse_feed(fetched.data, url=fetched.url, content_type=fetched.content_type)

    # -- following -------------------------------------------------------------------------

    def interval_seconds(self, minutes: int | None) -> int:
        chosen = self.settings.interval_minutes if minutes is None else minutes
        return max(chosen, self.settings.min_interval_minutes) * 60

    def follow(
        self,
        url: str,
        scope: str,
        *,
        interval_minutes: int | None = None,
        fetch_pages: bool | None = None,
        announce: bool | None = None,
        progress: Progress | None = None,
    ) -> PollResult:
        """Follow a feed in a scope and backfill its current items quietly.

        A web page that links its feed (``<link rel="alternate">``) is followed through that
        feed. Following a feed again resumes it when paused. Raises FetchError / FeedError
        and stores nothing when the URL is no readable feed. ``progress(done, total)`` is
        called after each new item of the backfill (from this thread).
        """
        url = url.strip()
        existing = self.feeds.find(url, scope)
        if existing is None:
            fetched = self._get(url, "feed")
            try:
                document = parse_feed(
                    fetched.data, url=fetched.url, content_type=fetched.content_type
                )
            except FeedError:
                link = discover_feed_link(page_text(fetched)) if fetched.is_html else None
                if link is None:
                    raise
                url = urllib.parse.urljoin(fetched.url, link)
                existing = self.feeds.find(url, scope)
                if existing is None:
                    fetched, found = self._fetch_feed(url)
                    if found is None:
                        raise
                    document = found
        if existing is not None:
            changes: dict[str, object] = {
                "paused": None,
                "failures": 0,
                "quota_told": False,
                "next_poll": self._clock(),
            }
            if interval_minutes is not None:
                changes["interval"] = self.interval_seconds(interval_minutes)
            if fetch_pages is not None:
                changes["fetch_pages"] = fetch_pages
            if announce is not None:
                changes["announce"] = announce
            self.feeds.update(existing.id, **changes)
            return self.poll_feed(self._feed(existing.id), progress=progress)
        if scope.startswith("chat:") and self.feeds.count(scope) >= self.settings.max_per_chat:
            raise FeedError(f"已达到订阅源上限（{self.settings.max_per_chat} 个）")
        feed = self.feeds.add(
            url,
            scope,
            interval=self.interval_seconds(interval_minutes),
            fetch_pages=self.settings.fetch_pages if fetch_pages is None else fetch_pages,
            title=document.title,
            announce=bool(announce),
        )
        return self._ingest(feed, fetched, document, progress)

    def follow_opml(
        self, entries: list[OpmlFeed], scope: str, progress: Progress | None = None
    ) -> list[tuple[OpmlFeed, PollResult | BotError]]:
        """Follow every feed of an OPML list; each feed's result or error, in order."""
        results: list[tuple[OpmlFeed, PollResult | BotError]] = []
        for done, entry in enumerate(entries, start=1):
            try:
                results.append((entry, self.follow(entry.url, scope)))
            except BotError as exc:
                results.append((entry, exc))
            if progress is not None:
                progress(done, len(entries))
        return results

    def unfollow(self, feed_id: int, scope: str | None = None) -> bool:
        """Stop following (its articles stay in the library); False if no such feed."""
        return self.feeds.remove(feed_id, scope)

    def list_feeds(self, scope: str | None = None) -> list[Feed]:
        return self.feeds.list_feeds(scope)

    def _feed(self, feed_id: int) -> Feed:
        feed = self.feeds.get(feed_id)
        if feed is None:
            raise FeedError(f"没有编号为 {feed_id} 的订阅源")
        return feed

    # -- polling ---------------------------------------------------------------------------

    def poll_due(self, *, force: bool = False, scope: str | None = None) -> list[PollResult]:
        """Poll every due feed (every unpaused feed with ``force``), concurrently."""
        with self._polling:  # a slow round and the next tick never overlap
            now = self._clock()
            feeds = self.feeds.list_feeds(scope) if force else self.feeds.due(now)
            feeds = [f for f in feeds if f.paused is None and (scope is None or f.scope == scope)]
            if not feeds:
                return []
            workers = min(self.settings.concurrency, len(feeds))
            with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="feed") as pool:
                return list(pool.map(self._poll_isolated, feeds))

    def _poll_isolated(self, feed: Feed) -> PollResult:
        """``poll_feed``, where even a bug costs only this feed's poll, never the round."""
        try:
            return self.poll_feed(feed)
        except Exception as exc:  # noqa: BLE001 (logged with its traceback, counted)
            log.exception("feed %s: unexpected error while polling", feed.url)
            try:
                return self._failed(feed, f"内部错误（{exc.__class__.__name__}）")
            except BotError:
                return PollResult(feed, error=exc.__class__.__name__)

    def poll_feed(self, feed: Feed, progress: Progress | None = None) -> PollResult:
        """Fetch one feed now and store its new items; failures are counted, never raised."""
        try:
            fetched, document = self._fetch_feed(
                feed.url, feed.etag, feed.last_modified, feed.body_hash
            )
        except (FetchError, FeedError) as exc:
            return self._failed(feed, str(exc))
        if document is None:
            self._succeeded(feed, fetched, added=False)
            return PollResult(self._feed(feed.id), not_modified=True)
        try:
            return self._ingest(feed, fetched, document, progress)
        except StoreError as exc:
            # Not the feed's fault: the next poll tries again, nothing counted.
            log.error("feed %s: %s", feed.url, exc)
            self.feeds.update(feed.id, next_poll=self._next_poll(feed))
            return PollResult(feed, error=str(exc))

    def _ingest(
        self, feed: Feed, fetched: Fetched, document: FeedDocument, progress: Progress | None = None
    ) -> PollResult:
        backfill = not feed.backfilled
        fresh: dict[str, FeedItem] = {}
        for item in document.items:
            fresh.setdefault(item.key, item)  # a guid twice in one document is one item
        already = self.feeds.seen_keys(feed.id, list(fresh))
        new_items = [item for key, item in fresh.items() if key not in already]
        made: list[tuple[str, Article | None]] = []
        # Feeds list newest first: store oldest first, so "newest" means newest.
        for done, item in enumerate(reversed(new_items), start=1):
            made.append((item.key, self._item_article(feed, document, item)))
            if progress is not None:
                progress(done, len(new_items))
        articles = [article for _, article in made if article is not None]
        dropped, skipped = self._make_room(feed, len(articles))
        if skipped:
            articles = articles[skipped:]  # the oldest new items give way
            log.warning(
                "feed %s: %d new items not stored, the chat's article quota is full",
                feed.url,
                skipped,
            )
        try:
            stored = self.library.add_articles(articles, feed.scope) if articles else []
        except QuotaExceeded as exc:  # the chat's bytes are used up: nothing of this poll
            log.warning("feed %s: %d new items not stored: %s", feed.url, len(articles), exc)
            skipped += len(articles)
            articles, stored = [], []
        stored_as = {id(article): kept for article, kept in zip(articles, stored, strict=True)}
        self.feeds.mark_seen(
            feed.id,
            [(key, stored_as[id(a)].id if id(a) in stored_as else None) for key, a in made],
            remember=max(self.settings.remember_items, len(fresh)),
        )
        dropped += self._trim_feed(feed)
        self._succeeded(feed, fetched, added=bool(stored), title=document.title)
        unique = list({article.id: article for article in stored}.values())
        notice = bool(dropped or skipped) and not feed.quota_told
        if notice:
            self.feeds.update(feed.id, quota_told=True)
        return PollResult(
            self._feed(feed.id),
            added=unique,
            backfill=backfill,
            skipped_quota=skipped,
            dropped=dropped,
            quota_notice=notice,
        )

    def _make_room(self, feed: Feed, wanted: int) -> tuple[int, int]:
        """Room in the chat's quota for ``wanted`` new articles: its oldest articles that came
        from feeds are removed first; (removed, still not fitting)."""
        room = self._room(feed.scope)
        if room is None or wanted <= room:
            return 0, 0
        removed = 0
        for article_id in self.feeds.oldest_articles(feed.scope, wanted - room):
            if self.library.remove_article(article_id, feed.scope):
                removed += 1
            self.feeds.forget_article(article_id)
        return removed, max(0, wanted - room - removed)

    def _trim_feed(self, feed: Feed) -> int:
        """Keep at most ``feeds.max_items_per_feed`` of this feed's articles (oldest go)."""
        removed = 0
        for article_id in self.feeds.excess_articles(feed.id, self.settings.max_items_per_feed):
            if self.library.remove_article(article_id, feed.scope):
                removed += 1
            self.feeds.forget_article(article_id)
        return removed

    def _room(self, scope: str) -> int | None:
        if not scope.startswith("chat:"):
            return None
        limit = self.config.telegram.limits.max_articles_per_chat
        return max(0, limit - self.library.count_articles(scope))

    def _item_article(self, feed: Feed, document: FeedDocument, item: FeedItem) -> Article | None:
        """The article an item becomes (None: nothing quotable), see the module docstring."""
        from .ingest.parsing import parse_text

        article: Article | None = None
        if feed.fetch_pages and item.link and item.text_chars < self.settings.summary_chars:
            try:
                fetched = self._get(item.link, "page")
                try:
                    article = article_from_fetched(fetched)
                except UnreadableFile:
                    raise NotAPage("不是网页", url=fetched.url) from None
            except (FetchError, ArticleError) as exc:
                log.info(
                    "feed %s: item page %s not used (%s); using the item's own text",
                    feed.url,
                    item.link,
                    exc,
                )
        if article is None and item.own_html:
            metadata: dict[str, object] = {
                "title": item.title,
                "url": item.link,
                "reporters": item.authors or None,
                "date": item.date_text,
                "date_iso": item.date_iso,
            }
            try:
                article = parse_text(
                    item.own_html,
                    metadata={k: v for k, v in metadata.items() if v},
                    origin=item.link or feed.url,
                    is_html=True,
                )
            except ParseError:
                return None
        if article is None:
            return None
        return _filled(article, item, document.title or feed.title)

    def _next_poll(self, feed: Feed) -> float:
        spread = feed.interval * self.settings.jitter
        return self._clock() + feed.interval + random.uniform(-spread, spread)

    def _succeeded(
        self, feed: Feed, fetched: Fetched, *, added: bool, title: str | None = None
    ) -> None:
        now = self._clock()
        changes: dict[str, object] = {
            "failures": 0,
            "last_error": None,
            "last_polled": now,
            "backfilled": True,
            "next_poll": self._next_poll(feed),
        }
        if not fetched.not_modified:
            changes.update(
                etag=fetched.etag,
                last_modified=fetched.last_modified,
                body_hash=_body_hash(fetched),
            )
        if added:
            changes["last_new"] = now
        if title and title != feed.title:
            changes["title"] = title
        self.feeds.update(feed.id, **changes)

    def _failed(self, feed: Feed, problem: str) -> PollResult:
        failures = feed.failures + 1
        pause = failures >= self.settings.pause_after_failures
        self.feeds.update(
            feed.id,
            failures=failures,
            last_error=problem,
            last_polled=self._clock(),
            next_poll=self._next_poll(feed),
            paused=f"连续 {failures} 次失败：{problem}" if pause else None,
        )
        log.info("feed %s failed (%d in a row): %s", feed.url, failures, problem)
        return PollResult(self._feed(feed.id), error=problem, paused_now=pause)


def _body_hash(fetched: Fetched) -> str:
    return hashlib.sha1(fetched.data).hexdigest()


def _filled(article: Article, item: FeedItem, feed_title: str | None) -> Article:
    """The item's title/authors/date/link and the feed's title fill what the article lacks."""
    changes: dict[str, Any] = {}
    if not article.title and item.title:
        changes["title"] = item.title
    if not article.reporters and item.authors:
        changes["reporters"] = list(item.authors)
    if not article.date and item.date_iso:
        changes.update(date=item.date_iso, date_text=item.date_text)
    if not article.source and feed_title:
        changes["source"] = feed_title
    if not article.url and item.link:
        changes["url"] = item.link
    return replace(article, **changes) if changes else article
