"""Followed feeds and the items already seen, in the article store's SQLite file.

Two tables beside the articles, in the same file (one backup, one transaction discipline):
``feeds`` (one row per feed and scope: URL, interval, validators, failures, why paused) and
``feed_items`` (the keys of items already taken from a feed, so an item is stored once across
restarts; the newest ``remember`` keys are kept per feed). Uses the store's connection, lock
and transactions; the store itself knows nothing of feeds.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from .errors import FeedError
from .store import ArticleStore

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feeds (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    url TEXT NOT NULL,
    scope TEXT NOT NULL,
    title TEXT,
    interval INTEGER NOT NULL,
    fetch_pages INTEGER NOT NULL DEFAULT 1,
    announce INTEGER NOT NULL DEFAULT 0,
    etag TEXT,
    last_modified TEXT,
    failures INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    paused TEXT,
    added REAL NOT NULL,
    last_polled REAL,
    last_new REAL,
    next_poll REAL NOT NULL,
    backfilled INTEGER NOT NULL DEFAULT 0,
    quota_told INTEGER NOT NULL DEFAULT 0,
    body_hash TEXT,
    UNIQUE (url, scope)
);
CREATE TABLE IF NOT EXISTS feed_items (
    feed_id INTEGER NOT NULL,
    key TEXT NOT NULL,
    article_id TEXT,
    seen REAL NOT NULL,
    PRIMARY KEY (feed_id, key)
);
CREATE INDEX IF NOT EXISTS feed_items_by_age ON feed_items(feed_id, seen);
"""

_COLUMNS = (
    "id",
    "url",
    "scope",
    "title",
    "interval",
    "fetch_pages",
    "announce",
    "etag",
    "last_modified",
    "failures",
    "last_error",
    "paused",
    "added",
    "last_polled",
    "last_new",
    "next_poll",
    "backfilled",
    "quota_told",
    "body_hash",
)


@dataclass(frozen=True)
class Feed:
    """One followed feed of one scope. ``interval`` in seconds; ``paused`` is why, or None."""

    id: int
    url: str
    scope: str
    title: str | None
    interval: int
    fetch_pages: bool
    announce: bool
    etag: str | None
    last_modified: str | None
    failures: int
    last_error: str | None
    paused: str | None
    added: float
    last_polled: float | None
    last_new: float | None
    next_poll: float
    backfilled: bool
    quota_told: bool
    body_hash: str | None

    def to_json(self) -> dict[str, object]:
        return {name: getattr(self, name) for name in _COLUMNS}


def _feed(row: tuple) -> Feed:
    values = dict(zip(_COLUMNS, row, strict=True))
    for flag in ("fetch_pages", "announce", "backfilled", "quota_told"):
        values[flag] = bool(values[flag])
    return Feed(**values)


