"""The article store: every article and chat setting, in one SQLite file.

SQLite in WAL mode with one transaction per write, so a process killed at any moment
leaves either the whole article or none of it; an acknowledged ``put`` is on disk
(``synchronous=FULL``). The search index is derived data rebuilt from this store, never
the other way round.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
import time
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Literal

from .errors import StoreError
from .models import Article

SCHEMA_VERSION = 1

CorpusChoice = Literal["both", "shared", "own"]


@dataclass(frozen=True)
class ChatSettings:
    """What an admin can change for one chat or channel."""

    per_message: int | None = None
    corpus: CorpusChoice = "both"
    ingest_channel: bool = True
    linked_chat_id: int | None = None

    def with_changes(self, **changes: object) -> "ChatSettings":
        return replace(self, **changes)


_SCHEMA = """
CREATE TABLE IF NOT EXISTS articles (
    id TEXT PRIMARY KEY,
    scope TEXT NOT NULL,
    added REAL NOT NULL,
    source TEXT,
    date TEXT,
    paragraphs INTEGER NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS articles_by_scope ON articles(scope, added);
CREATE TABLE IF NOT EXISTS chat_settings (
    chat_id INTEGER PRIMARY KEY,
    data TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"""


class ArticleStore:
    """Articles by scope, chat settings and small key/value facts, in SQLite."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._lock = threading.RLock()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # The bot is single-process; the lock serialises the event loop and worker threads.
            self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.execute("PRAGMA busy_timeout=5000")
            self._db.executescript(_SCHEMA)
            self._check_version()
            self._db.execute("PRAGMA quick_check").fetchone()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"cannot open the article store {self.path}: {exc}") from None
        except OSError as exc:
            raise StoreError(f"cannot create the data directory for {self.path}: {exc.strerror}") from None

    def _check_version(self) -> None:
        row = self._db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        if row is None:
            self._db.execute("INSERT INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
        elif row[0] != str(SCHEMA_VERSION):
            raise StoreError(f"{self.path} has schema version {row[0]}, this bot reads {SCHEMA_VERSION}")

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    yield self._db
                except BaseException:
                    self._db.execute("ROLLBACK")
                    raise
                self._db.execute("COMMIT")
            except sqlite3.Error as exc:
                raise StoreError(f"cannot write the article store {self.path}: {exc}") from None

    def _query(self, sql: str, params: tuple = ()) -> list[tuple]:
        with self._lock:
            try:
                return self._db.execute(sql, params).fetchall()
            except sqlite3.Error as exc:
                raise StoreError(f"cannot read the article store {self.path}: {exc}") from None

    # -- the corpus digest -----------------------------------------------------------------
    # XOR of one hash per stored article: order-free and updatable on every put and remove in
    # the same transaction, so the index can say which exact corpus it was built from.

    @staticmethod
    def _row_hash(article_id: str, scope: str, data: str) -> int:
        digest = hashlib.sha256(f"{article_id}\x00{scope}\x00{data}".encode("utf-8", "surrogatepass"))
        return int.from_bytes(digest.digest()[:16], "big")

    def _digest_value(self, db: sqlite3.Connection) -> int:
        row = db.execute("SELECT value FROM meta WHERE key='corpus_digest'").fetchone()
        return int(row[0], 16) if row else 0

    def _set_digest(self, db: sqlite3.Connection, value: int) -> None:
        db.execute("INSERT INTO meta VALUES ('corpus_digest', ?) "
                   "ON CONFLICT(key) DO UPDATE SET value=excluded.value", (f"{value:032x}",))

    def digest(self) -> str:
        """Identifies the stored corpus exactly; changes with every article put or removed."""
        with self._lock:
            return f"{self._digest_value(self._db):032x}"

    def _put_rows(self, db: sqlite3.Connection, items: list[tuple[Article, str]]) -> None:
        digest = self._digest_value(db)
        now = time.time()
        for article, scope in items:
            data = json.dumps(article.to_json(), ensure_ascii=False)
            old = db.execute("SELECT scope, data FROM articles WHERE id=?", (article.id,)).fetchone()
            if old is not None:
                digest ^= self._row_hash(article.id, old[0], old[1])
            db.execute(
                "INSERT INTO articles(id, scope, added, source, date, paragraphs, data) "
                "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET scope=excluded.scope, "
                "source=excluded.source, date=excluded.date, paragraphs=excluded.paragraphs, "
                "data=excluded.data",
                (article.id, scope, now, article.source, article.date, len(article.body), data),
            )
            digest ^= self._row_hash(article.id, scope, data)
        self._set_digest(db, digest)

    def _remove_rows(self, db: sqlite3.Connection, article_ids: list[str], scope: str | None) -> int:
        digest = self._digest_value(db)
        removed = 0
        for article_id in article_ids:
            old = db.execute("SELECT scope, data FROM articles WHERE id=?", (article_id,)).fetchone()
            if old is None or (scope is not None and old[0] != scope):
                continue
            db.execute("DELETE FROM articles WHERE id=?", (article_id,))
            digest ^= self._row_hash(article_id, old[0], old[1])
            removed += 1
        self._set_digest(db, digest)
        return removed

    # -- articles -----------------------------------------------------------------------

    def put(self, article: Article, scope: str) -> None:
        """Insert or replace an article (its added time is kept on replace)."""
        self.put_many([(article, scope)])

    def put_many(self, items: list[tuple[Article, str]]) -> None:
        """Several articles in one transaction: all of them or none."""
        with self._transaction() as db:
            self._put_rows(db, items)

    def get(self, article_id: str) -> Article | None:
        rows = self._query("SELECT data FROM articles WHERE id=?", (article_id,))
        return Article.from_json(json.loads(rows[0][0])) if rows else None

    def scope_of(self, article_id: str) -> str | None:
        rows = self._query("SELECT scope FROM articles WHERE id=?", (article_id,))
        return rows[0][0] if rows else None

    def remove(self, article_id: str, scope: str) -> bool:
        """Remove an article of that scope; an article of another scope is left alone."""
        with self._transaction() as db:
            return self._remove_rows(db, [article_id], scope) > 0

    def remove_many(self, article_ids: list[str]) -> int:
        with self._transaction() as db:
            return self._remove_rows(db, list(article_ids), None)

    def list(self, scope: str, *, offset: int = 0, limit: int = 10) -> list[Article]:
        rows = self._query(
            "SELECT data FROM articles WHERE scope=? ORDER BY added DESC, id LIMIT ? OFFSET ?",
            (scope, limit, offset),
        )
        return [Article.from_json(json.loads(r[0])) for r in rows]

    def count(self, scope: str) -> int:
        return self._query("SELECT COUNT(*) FROM articles WHERE scope=?", (scope,))[0][0]

    def ids(self, scope: str | None = None) -> dict[str, str]:
        """Article id → scope, for all articles or one scope."""
        if scope is None:
            return dict(self._query("SELECT id, scope FROM articles"))
        return dict(self._query("SELECT id, scope FROM articles WHERE scope=?", (scope,)))

    def summary(self, scopes: Collection[str] | None) -> tuple[int, int, list[tuple[str, int]], str | None]:
        """Articles, body paragraphs, (source, count) most first, newest date — of some scopes."""
        where, params = "", ()
        if scopes is not None:
            scopes = list(scopes)
            if not scopes:
                return 0, 0, [], None
            where = "WHERE scope IN (" + ",".join("?" * len(scopes)) + ")"
            params = tuple(scopes)
        count, paragraphs, newest = self._query(
            f"SELECT COUNT(*), COALESCE(SUM(paragraphs), 0), MAX(date) FROM articles {where}", params)[0]
        sources = self._query(
            f"SELECT source, COUNT(*) AS n FROM articles {where} "
            f"{'AND' if where else 'WHERE'} source IS NOT NULL GROUP BY source ORDER BY n DESC, source",
            params)
        return count, paragraphs, [(s, n) for s, n in sources], newest

    def iter_all(self) -> Iterator[tuple[Article, str]]:
        for data, scope in self._query("SELECT data, scope FROM articles ORDER BY added, id"):
            yield Article.from_json(json.loads(data)), scope

    # -- chat settings and meta ----------------------------------------------------------

    def chat_settings(self, chat_id: int) -> ChatSettings:
        rows = self._query("SELECT data FROM chat_settings WHERE chat_id=?", (chat_id,))
        if not rows:
            return ChatSettings()
        known = ChatSettings.__dataclass_fields__
        data = {k: v for k, v in json.loads(rows[0][0]).items() if k in known}
        return ChatSettings(**data)

    def save_chat_settings(self, chat_id: int, settings: ChatSettings) -> None:
        with self._transaction() as db:
            db.execute(
                "INSERT INTO chat_settings VALUES (?, ?) ON CONFLICT(chat_id) DO UPDATE SET data=excluded.data",
                (chat_id, json.dumps(asdict(settings))),
            )

    def get_meta(self, key: str) -> str | None:
        rows = self._query("SELECT value FROM meta WHERE key=?", (key,))
        return rows[0][0] if rows else None

    def set_meta(self, key: str, value: str) -> None:
        with self._transaction() as db:
            db.execute("INSERT INTO meta VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value=excluded.value",
                       (key, value))

    def close(self) -> None:
        with self._lock:
            self._db.close()
