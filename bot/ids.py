"""Article ids and sizes: ids reserved for what the bot makes, ids qualified by their scope.

A chat never learns what other chats hold from the id it gets: an id another scope holds (or
one reserved for channel posts, ``tg<channel>m<message>``) is stored qualified by the scope
(``<id>~<6 hex>``, a function of the scope and the id only) and shown without the qualifier.
``stored_size`` is what the storage quotas count.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from dataclasses import replace
from itertools import count

from .models import (
    MAX_ARTICLE_ID_LENGTH,
    SHARED_SCOPE,
    Article,
    Paragraph,
    chat_scope,
    paragraph_id,
)
from .store import ArticleStore

log = logging.getLogger(__name__)


def stored_size(article: Article) -> int:
    """UTF-8 bytes of an article as the store keeps it (what the quotas count)."""
    return len(json.dumps(article.to_json(), ensure_ascii=False).encode("utf-8", "surrogatepass"))


def byte_size(count: int) -> str:
    """Bytes for people: ``980 B``, ``12.5 KB``, ``1.9 MB``."""
    if count < 1000:
        return f"{count} B"
    if count < 1_000_000:
        return f"{count / 1000:.1f} KB"
    return f"{count / 1_000_000:.1f} MB"


def with_article_id(article: Article, new_id: str) -> Article:
    """The same article under another id, its paragraph ids renumbered to match."""
    paragraphs = [
        Paragraph(id=paragraph_id(new_id, p.position), text=p.text, kind=p.kind)
        for p in article.paragraphs
    ]
    return replace(article, id=new_id, paragraphs=paragraphs)


#: Ids the bot makes itself: channel posts are ``tg<channel id digits>m<message id>``. An id
#: starting with ``tg`` and a digit is reserved for them, whoever writes it (case-insensitive).
_RESERVED_ID = re.compile(r"tg\d", re.IGNORECASE)
_CHANNEL_POST_ID = re.compile(r"tg(\d+)m(\d+)")
#: ``<shown id>~<6 hex of the scope and the shown id>``: an id qualified by its scope.
_QUALIFIER_CHARS = 7


def reserved_elsewhere(article_id: str, scope: str) -> bool:
    """True for an id reserved for generated ids that ``scope`` may not hold: every ``tg<digit>``
    id except the channel-post ids of the scope's own channel."""
    if not _RESERVED_ID.match(article_id):
        return False
    post = _CHANNEL_POST_ID.fullmatch(article_id)
    return post is None or scope != chat_scope(-int(post.group(1)))


def _qualifier(scope: str, stem: str) -> str:
    return hashlib.sha1(f"{scope}\x00{stem}".encode("utf-8", "surrogatepass")).hexdigest()[:6]


def qualified_id(shown_id: str, scope: str) -> str:
    """The id under which ``scope`` stores an article it calls ``shown_id`` when that id is
    another scope's or reserved: a function of the scope and the id only, so the id a chat
    gets tells nothing about what other chats hold."""
    stem = shown_id[: MAX_ARTICLE_ID_LENGTH - _QUALIFIER_CHARS]
    return f"{stem}~{_qualifier(scope, stem)}"


def shown_id(article_id: str, scope: str) -> str:
    """The id people of ``scope`` see and type for one of its articles (the stored id without
    the scope's qualifier); other ids are shown as they are."""
    stem, sep, qualifier = article_id.rpartition("~")
    if sep and stem and qualifier == _qualifier(scope, stem):
        return stem
    return article_id


def claim_id(store: ArticleStore, article: Article, scope: str) -> Article:
    """The article under an id that is free or already this scope's.

    The same text can belong to the shared corpus and to several chats (ids are content
    hashes, or chosen by whoever wrote the file): each scope keeps its own copy under its own
    id, so removing one never removes another, and no chat can take over another's id. An id
    that is another scope's, or reserved for the ids the bot makes (channel posts), is stored
    qualified by the scope (``qualified_id``); the chat still sees and uses the id it gave.
    """
    owner = store.scope_of(article.id)
    reserved = reserved_elsewhere(article.id, scope)
    # An id too long to be qualified whole is always qualified in a chat: were it qualified
    # only on a collision, its shortened shown id would tell that another scope holds it.
    too_long = scope != SHARED_SCOPE and len(article.id) > MAX_ARTICLE_ID_LENGTH - _QUALIFIER_CHARS
    if not reserved and not too_long and (owner is None or owner == scope):
        return article
    if reserved:
        log.info(
            "article id %r is reserved for channel posts; %s stores it qualified", article.id, scope
        )
    candidate = qualified_id(article.id, scope)
    for attempt in count():
        owner = store.scope_of(candidate)
        if owner is None or owner == scope:
            return with_article_id(article, candidate)
        # Only a chosen id equal to another scope's qualified id gets here.
        candidate = qualified_id(f"{article.id}~{attempt}", scope)
    raise AssertionError("unreachable")


def release_reserved_ids(store: ArticleStore) -> int:
    """Articles stored by an older version under an id reserved for channel posts (one a
    channel's future post would have needed) move to their qualified id; each is logged."""
    moved = 0
    for article_id, scope in store.ids().items():
        if not reserved_elsewhere(article_id, scope):
            continue
        article = store.get(article_id)
        if article is None:
            continue
        new_id = qualified_id(article_id, scope)
        store.rename(article_id, with_article_id(article, new_id), scope)
        log.warning(
            "article %r of %s held an id reserved for channel posts; stored as %r "
            "(still shown and removed as %r)",
            article_id,
            scope,
            new_id,
            article_id,
        )
        moved += 1
    return moved
