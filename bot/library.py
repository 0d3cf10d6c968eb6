"""The library: the article store, the search index and the answerer behind one object.

Everything that answers questions — the CLI, the Telegram bot, the benchmarks — opens a
``Library`` and calls it; none of them touches the store or the index directly. The store
is the source of truth; the index is derived from it and rebuilt whenever the corpus digest
it was saved with differs from the store's (a crash mid-write, a corrupt file, a new
version), so the worst a broken index costs is a rebuild, never an article.

Nothing here ever deletes or moves user data. When the data directory cannot be used as it
is, the library keeps answering from what it has and says why in the log:

* read-only data directory (or full disk at start-up): the store is copied into memory
  through a read-only connection, the index is loaded or built in memory and never saved;
* damaged store file: the rows that can still be read are copied into memory (the shared
  corpus is re-read from its files), the file is left exactly as it is;
* in both cases ``writable`` is False and adding or removing articles raises ``StoreError``
  with the reason; chat settings cannot be saved either;
* a write that fails (disk full) raises ``StoreError`` and changes nothing: the store's
  transaction is rolled back and the index is only touched after the store committed;
* an index that cannot be saved stays in memory (logged once); it is rebuilt from the store
  at the next start.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
from collections import OrderedDict
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from . import storefiles
from .answers.answerer import Answerer, AnswerSet
from .config import Config
from .errors import ArticleError, BotError, ParseError, QuotaExceeded, SearchIndexError, StoreError
from .ids import (
    byte_size,
    claim_id,
    qualified_id,
    release_reserved_ids,
    shown_id,
    stored_size,
    with_article_id,
)
from .ingest import corrections
from .ingest.parsing import parse_file
from .models import SHARED_SCOPE, Article, article_id_problem, chat_scope
from .search.base import IndexDoc, SearchIndex
from .search.bm25 import build_index, load_index
from .search.segment import Segmenter
from .store import ArticleStore, ChatSettings, StoreCorrupt, StoreReadOnly

log = logging.getLogger(__name__)

STORE_FILE = "articles.sqlite3"
INDEX_DIR = "index"
CORPUS_SUFFIXES = {".txt", ".text", ".html", ".htm", ".md", ".markdown", ".json", ".jsonl"}


@dataclass(frozen=True)
class CorpusStats:
    """What /about shows: how much the chat's corpus holds."""

    articles: int
    paragraphs: int
    sources: list[tuple[str, int]]
    newest_date: str | None


def corpus_files(paths: Iterable[Path]) -> list[Path]:
    """The article files under the configured corpus paths, in a stable order."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(
                p
                for p in sorted(path.rglob("*"))
                if p.is_file()
                and p.suffix.lower() in CORPUS_SUFFIXES
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
        elif path.is_file():
            found.append(path)
        else:
            log.warning("corpus path %s does not exist", path)
    return found


def _fingerprint(files: list[Path]) -> str:
    digest = hashlib.sha256()
    for file in files:
        digest.update(str(file).encode("utf-8", "surrogateescape"))
        digest.update(hashlib.sha256(file.read_bytes()).digest())
    return digest.hexdigest()


def open_store(path: Path) -> ArticleStore:
    """The article store at ``path``, or an in-memory stand-in when the file cannot be used
    as it is (read-only, damaged); the file itself is never changed in that case."""
    try:
        return ArticleStore(path)
    except StoreReadOnly as exc:
        log.error(
            "%s; answering from a read-only copy in memory, articles cannot be added "
            "or removed until the data directory is writable again",
            exc,
        )
        problem = "the data directory is read-only or full"
        if path.exists():
            try:
                return ArticleStore.read_only_copy(path, problem)
            except StoreCorrupt as corrupt:
                log.error("%s", corrupt)
                return ArticleStore.salvage(path, "the article store is damaged")
            except BotError as unreadable:
                log.error("%s; answering from the shared corpus only", unreadable)
        return ArticleStore.memory(path, problem)
    except StoreCorrupt as exc:
        log.error(
            "%s; the file is left untouched (restore it from a backup). Answering from "
            "the records that can still be read and the shared corpus; articles cannot "
            "be added or removed meanwhile",
            exc,
        )
        return ArticleStore.salvage(path, "the article store is damaged")


def index_docs(article: Article, scope: str, segmenter: Segmenter) -> Iterator[IndexDoc]:
    """The searchable units of an article: its body paragraphs (headings are context only),
    each with the article's title tokens, so a paragraph also matches through its headline."""
    title = segmenter.title_tokens(article.title)
    for paragraph in article.body:
        yield IndexDoc(
            doc_id=paragraph.id,
            tokens=segmenter.tokens(paragraph.text) + title,
            scope=scope,
            group=article.id,
        )


