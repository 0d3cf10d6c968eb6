"""The SQLite article store: scopes, settings, the corpus digest, and no lost writes."""

from __future__ import annotations

import sqlite3

import pytest

from bot.errors import StoreError
from bot.models import Article, Contributor, Paragraph
from bot.store import ArticleStore, ChatSettings


def article(article_id: str, text: str = "两江新区正大力实施创新驱动发展战略。") -> Article:
    return Article(
        id=article_id,
        title="标题",
        source="上游新闻·重庆晨报",
        reporters=["严薇", "郭欣欣"],
        contributors=[Contributor("叶卫兵", "通讯员")],
        date="2020-04-12T16:25:33",
        paragraphs=[
            Paragraph(f"{article_id}#0", "小标题", "heading"),
            Paragraph(f"{article_id}#1", text),
        ],
    )


@pytest.fixture
def store(tmp_path):
    s = ArticleStore(tmp_path / "articles.sqlite3")
    yield s
    s.close()


def test_article_round_trips_with_all_fields(store):
    original = article("a1")
    store.put(original, "shared")
    assert store.get("a1") == original
    assert store.scope_of("a1") == "shared"
    assert store.get("missing") is None


def test_scopes_are_separate(store):
    store.put(article("a1"), "shared")
    store.put(article("a2"), "chat:-100")
    store.put(article("a3"), "chat:-100")
    assert store.count("shared") == 1
    assert store.count("chat:-100") == 2
    assert {a.id for a in store.page("chat:-100")} == {"a2", "a3"}
    assert store.ids("chat:-100") == {"a2": "chat:-100", "a3": "chat:-100"}


def test_remove_only_within_its_own_scope(store):
    store.put(article("a1"), "chat:1")
    assert store.remove("a1", "chat:2") is False
    assert store.get("a1") is not None
    assert store.remove("a1", "chat:1") is True
    assert store.get("a1") is None


def test_digest_tracks_the_exact_set_of_articles(store):
    empty = store.digest()
    store.put(article("a1"), "shared")
    one = store.digest()
    assert one != empty
    store.put(article("a2"), "shared")
    assert store.digest() not in (empty, one)
    store.remove("a2", "shared")
    assert store.digest() == one
    store.put(article("a1", "改过的正文。"), "shared")
    assert store.digest() != one
    store.put(article("a1"), "shared")
    assert store.digest() == one
    store.remove("a1", "shared")
    assert store.digest() == empty


def test_put_many_is_all_or_nothing(store, monkeypatch):
    store.put(article("a0"), "shared")
    before = store.digest()
    broken = article("a2")
    broken.paragraphs.append(object())  # not serialisable: the transaction must roll back
    with pytest.raises(TypeError):
        store.put_many([(article("a1"), "shared"), (broken, "shared")])
    assert store.get("a1") is None
    assert store.digest() == before


def test_chat_settings_default_and_persist(tmp_path):
    path = tmp_path / "s.sqlite3"
    s = ArticleStore(path)
    assert s.chat_settings(42) == ChatSettings()
    s.save_chat_settings(
        42, ChatSettings(per_message=2, corpus="own", ingest_channel=False, linked_chat_id=-7)
    )
    s.close()
    reopened = ArticleStore(path)
    assert reopened.chat_settings(42) == ChatSettings(2, "own", False, -7)
    reopened.close()


def test_writes_survive_reopening_and_use_wal(tmp_path):
    path = tmp_path / "s.sqlite3"
    s = ArticleStore(path)
    s.put(article("a1"), "shared")
    s.set_meta("k", "v")
    s.close()
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    reopened = ArticleStore(path)
    assert reopened.get("a1") == article("a1")
    assert reopened.get_meta("k") == "v"
    reopened.close()


def test_a_file_that_is_not_a_database_is_a_store_error(tmp_path):
    path = tmp_path / "s.sqlite3"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="cannot open the article store"):
        ArticleStore(path)


def test_put_never_moves_an_article_to_another_scope(store):
    store.put(article("a1"), "chat:1")
    with pytest.raises(StoreError, match="belongs to chat:1"):
        store.put(article("a1", "别的正文。"), "chat:2")
    assert store.scope_of("a1") == "chat:1" and store.get("a1") == article("a1")


def test_prune_meta_keeps_the_newest_rows_of_a_prefix_only(store):
    for n in range(10):
        store.set_meta(f"msg:1:{n}", str(n))
    store.set_meta("msg_other", "kept")
    assert store.prune_meta("msg:", 3) == 7
    assert [store.get_meta(f"msg:1:{n}") for n in range(10)] == [None] * 7 + ["7", "8", "9"]
    assert store.get_meta("msg_other") == "kept"


def test_move_scope_keeps_ids_and_the_digest_of_the_same_corpus(tmp_path):
    moved = ArticleStore(tmp_path / "moved.sqlite3")
    direct = ArticleStore(tmp_path / "direct.sqlite3")
    moved.put(article("a1"), "chat:-1")
    moved.put(article("a2"), "chat:-1")
    moved.put(article("a3"), "chat:7")
    assert sorted(moved.move_scope("chat:-1", "chat:-100")) == ["a1", "a2"]
    direct.put(article("a1"), "chat:-100")
    direct.put(article("a2"), "chat:-100")
    direct.put(article("a3"), "chat:7")
    assert moved.digest() == direct.digest()
    assert moved.count("chat:-1") == 0 and moved.ids("chat:-100") == {
        "a1": "chat:-100",
        "a2": "chat:-100",
    }
    moved.close()
    direct.close()