class FeedStore:
    """Feeds and seen item keys; every method is one statement or one transaction."""

    def __init__(self, store: ArticleStore):
        self.store = store
        with store._lock:
            assert store._db is not None
            store._db.executescript(_SCHEMA)

    def _select(self, where: str = "", params: tuple = ()) -> list[Feed]:
        sql = f"SELECT {', '.join(_COLUMNS)} FROM feeds {where}"
        return [_feed(row) for row in self.store._query(sql, params)]

    def get(self, feed_id: int) -> Feed | None:
        found = self._select("WHERE id=?", (feed_id,))
        return found[0] if found else None

    def find(self, url: str, scope: str) -> Feed | None:
        found = self._select("WHERE url=? AND scope=?", (url, scope))
        return found[0] if found else None

    def list_feeds(self, scope: str | None = None) -> list[Feed]:
        if scope is None:
            return self._select("ORDER BY id")
        return self._select("WHERE scope=? ORDER BY id", (scope,))

    def count(self, scope: str) -> int:
        return int(self.store._query("SELECT COUNT(*) FROM feeds WHERE scope=?", (scope,))[0][0])

    def due(self, now: float) -> list[Feed]:
        return self._select("WHERE paused IS NULL AND next_poll <= ? ORDER BY next_poll", (now,))

    def add(
        self,
        url: str,
        scope: str,
        *,
        interval: int,
        fetch_pages: bool,
        title: str | None = None,
        announce: bool = False,
    ) -> Feed:
        now = time.time()
        with self.store._transaction() as db:
            cursor = db.execute(
                "INSERT INTO feeds(url, scope, title, interval, fetch_pages, announce, added, "
                "next_poll) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                # follow() has just read it: the next poll is one interval away
                (url, scope, title, interval, int(fetch_pages), int(announce), now, now + interval),
            )
            feed_id = cursor.lastrowid
        feed = self.get(int(feed_id or 0))
        if feed is None:
            raise FeedError(f"the feed {url} could not be saved")
        return feed

    def update(self, feed_id: int, **values: object) -> None:
        unknown = set(values) - set(_COLUMNS[1:])
        if unknown:
            raise ValueError(f"unknown feed columns: {sorted(unknown)}")
        if not values:
            return
        assignments = ", ".join(f"{name}=?" for name in values)
        params = tuple(int(v) if isinstance(v, bool) else v for v in values.values())
        with self.store._transaction() as db:
            db.execute(f"UPDATE feeds SET {assignments} WHERE id=?", (*params, feed_id))

    def remove(self, feed_id: int, scope: str | None = None) -> bool:
        """Forget a feed and its seen items (its articles stay); False if there is none."""
        with self.store._transaction() as db:
            if scope is None:
                cursor = db.execute("DELETE FROM feeds WHERE id=?", (feed_id,))
            else:
                cursor = db.execute("DELETE FROM feeds WHERE id=? AND scope=?", (feed_id, scope))
            if cursor.rowcount:
                db.execute("DELETE FROM feed_items WHERE feed_id=?", (feed_id,))
            return cursor.rowcount > 0

    def seen_keys(self, feed_id: int, keys: list[str]) -> set[str]:
        """The keys among ``keys`` already taken from this feed."""
        seen: set[str] = set()
        for start in range(0, len(keys), 500):  # SQLite's bound on host parameters
            chunk = keys[start : start + 500]
            marks = ", ".join("?" * len(chunk))
            rows = self.store._query(
                f"SELECT key FROM feed_items WHERE feed_id=? AND key IN ({marks})",
                (feed_id, *chunk),
            )
            seen.update(row[0] for row in rows)
        return seen

    def mark_seen(
        self, feed_id: int, items: list[tuple[str, str | None]], *, remember: int
    ) -> None:
        """Remember item keys (with the article each became, if any); keep the newest."""
        now = time.time()
        with self.store._transaction() as db:
            db.executemany(
                "INSERT OR IGNORE INTO feed_items(feed_id, key, article_id, seen) "
                "VALUES (?, ?, ?, ?)",
                [(feed_id, key, aid, now) for key, aid in items],
            )
            db.execute(
                "DELETE FROM feed_items WHERE feed_id=? AND rowid NOT IN (SELECT rowid FROM "
                "feed_items WHERE feed_id=? ORDER BY seen DESC, rowid DESC LIMIT ?)",
                (feed_id, feed_id, remember),
            )

    def oldest_articles(self, scope: str, count: int) -> list[str]:
        """The ids of the ``count`` oldest articles that feeds brought into a scope."""
        rows = self.store._query(
            "SELECT i.article_id FROM feed_items i JOIN feeds f ON f.id = i.feed_id "
            "WHERE f.scope=? AND i.article_id IS NOT NULL ORDER BY i.seen, i.rowid LIMIT ?",
            (scope, count),
        )
        return [row[0] for row in rows]

    def excess_articles(self, feed_id: int, keep: int) -> list[str]:
        """The ids of this feed's articles beyond its newest ``keep``."""
        rows = self.store._query(
            "SELECT article_id FROM feed_items WHERE feed_id=? AND article_id IS NOT NULL "
            "ORDER BY seen DESC, rowid DESC LIMIT -1 OFFSET ?",
            (feed_id, keep),
        )
        return [row[0] for row in rows]

    def forget_article(self, article_id: str) -> None:
        """The article is gone: its items stay seen (never fetched again), pointing nowhere."""
        with self.store._transaction() as db:
            db.execute("UPDATE feed_items SET article_id=NULL WHERE article_id=?", (article_id,))