class _ArticleCache:
    """Recently used articles, so answering does not re-read JSON from SQLite each time."""

    def __init__(self, store: ArticleStore, size: int = 4096):
        self._store = store
        self._size = size
        self._items: OrderedDict[str, Article | None] = OrderedDict()

    def get(self, article_id: str) -> Article | None:
        if article_id in self._items:
            self._items.move_to_end(article_id)
            return self._items[article_id]
        article = self._store.get(article_id)
        self._items[article_id] = article
        if len(self._items) > self._size:
            self._items.popitem(last=False)
        return article

    def forget(self, article_id: str) -> None:
        self._items.pop(article_id, None)

    def article_ids(self, scopes: Collection[str] | None = None) -> list[str]:
        """The ids of the articles in scope (lets "who wrote this?" find a lone article)."""
        if scopes is None:
            return list(self._store.ids())
        return [article_id for scope in scopes for article_id in self._store.ids(scope)]


class Library:
    """Articles in, answers out. Thread-safe: one lock around every change and question."""

    def __init__(
        self, config: Config, store: ArticleStore, segmenter: Segmenter, index: SearchIndex
    ):
        self.config = config
        self.store = store
        self.segmenter = segmenter
        self.index = index
        self.problems: list[str] = []
        # Indexes up to this many paragraphs are saved after every change; larger ones on flush().
        self.eager_save_limit = 50_000
        self._dirty = False
        self._uploads_counted = 0
        self._save_error: str | None = None
        self._lock = threading.RLock()
        self._articles = _ArticleCache(store)
        self._answerer = Answerer(
            index, segmenter, self._articles, config.retrieval, config.answers
        )

    # -- opening -------------------------------------------------------------------------

    @classmethod
    def open(cls, config: Config, *, sync_corpus: bool = True) -> Library:
        """Open the store, bring the shared corpus up to date, load or rebuild the index."""
        data = config.data_path
        store = open_store(data / STORE_FILE)
        segmenter = Segmenter.from_config(config.segmentation, base_dir=config.base_dir)
        problems: list[str] = []
        if sync_corpus:
            try:
                problems = sync_shared_corpus(store, config.corpus_paths)
            except StoreError as exc:
                # e.g. the disk filled up: the transaction rolled back, the stored corpus stands.
                log.error(
                    "could not bring the shared corpus up to date (%s); answering from "
                    "the articles already stored",
                    exc,
                )
        if store.persistent:
            try:
                release_reserved_ids(store)
            except StoreError as exc:
                log.error("could not move articles off reserved ids (%s)", exc)
        index = _load_or_rebuild_index(data / INDEX_DIR, store, segmenter, save=store.persistent)
        library = cls(config, store, segmenter, index)
        library.problems = problems
        return library

    @property
    def writable(self) -> bool:
        """False when the store is an in-memory stand-in (see the module docstring)."""
        return self.store.persistent

    @property
    def degraded(self) -> str | None:
        """Why articles cannot be added or removed now, or None."""
        return self.store.problem

    def _check_writable(self) -> None:
        if not self.store.persistent:
            raise StoreError(
                f"articles cannot be added or removed now: {self.store.problem}; "
                "nothing was changed"
            )

    def close(self) -> None:
        with self._lock:
            self.flush()
            self.store.close()

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- questions -----------------------------------------------------------------------

    def ask(
        self,
        question: str,
        *,
        scopes: Collection[str] | None = None,
        top: int | None = None,
        per_article: int | None = None,
        within_article: str | None = None,
        offset: int = 0,
    ) -> AnswerSet:
        """The quotes (or metadata facts) that answer a question, best first.

        ``within_article`` (a follow-up to a quote) counts only while that article is in
        ``scopes``: a chat that stopped seeing it, or an old button, learns nothing of it.
        """
        if isinstance(scopes, str):
            scopes = [scopes]
        with self._lock:
            if (
                within_article is not None
                and scopes is not None
                and self.store.scope_of(within_article) not in scopes
            ):
                within_article = None
            return self._answerer.ask(
                question,
                top=top,
                per_article=per_article,
                scopes=scopes,
                within_article=within_article,
                offset=offset,
            )

    # -- articles ------------------------------------------------------------------------

    def add_article(self, article: Article, scope: str, *, uploader: int | None = None) -> Article:
        """Store then index an article; returns it as stored (its id may be namespaced).

        ``QuotaExceeded`` (nothing stored) when it would take the scope over
        ``telegram.limits.max_bytes_per_chat`` (chat scopes), or ``uploader`` (a user id) over
        ``telegram.limits.max_upload_bytes_per_user_per_day``.
        """
        return self.add_articles([article], scope, uploader=uploader)[0]

    def add_articles(
        self, articles: list[Article], scope: str, *, uploader: int | None = None
    ) -> list[Article]:
        """Store several articles in one transaction, then index them (one index save).

        Returns each article as stored, in the order given (the same text twice: the same
        stored article twice), with an admin's stored corrections applied. ``QuotaExceeded``
        (nothing stored) when the batch would take a chat over
        ``telegram.limits.max_bytes_per_chat``, or ``uploader`` over today's upload quota."""
        with self._lock:
            self._check_writable()
            claimed: list[Article] = []
            for article in articles:
                problem = article_id_problem(article.id)
                if problem:
                    raise ParseError(f"{problem}: {article.id!r}", origin=article.origin)
                claimed.append(with_corrections(self.store, claim_id(self.store, article, scope)))
            unique = list({article.id: article for article in claimed}.values())
            # one check for the whole batch: all of it fits the quotas, or none of it is stored
            size = sum(map(stored_size, unique))
            self._check_chat_bytes(unique, scope, size)
            uploaded_key = self._check_upload_bytes(uploader, size)
            # StoreError (disk full…): rolled back, index untouched
            self.store.put_many([(article, scope) for article in unique])
            if uploaded_key is not None:
                self._count_upload(uploaded_key, size)
            self._reindex([article.id for article in unique], scope)
            return claimed

    def _check_upload_bytes(self, uploader: int | None, size: int) -> str | None:
        """Raise ``QuotaExceeded`` if ``size`` more bytes take ``uploader`` over today's
        quota; the meta key counting the uploader's bytes today (None without an uploader)."""
        if uploader is None:
            return None
        key = f"uploaded:{uploader}:{datetime.now(UTC).date().isoformat()}"
        uploaded = int(self.store.get_meta(key) or 0)
        daily = self.config.telegram.limits.max_upload_bytes_per_user_per_day
        if uploaded + size > daily:
            raise QuotaExceeded(
                f"you added {byte_size(uploaded)} today; {byte_size(size)} more would go over "
                f"the daily quota of {byte_size(daily)}",
                key="telegram.limits.max_upload_bytes_per_user_per_day",
                limit=daily,
                used=uploaded,
            )
        return key

    def _check_chat_bytes(self, articles: list[Article], scope: str, size: int) -> None:
        """Raise ``QuotaExceeded`` if ``articles`` (``size`` bytes, replacing their stored
        copies in ``scope``) would take a chat over ``telegram.limits.max_bytes_per_chat``."""
        if scope == SHARED_SCOPE:
            return
        limit = self.config.telegram.limits.max_bytes_per_chat
        replaced = sum(
            self.store.article_bytes(a.id) for a in articles if self.store.scope_of(a.id) == scope
        )
        used = self.store.scope_bytes(scope) - replaced
        if used + size > limit:
            raise QuotaExceeded(
                f"this chat's articles take {byte_size(used)}; adding {byte_size(size)} "
                f"would go over its quota of {byte_size(limit)}",
                key="telegram.limits.max_bytes_per_chat",
                limit=limit,
                used=used,
            )

    def _count_upload(self, key: str, size: int) -> None:
        """Add to an uploader's bytes of today (older days' counters are pruned now and then)."""
        self.store.set_meta(key, str(int(self.store.get_meta(key) or 0) + size))
        self._uploads_counted += 1
        if self._uploads_counted % 200 == 0:
            self.store.prune_meta("uploaded:", keep=20_000)

    def move_chat(self, old_chat_id: int, new_chat_id: int) -> int:
        """A group became a supergroup: its articles (ids unchanged, one transaction) and its
        settings move to the new chat id, and a linked channel points at it; returns how many
        articles moved."""
        with self._lock:
            self._check_writable()
            moved = self.store.move_scope(chat_scope(old_chat_id), chat_scope(new_chat_id))
            renamed = self._requalify(moved, chat_scope(old_chat_id), chat_scope(new_chat_id))
            self._reindex(moved + renamed, chat_scope(new_chat_id))
            settings = self.store.chat_settings(old_chat_id)
            if (
                settings != ChatSettings()
                and self.store.chat_settings(new_chat_id) == ChatSettings()
            ):
                self.store.save_chat_settings(new_chat_id, settings)
                channel = settings.linked_chat_id
                if (
                    channel is not None
                    and self.store.chat_settings(channel).linked_chat_id == old_chat_id
                ):
                    self.store.save_chat_settings(
                        channel,
                        self.store.chat_settings(channel).with_changes(linked_chat_id=new_chat_id),
                    )
            return len(moved)

    def stored_id(self, shown: str, scope: str) -> str:
        """The stored id of the article ``scope`` knows as ``shown`` (see ``shown_id``)."""
        if self.store.scope_of(shown) != scope:
            qualified = qualified_id(shown, scope)
            if self.store.scope_of(qualified) == scope:
                return qualified
        return shown

    def shown_id(self, article_id: str, scope: str) -> str:
        """The id people of ``scope`` see and type for one of its articles."""
        return shown_id(article_id, scope)

    def _requalify(self, article_ids: list[str], old: str, new: str) -> list[str]:
        """Ids qualified by ``old`` get ``new``'s qualifier (the chat keeps seeing the ids it
        gave); returns the new ids. One that cannot be renamed keeps its id (logged)."""
        renamed: list[str] = []
        for article_id in article_ids:
            shown = shown_id(article_id, old)
            if shown == article_id:
                continue
            new_id = qualified_id(shown, new)
            article = self.store.get(article_id)
            if article is None or self.store.scope_of(new_id) is not None:
                log.warning("article %s of %s keeps its id after the move", article_id, new)
                continue
            self.store.rename(article_id, with_article_id(article, new_id), new)
            renamed.append(new_id)
        return renamed

    def correct_article(self, article_id: str, scope: str, **fields: object) -> Article:
        """An admin's fix of title, source, reporters or date (``None``/empty clears one);
        stored with the article and re-applied when it is parsed again. Returns the
        corrected article; CorrectionError (a one-line ArticleError) when the article is not
        in that scope or a field or value cannot be stored."""
        clean = corrections.validated(dict(fields))
        with self._lock:
            self._check_writable()
            article = self.store.get(article_id)
            if article is None or self.store.scope_of(article_id) != scope:
                raise corrections.CorrectionError(f"no article {article_id!r} here")
            key = corrections.meta_key(article_id)
            merged = {**corrections.loads(self.store.get_meta(key)), **clean}
            corrections.apply(article, merged)
            self.store.put_with_meta(article, scope, key, json.dumps(merged, ensure_ascii=False))
            self._reindex([article_id], scope)
            return article

    def remove_article(self, article_id: str, scope: str) -> bool:
        """Remove an article of that scope (by its stored or shown id) from store and index;
        False if there is none."""
        with self._lock:
            self._check_writable()
            article_id = self.stored_id(article_id, scope)
            if not self.store.remove(article_id, scope):
                return False
            self._reindex([article_id], scope)
            return True

    def _reindex(self, article_ids: list[str], scope: str) -> None:
        """Bring the index in line with the store for these articles (after it committed)."""
        for article_id in article_ids:
            self._articles.forget(article_id)
            self.index.remove_group(article_id)
            article = self.store.get(article_id)
            if article is not None:
                self.index.add(index_docs(article, scope, self.segmenter))
        if article_ids:
            self._save_index()

    def get_article(self, article_id: str) -> Article | None:
        with self._lock:
            return self._articles.get(article_id)

    def scope_of(self, article_id: str) -> str | None:
        return self.store.scope_of(article_id)

    def list_articles(self, scope: str, *, offset: int = 0, limit: int = 10) -> list[Article]:
        return self.store.page(scope, offset=offset, limit=limit)

    def linked_chats(self) -> dict[int, int]:
        """Chat id → linked chat id (channels and their discussion groups), as stored."""
        return self.store.linked_chats()

    def count_articles(self, scope: str) -> int:
        return self.store.count(scope)

    def stats(self, scopes: Collection[str] | None = None) -> CorpusStats:
        """Articles, paragraphs, sources and newest date of the given scopes (None: all)."""
        return CorpusStats(*self.store.summary(scopes))

    def _save_index(self) -> None:
        """Save the index now if it is small, else leave it to the next ``flush``.

        The store already holds every change, and an index whose corpus digest differs from
        the store's is rebuilt at start-up, so a deferred save can cost time, never data.
        Writing a large index on every channel post would cost seconds each time.
        """
        self._dirty = True
        if len(self.index) <= self.eager_save_limit:
            self.flush()

    def flush(self) -> None:
        """Write the index to disk if it changed since it was last written."""
        with self._lock:
            if not self._dirty or not self.store.persistent:
                return  # an in-memory store's index is never written over the one on disk
            try:
                self.index.save(
                    self.config.data_path / INDEX_DIR,
                    meta=index_meta(self.store.digest(), self.segmenter),
                )
                self._dirty = False
                if self._save_error is not None:
                    log.info("the search index is saved again")
                self._save_error = None
            except (OSError, BotError) as exc:
                # Logged once per kind of failure (the file name differs every time): flush
                # runs every few seconds and after every change.
                kind = f"{exc.__class__.__name__}:{getattr(exc, 'errno', None) or exc}"
                if kind != self._save_error:
                    log.error(
                        "could not save the search index (%s); answering from memory, "
                        "it will be rebuilt from the store on restart",
                        exc,
                    )
                self._save_error = kind


