"""The article store: every article and chat setting, in one SQLite file.

SQLite in WAL mode with one transaction per write, so a process killed at any moment
leaves either the whole article or none of it; an acknowledged ``put`` is on disk
(``synchronous=FULL``). The search index is derived data rebuilt from this store, never
the other way round.

When the file cannot be used as it is, the store never moves, repairs or deletes it:

* ``StoreReadOnly`` (read-only data directory or file): ``ArticleStore.read_only_copy``
  opens it with ``mode=ro`` and copies it into memory, so questions are answered from
  everything it holds;
* ``StoreCorrupt`` (not a database, malformed pages): ``ArticleStore.salvage`` copies the
  rows that can still be read into memory.

Such an in-memory store has ``persistent`` False and ``problem`` saying why; the library
refuses to add or remove articles on it, and chat settings cannot be saved.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sqlite3
import threading
import time
import urllib.parse
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any, Literal

from .errors import StoreError
from .models import Article

log = logging.getLogger(__name__)

SCHEMA_VERSION = 2  # 2: articles.source, .date, .paragraphs (summary columns)

CorpusChoice = Literal["both", "shared", "own"]


@dataclass(frozen=True)
class ChatSettings:
    """What an admin can change for one chat or channel."""

    per_message: int | None = None
    corpus: CorpusChoice = "both"
    ingest_channel: bool = True
    linked_chat_id: int | None = None

    def with_changes(self, **changes: Any) -> ChatSettings:
        return replace(self, **changes)


class StoreReadOnly(StoreError):
    """The store exists but cannot be written (read-only directory, file or file system)."""


class StoreCorrupt(StoreError):
    """The file is not a usable SQLite database (garbage, truncated, malformed pages)."""


_CORRUPT_MARKERS = ("not a database", "malformed", "corrupt", "encrypted")
# A full disk at start-up is treated like a read-only directory: answer, refuse writes.
# So is an I/O error opening it (e.g. no room for the -wal file): a read-only copy never writes.
_READONLY_MARKERS = (
    "readonly",
    "read-only",
    "unable to open database file",
    "disk is full",
    "disk i/o error",
)

#: meta keys describing the articles table; recomputed, never copied, when salvaging.
_DERIVED_META = ("schema_version", "corpus_digest", "corpus_fingerprint")


def _write_problem(exc: sqlite3.Error) -> str:
    """A short, human description of a failed write."""
    text = str(exc)
    if "full" in text:
        return "the disk is full (database or disk is full)"
    if "readonly" in text:
        return "the data directory is read-only"
    return text


def _lookup_value(value: object) -> object:
    """A looked-up key SQLite cannot encode (a lone surrogate, as in the JSON ``"\\ud800"``)
    matches nothing stored (every stored text is valid UTF-8): it is passed as a BLOB, which
    never equals a TEXT, instead of failing with UnicodeEncodeError."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return value.encode("utf-8", "surrogatepass")
    return value


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

    #: False for an in-memory copy (read-only directory, damaged file): nothing reaches disk.
    persistent: bool = True
    #: Why the store is not persistent (one line for logs and replies), else None.
    problem: str | None = None

    def __init__(self, path: Path):
        self.path = Path(path)
        self._lock = threading.RLock()
        self._db: sqlite3.Connection | None = None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # The bot is single-process; the lock serialises the event loop and worker threads.
            self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
            self.db.execute("PRAGMA busy_timeout=5000")
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=FULL")
            self._prepare()
            self._probe_write()
        except sqlite3.DatabaseError as exc:
            self._close_quietly()
            raise self._open_error(exc) from None
        except OSError as exc:
            self._close_quietly()
            raise StoreReadOnly(
                f"cannot create the data directory for {self.path}: {exc.strerror}"
            ) from None

    @property
    def db(self) -> sqlite3.Connection:
        """The open connection (every method but the constructor runs on an open store)."""
        assert self._db is not None, "the store is closed"
        return self._db

    def _open_error(self, exc: sqlite3.DatabaseError) -> StoreError:
        text = str(exc)
        message = f"cannot open the article store {self.path}: {text}"
        if any(marker in text.lower() for marker in _CORRUPT_MARKERS):
            return StoreCorrupt(message)
        writable_dir = os.access(self.path.parent, os.W_OK)
        writable_file = not self.path.exists() or os.access(self.path, os.W_OK)
        if any(marker in text.lower() for marker in _READONLY_MARKERS) or not (
            writable_dir and writable_file
        ):
            return StoreReadOnly(message)
        return StoreError(message)

    def _close_quietly(self) -> None:
        if self._db is not None:
            try:
                self._db.close()
            except sqlite3.Error:
                pass

    def _prepare(self) -> None:
        """Schema, version (migrating older stores) and a quick integrity check."""
        assert self._db is not None
        self.db.executescript(_SCHEMA)
        self._check_version()
        row = self.db.execute("PRAGMA quick_check").fetchone()
        if row is None or row[0] != "ok":
            raise sqlite3.DatabaseError(
                f"database disk image is malformed (quick_check: {row and row[0]})"
            )

    def _probe_write(self) -> None:
        """Fail now, not at the first /add, when the file or its directory is read-only."""
        assert self._db is not None
        self.db.execute("BEGIN IMMEDIATE")
        try:
            self.db.execute(
                "INSERT INTO meta VALUES ('write_probe', '1') "
                "ON CONFLICT(key) DO UPDATE SET value=excluded.value"
            )
        finally:
            if self.db.in_transaction:  # SQLite has rolled back by itself after SQLITE_FULL
                self.db.execute("ROLLBACK")

    # -- degraded modes: an in-memory copy, the file left untouched --------------------------

    @classmethod
    def _in_memory(cls, path: Path, problem: str) -> ArticleStore:
        store = cls.__new__(cls)
        store.path = Path(path)
        store._lock = threading.RLock()
        store._db = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
        store.persistent = False
        store.problem = problem
        return store

    @classmethod
    def memory(cls, path: Path, problem: str) -> ArticleStore:
        """An empty in-memory store standing in for ``path`` (which is not touched)."""
        store = cls._in_memory(path, problem)
        store._prepare()
        return store

    @staticmethod
    def _connect_read_only(path: Path, *, immutable: bool = False) -> sqlite3.Connection:
        uri = "file:" + urllib.parse.quote(str(Path(path).resolve())) + "?mode=ro"
        if immutable:
            uri += "&immutable=1"
        return sqlite3.connect(uri, uri=True, check_same_thread=False, isolation_level=None)

    @classmethod
    def open_readable(cls, path: Path) -> sqlite3.Connection:
        """A read-only connection: ``mode=ro``, or ``immutable`` when the ``-shm`` file cannot
        be created (read-only directory after a clean shutdown, which leaves no ``-wal``)."""
        connection = cls._connect_read_only(path)
        try:
            connection.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
            return connection
        except sqlite3.OperationalError as exc:
            connection.close()
            # WAL without a -shm it may create: "unable to open database file" or "attempt
            # to write a readonly database", depending on which file is missing
            if not any(marker in str(exc) for marker in ("unable to open", "readonly")):
                raise
            return cls._connect_read_only(path, immutable=True)

    @classmethod
    def read_only_copy(cls, path: Path, problem: str) -> ArticleStore:
        """Everything the store holds, copied into memory through a ``mode=ro`` connection.

        A WAL database needs its ``-shm`` file; when that cannot be created (read-only
        directory after a clean shutdown) the file is opened ``immutable``, which is exact
        because a clean shutdown leaves no ``-wal`` behind."""
        store = cls._in_memory(path, problem)
        last: sqlite3.Error | None = None
        for immutable in (False, True):
            source = None
            try:
                source = cls._connect_read_only(path, immutable=immutable)
                source.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
                source.backup(store.db)
                break
            except sqlite3.Error as exc:
                last = exc
            finally:
                if source is not None:
                    source.close()
        else:
            store.db.close()
            raise StoreError(f"cannot read the article store {path}: {last}")
        wal = Path(f"{path}-wal")
        if immutable and wal.exists() and wal.stat().st_size:
            log.warning(
                "%s: its -wal file cannot be read without write access; the latest "
                "changes may be missing from this read-only copy",
                path,
            )
        try:
            store.db.execute("PRAGMA journal_mode=MEMORY")
            store._prepare()
        except sqlite3.DatabaseError as exc:
            store.db.close()
            raise StoreCorrupt(f"cannot open the article store {path}: {exc}") from None
        return store

    @classmethod
    def salvage(cls, path: Path, problem: str) -> ArticleStore:
        """An in-memory store holding the rows of ``path`` that can still be read (maybe none).
        The damaged file is only ever opened read-only."""
        store = cls.memory(path, problem)
        try:
            source = cls._connect_read_only(path, immutable=True)
        except sqlite3.Error:
            return store
        copied = {"articles": 0, "chat_settings": 0, "meta": 0}
        queries = {
            "articles": (
                "SELECT id, scope, added, data FROM articles",
                "INSERT OR IGNORE INTO articles(id, scope, added, source, date, paragraphs, data) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
            ),
            "chat_settings": (
                "SELECT chat_id, data FROM chat_settings",
                "INSERT OR IGNORE INTO chat_settings VALUES (?, ?)",
            ),
            "meta": ("SELECT key, value FROM meta", "INSERT OR IGNORE INTO meta VALUES (?, ?)"),
        }
        try:
            for table, (select, insert) in queries.items():
                try:
                    cursor = source.execute(select)
                    for _ in range(10_000_000):  # bounded: a damaged b-tree could loop
                        try:
                            row = cursor.fetchone()
                        except sqlite3.Error:
                            break
                        if row is None:
                            break
                        if table == "articles":
                            row = cls._with_summary(row)
                            if row is None:
                                continue
                        elif table == "meta" and row[0] in _DERIVED_META:
                            continue
                        store.db.execute(insert, row)
                        copied[table] += 1
                except sqlite3.Error:
                    continue
        finally:
            source.close()
        with store._transaction() as db:
            store._set_digest(db, store._recompute_digest(db))
        log.warning(
            "salvaged from %s: %d articles, %d chat settings, %d other records",
            path,
            copied["articles"],
            copied["chat_settings"],
            copied["meta"],
        )
        return store

    @staticmethod
    def _with_summary(row: tuple) -> tuple | None:
        """(id, scope, added, data) → the insert row with the summary columns; None if unreadable."""
        article_id, scope, added, data = row
        try:
            article = Article.from_json(json.loads(data))
        except (TypeError, ValueError, KeyError):
            return None
        return (article_id, scope, added, article.source, article.date, len(article.body), data)

    def _recompute_digest(self, db: sqlite3.Connection) -> int:
        value = 0
        for article_id, scope, data in db.execute("SELECT id, scope, data FROM articles"):
            value ^= self._row_hash(article_id, scope, data)
        return value

    def _check_version(self) -> None:
        assert self._db is not None
        row = self.db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        if row is None:
            self.db.execute("INSERT INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
        elif row[0] == "1":
            self._migrate_from_1()
        elif row[0] != str(SCHEMA_VERSION):
            raise StoreError(
                f"{self.path} has schema version {row[0]}, this bot reads {SCHEMA_VERSION}"
            )

    def _migrate_from_1(self) -> None:
        """Version 1 had no summary columns: add and fill them, in one transaction."""
        assert self._db is not None
        db = self.db
        db.execute("BEGIN IMMEDIATE")
        try:
            columns = {r[1] for r in db.execute("PRAGMA table_info(articles)")}
            for name, kind in (
                ("source", "TEXT"),
                ("date", "TEXT"),
                ("paragraphs", "INTEGER NOT NULL DEFAULT 0"),
            ):
                if name not in columns:
                    db.execute(f"ALTER TABLE articles ADD COLUMN {name} {kind}")
            rows = db.execute("SELECT id, scope, added, data FROM articles").fetchall()
            for row in rows:
                full = self._with_summary(row)
                if full is not None:
                    db.execute(
                        "UPDATE articles SET source=?, date=?, paragraphs=? WHERE id=?",
                        (full[3], full[4], full[5], full[0]),
                    )
            db.execute("UPDATE meta SET value=? WHERE key='schema_version'", (str(SCHEMA_VERSION),))
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")
        log.info("%s: migrated the article store from schema 1 to %d", self.path, SCHEMA_VERSION)

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """All of the block's writes or none. SQLite rolls back by itself on some errors
        (SQLITE_FULL): the explicit rollback is then skipped, and the first error is reported."""
        with self._lock:
            db = self.db
            try:
                db.execute("BEGIN IMMEDIATE")
                try:
                    yield db
                    db.execute("COMMIT")
                except BaseException:
                    if db.in_transaction:
                        try:
                            db.execute("ROLLBACK")
                        except sqlite3.Error:
                            pass
                    raise
            except sqlite3.Error as exc:
                raise StoreError(
                    f"cannot write the article store {self.path}: {_write_problem(exc)}"
                ) from None

    def _query(self, sql: str, params: tuple = ()) -> list[tuple]:
        with self._lock:
            try:
                return self.db.execute(sql, tuple(_lookup_value(v) for v in params)).fetchall()
            except sqlite3.Error as exc:
                raise StoreError(f"cannot read the article store {self.path}: {exc}") from None

    # -- the corpus digest -----------------------------------------------------------------
    # XOR of one hash per stored article: order-free and updatable on every put and remove in
    # the same transaction, so the index can say which exact corpus it was built from.

    @staticmethod
    def _row_hash(article_id: str, scope: str, data: str) -> int:
        digest = hashlib.sha256(
            f"{article_id}\x00{scope}\x00{data}".encode("utf-8", "surrogatepass")
        )
        return int.from_bytes(digest.digest()[:16], "big")

    def _digest_value(self, db: sqlite3.Connection) -> int:
        row = db.execute("SELECT value FROM meta WHERE key='corpus_digest'").fetchone()
        return int(row[0], 16) if row else 0

    def _set_digest(self, db: sqlite3.Connection, value: int) -> None:
        db.execute(
            "INSERT INTO meta VALUES ('corpus_digest', ?) "
            "ON CONFLICT(key) DO UPDATE SET value=excluded.value",
            (f"{value:032x}",),
        )

    def digest(self) -> str:
        """Identifies the stored corpus exactly; changes with every article put or removed."""
        with self._lock:
            return f"{self._digest_value(self.db):032x}"

    def _put_rows(self, db: sqlite3.Connection, items: list[tuple[Article, str]]) -> None:
        digest = self._digest_value(db)
        now = time.time()
        for article, scope in items:
            data = json.dumps(article.to_json(), ensure_ascii=False)
            old = db.execute(
                "SELECT scope, data FROM articles WHERE id=?", (article.id,)
            ).fetchone()
            if old is not None:
                if old[0] != scope:
                    # Replacing across scopes would take an article away from its chat.
                    raise StoreError(f"article {article.id} belongs to {old[0]}, not {scope}")
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

    def _remove_rows(
        self, db: sqlite3.Connection, article_ids: list[str], scope: str | None
    ) -> int:
        digest = self._digest_value(db)
        removed = 0
        for article_id in article_ids:
            old = db.execute(
                "SELECT scope, data FROM articles WHERE id=?", (article_id,)
            ).fetchone()
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

    def put_with_meta(self, article: Article, scope: str, key: str, value: str) -> None:
        """An article and a meta row in one transaction (an admin's correction and the
        record of it that survives re-parsing)."""
        with self._transaction() as db:
            self._put_rows(db, [(article, scope)])
            db.execute(
                "INSERT INTO meta VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET "
                "value=excluded.value",
                (key, value),
            )

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

    def rename(self, old_id: str, article: Article, scope: str) -> None:
        """Store an article of ``scope`` under a new id (``article.id``) in one transaction."""
        with self._transaction() as db:
            if self._remove_rows(db, [old_id], scope) != 1:
                raise StoreError(f"article {old_id} of {scope} is not there to rename")
            self._put_rows(db, [(article, scope)])

    def remove_many(self, article_ids: list[str]) -> int:
        with self._transaction() as db:
            return self._remove_rows(db, list(article_ids), None)

    def page(self, scope: str, *, offset: int = 0, limit: int = 10) -> list[Article]:
        rows = self._query(
            "SELECT data FROM articles WHERE scope=? ORDER BY added DESC, id LIMIT ? OFFSET ?",
            (scope, limit, offset),
        )
        return [Article.from_json(json.loads(r[0])) for r in rows]

    def scope_bytes(self, scope: str) -> int:
        """UTF-8 bytes of all the articles of a scope as stored (what its quota counts)."""
        return self._query(
            "SELECT COALESCE(SUM(LENGTH(CAST(data AS BLOB))), 0) FROM articles WHERE scope=?",
            (scope,),
        )[0][0]

    def article_bytes(self, article_id: str) -> int:
        """UTF-8 bytes of one stored article (0 when there is none)."""
        rows = self._query(
            "SELECT LENGTH(CAST(data AS BLOB)) FROM articles WHERE id=?", (article_id,)
        )
        return rows[0][0] if rows else 0

    def count(self, scope: str) -> int:
        return self._query("SELECT COUNT(*) FROM articles WHERE scope=?", (scope,))[0][0]

    def ids(self, scope: str | None = None) -> dict[str, str]:
        """Article id → scope, for all articles or one scope."""
        if scope is None:
            return dict(self._query("SELECT id, scope FROM articles"))
        return dict(self._query("SELECT id, scope FROM articles WHERE scope=?", (scope,)))

    def summary(
        self, scopes: Collection[str] | None
    ) -> tuple[int, int, list[tuple[str, int]], str | None]:
        """Articles, body paragraphs, (source, count) most first, newest date — of some scopes."""
        where, params = "", tuple[str, ...]()
        if scopes is not None:
            scopes = list(scopes)
            if not scopes:
                return 0, 0, [], None
            where = "WHERE scope IN (" + ",".join("?" * len(scopes)) + ")"
            params = tuple(scopes)
        count, paragraphs, newest = self._query(
            f"SELECT COUNT(*), COALESCE(SUM(paragraphs), 0), MAX(date) FROM articles {where}",
            params,
        )[0]
        sources = self._query(
            f"SELECT source, COUNT(*) AS n FROM articles {where} "
            f"{'AND' if where else 'WHERE'} source IS NOT NULL GROUP BY source ORDER BY n DESC, source",
            params,
        )
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
        if not self.persistent:
            raise StoreError(f"chat settings cannot be saved now: {self.problem}")
        with self._transaction() as db:
            db.execute(
                "INSERT INTO chat_settings VALUES (?, ?) ON CONFLICT(chat_id) DO UPDATE SET data=excluded.data",
                (chat_id, json.dumps(asdict(settings))),
            )

    def linked_chats(self) -> dict[int, int]:
        """Chat id → the chat it is linked with (channel ⇄ discussion group), for every chat."""
        rows = self._query(
            "SELECT chat_id, json_extract(data, '$.linked_chat_id') "
            "FROM chat_settings WHERE json_extract(data, '$.linked_chat_id') "
            "IS NOT NULL"
        )
        return {int(chat): int(linked) for chat, linked in rows}

    def get_meta(self, key: str) -> str | None:
        rows = self._query("SELECT value FROM meta WHERE key=?", (key,))
        return rows[0][0] if rows else None

    def set_meta(self, key: str, value: str) -> None:
        with self._transaction() as db:
            db.execute(
                "INSERT INTO meta VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value=excluded.value",
                (key, value),
            )

    def move_scope(self, old_scope: str, new_scope: str) -> list[str]:
        """Move every article of one scope to another in one transaction (a group that became
        a supergroup); ids stay the same. Returns the ids moved."""
        with self._transaction() as db:
            digest = self._digest_value(db)
            rows = db.execute(
                "SELECT id, data FROM articles WHERE scope=?", (old_scope,)
            ).fetchall()
            for article_id, data in rows:
                digest ^= self._row_hash(article_id, old_scope, data)
                digest ^= self._row_hash(article_id, new_scope, data)
            db.execute("UPDATE articles SET scope=? WHERE scope=?", (new_scope, old_scope))
            self._set_digest(db, digest)
            return [article_id for article_id, _ in rows]

    def prune_meta(self, prefix: str, keep: int) -> int:
        """Delete all but the ``keep`` most recently created meta rows whose key starts with
        ``prefix`` (e.g. the state of old buttons); returns how many were deleted."""
        pattern = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        with self._transaction() as db:
            return db.execute(
                "DELETE FROM meta WHERE key LIKE ? ESCAPE '\\' AND rowid NOT IN "
                "(SELECT rowid FROM meta WHERE key LIKE ? ESCAPE '\\' ORDER BY rowid DESC LIMIT ?)",
                (pattern, pattern, keep),
            ).rowcount

    def close(self) -> None:
        with self._lock:
            self._close_quietly()