def with_corrections(store: ArticleStore, article: Article) -> Article:
    """The article with an admin's stored correction applied (parsing again keeps fixes)."""
    correction = corrections.loads(store.get_meta(corrections.meta_key(article.id)))
    return corrections.apply(article, correction) if correction else article


def sync_shared_corpus(store: ArticleStore, paths: list[Path]) -> list[str]:
    """Make the shared scope hold exactly the articles of the corpus files; returns problems.

    Skipped when the files are unchanged since the last sync (their content fingerprint).
    A file that cannot be parsed is reported and skipped; it never stops the others.
    """
    files = corpus_files(paths)
    fingerprint = _fingerprint(files)
    if store.get_meta("corpus_fingerprint") == fingerprint:
        return []
    # A configured path that is missing (an unmounted volume, a typo) is not a request to
    # forget its articles: nothing is removed, and the next start looks again.
    missing = [str(path) for path in paths if not path.exists()]
    problems: list[str] = []
    articles: dict[str, Article] = {}
    for file in files:
        try:
            for article in parse_file(file):
                article = claim_id(store, article, SHARED_SCOPE)
                articles.setdefault(article.id, with_corrections(store, article))
        except ArticleError as exc:
            problems.append(str(exc))
            log.warning("corpus file skipped: %s", exc)
    current = store.ids(SHARED_SCOPE)
    stale = [article_id for article_id in current if article_id not in articles]
    if stale and missing:
        log.warning(
            "corpus path(s) %s missing: keeping %d shared articles not found elsewhere",
            ", ".join(missing),
            len(stale),
        )
        stale = []
    if stale:
        store.remove_many(stale)
    changed = [(a, SHARED_SCOPE) for a in articles.values() if store.get(a.id) != a]
    if changed:
        store.put_many(changed)
    if not missing:
        store.set_meta("corpus_fingerprint", fingerprint)
    log.info(
        "shared corpus: %d articles from %d files (%d changed, %d removed)",
        len(articles),
        len(files),
        len(changed),
        len(stale),
    )
    return problems


def _indexable(store: ArticleStore) -> Iterator[tuple[Article, str]]:
    """The stored articles the index can hold; one stored by an older version under an id
    that is no longer allowed is logged and left out (and left in the store), never fatal."""
    for article, scope in store.iter_all():
        problem = article_id_problem(article.id)
        if problem:
            log.error("article %r in %s is not searchable: %s", article.id, scope, problem)
            continue
        yield article, scope


def index_meta(corpus_digest: str, segmenter: Segmenter) -> dict[str, str]:
    """What a saved index must match to be used: the exact corpus, and the tokenizer (a new
    stopword or user word changes the tokens of text already indexed)."""
    return {"corpus_digest": corpus_digest, "tokenizer": segmenter.signature}


def index_matches(index: SearchIndex, expected: dict[str, str]) -> bool:
    return all(index.meta.get(key) == value for key, value in expected.items())


def _load_or_rebuild_index(
    directory: Path, store: ArticleStore, segmenter: Segmenter, *, save: bool = True
) -> SearchIndex:
    """The index on disk if it was built from exactly the stored corpus with the same
    tokenizer (its manifest's checksums verified by ``load``), else a fresh one built from
    the store (and saved)."""
    digest = store.digest()
    expected = index_meta(digest, segmenter)
    try:
        if not directory.exists():
            raise FileNotFoundError(directory)
        index = load_index(directory)
        if index_matches(index, expected):
            return index
        log.info("the index on disk is of another corpus or tokenizer; rebuilding")
    except FileNotFoundError:
        log.info("no index yet; building it")
    except SearchIndexError as exc:
        log.warning("the index on disk cannot be used (%s); rebuilding", exc)
    index = build_index(
        doc for article, scope in _indexable(store) for doc in index_docs(article, scope, segmenter)
    )
    log.info("index built: %d paragraphs", len(index))
    if not save:
        log.warning("the index is kept in memory only (%s)", store.problem)
        index.meta = expected
        return index
    try:
        index.save(directory, meta=expected)
    except (OSError, BotError) as exc:
        log.error("could not save the rebuilt index (%s); answering from memory", exc)
    return index


def check_data(config: Config) -> tuple[bool, list[str]]:
    """Read-only health report of the data directory (``python -m bot check``): the store's
    integrity and contents, whether the index on disk matches it, whether it is writable.
    Safe while the bot runs. False when the store is missing or damaged."""
    data = config.data_path
    path = data / STORE_FILE
    if not path.exists():
        return False, [f"store: {path} does not exist (the bot creates it at its first start)"]
    integrity = storefiles.integrity(path)
    if integrity != "ok":
        return False, [
            f"store: {path} is DAMAGED ({integrity}). The bot still answers from what "
            "it can read but refuses /add and /remove; stop it, move the file aside and "
            "restore the last backup (see README, Operations)."
        ]
    try:
        scopes, digest, schema = storefiles.inspect(path)
    except StoreError as exc:
        return False, [f"store: {exc}"]
    shared = scopes.pop(SHARED_SCOPE, 0)
    lines = [
        f"store: ok, {shared + sum(scopes.values())} articles ({shared} shared, "
        f"{sum(scopes.values())} in {len(scopes)} chats), schema {schema}"
    ]
    try:
        index = load_index(data / INDEX_DIR)
        segmenter = Segmenter.from_config(config.segmentation, base_dir=config.base_dir)
        if index_matches(index, index_meta(digest, segmenter)):
            lines.append(
                f"index: ok, {len(index)} paragraphs, built from exactly the stored corpus"
            )
        else:
            lines.append(
                "index: stale (built from another corpus or tokenizer); rebuilt at the next start"
            )
    except SearchIndexError as exc:
        lines.append(f"index: unusable ({exc}); rebuilt at the next start")
    writable = os.access(data, os.W_OK) and os.access(path, os.W_OK)
    lines.append(
        "data directory: writable"
        if writable
        else "data directory: READ-ONLY: the bot answers but refuses /add and /remove"
    )
    return True, lines
