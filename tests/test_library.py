"""The Library: corpus sync, index persistence, scopes, and nothing lost on a broken index."""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path

import pytest

from bot.ingest.parsing import parse_text
from bot.library import INDEX_DIR, Library
from bot.models import SHARED_SCOPE, chat_scope

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "corpus" / "cqcb-2020-04-12-chuanyu-innovation.txt"
QUESTION = "两江新区和天府新区要共同建设什么？"

CHAT_ARTICLE = (
    "长江日报讯（记者陈瑜艳 通讯员叶卫兵）武汉东湖新技术开发区今年将新建光谷量子计算实验室，"
    "首批投入资金三亿元。\n\n"
    "该实验室将与华中科技大学合作，重点研究超导量子芯片和量子通信网络。\n"
)


def quoted_texts(answer_set):
    return [a.paragraph for a in answer_set.answers if a.kind == "quote"]


def test_answers_the_sample_question_with_full_credit(config):
    with Library.open(config) as library:
        answers = library.ask(QUESTION)
    best = answers.answers[0]
    assert best.kind == "quote"
    assert "共同建设西部科技创新中心" in best.paragraph
    assert best.article.source == "上游新闻·重庆晨报"
    assert best.article.reporters == ["严薇", "郭欣欣"]


def test_reopening_loads_the_saved_index_instead_of_rebuilding(config, caplog):
    Library.open(config).close()
    assert (config.data_path / INDEX_DIR / "manifest.json").exists()
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="bot.library"):
        with Library.open(config) as library:
            assert quoted_texts(library.ask(QUESTION))
    assert not any("build" in r.getMessage() for r in caplog.records)


def test_a_corrupt_index_is_rebuilt_from_the_store(config, caplog):
    Library.open(config).close()
    for file in (config.data_path / INDEX_DIR).iterdir():
        if file.name != "manifest.json":
            file.write_bytes(b"\x00garbage")
    with caplog.at_level(logging.WARNING, logger="bot.library"):
        with Library.open(config) as library:
            assert "共同建设西部科技创新中心" in quoted_texts(library.ask(QUESTION))[0]
    assert any("rebuilding" in r.getMessage() for r in caplog.records)


def test_chat_articles_are_scoped_and_survive_a_restart(config):
    article = parse_text(CHAT_ARTICLE, origin="chat.txt")
    with Library.open(config) as library:
        stored = library.add_article(article, chat_scope(-100))
        assert library.count_articles(chat_scope(-100)) == 1
        mine = library.ask("光谷量子计算实验室投入多少资金？", scopes={chat_scope(-100)})
        assert mine.answers and mine.answers[0].article.id == stored.id
        others = library.ask(
            "光谷量子计算实验室投入多少资金？", scopes={SHARED_SCOPE, chat_scope(-200)}
        )
        assert all(a.article.id != stored.id for a in others.answers)
    with Library.open(config) as library:
        again = library.ask("光谷量子计算实验室投入多少资金？", scopes={chat_scope(-100)})
        assert again.answers[0].article.id == stored.id
        assert library.remove_article(stored.id, chat_scope(-200)) is False
        assert library.remove_article(stored.id, chat_scope(-100)) is True
        assert (
            library.ask("光谷量子计算实验室投入多少资金？", scopes={chat_scope(-100)}).answers == []
        )
    with Library.open(config) as library:
        assert library.get_article(stored.id) is None


def test_the_same_article_in_two_scopes_is_kept_twice(config):
    with Library.open(config) as library:
        shared_id = library.list_articles(SHARED_SCOPE)[0].id
        copy = library.add_article(library.get_article(shared_id), chat_scope(7))
        assert copy.id != shared_id
        assert all(p.id.startswith(copy.id + "#") for p in copy.paragraphs)
        assert library.scope_of(shared_id) == SHARED_SCOPE
        assert library.remove_article(copy.id, chat_scope(7))
        assert library.get_article(shared_id) is not None


def test_corpus_changes_are_picked_up_and_bad_files_reported(config):
    with Library.open(config) as library:
        assert library.count_articles(SHARED_SCOPE) == 1
    corpus = config.corpus_paths[0]
    (corpus / "second.txt").write_text(CHAT_ARTICLE, encoding="utf-8")
    (corpus / "broken.txt").write_bytes(b"\x00\x01\x02binary\xff" * 50)
    with Library.open(config) as library:
        assert library.count_articles(SHARED_SCOPE) == 2
        assert len(library.problems) == 1 and "broken.txt" in library.problems[0]
        assert "光谷" in quoted_texts(library.ask("光谷量子计算实验室"))[0]
    (corpus / "second.txt").unlink()
    with Library.open(config) as library:
        assert library.count_articles(SHARED_SCOPE) == 1
        assert not any("光谷" in text for text in quoted_texts(library.ask("光谷量子计算实验室")))


def test_stats_describe_the_scopes(config):
    with Library.open(config) as library:
        library.add_article(parse_text(CHAT_ARTICLE), chat_scope(1))
        shared = library.stats({SHARED_SCOPE})
        assert (shared.articles, shared.newest_date) == (1, "2020-04-12T16:25:33")
        assert shared.sources == [("上游新闻·重庆晨报", 1)]
        both = library.stats({SHARED_SCOPE, chat_scope(1)})
        assert both.articles == 2 and both.paragraphs > shared.paragraphs


def test_a_large_index_is_saved_on_flush_and_a_missed_flush_costs_a_rebuild_not_data(
    config, caplog
):
    article = parse_text(CHAT_ARTICLE)
    library = Library.open(config)
    library.eager_save_limit = 0  # behave as a large index: no save per change
    manifest = config.data_path / INDEX_DIR / "manifest.json"
    saved_before = manifest.read_bytes()
    stored = library.add_article(article, chat_scope(5))
    assert manifest.read_bytes() == saved_before
    library.store.close()  # a crash: no flush, no close
    with caplog.at_level(logging.INFO, logger="bot.library"):
        reopened = Library.open(config)
    assert any("another corpus or tokenizer" in r.getMessage() for r in caplog.records)
    assert (
        reopened.ask("光谷量子计算实验室", scopes={chat_scope(5)}).answers[0].article.id
        == stored.id
    )
    reopened.eager_save_limit = 0
    reopened.remove_article(stored.id, chat_scope(5))
    reopened.flush()
    assert manifest.read_bytes() != saved_before
    reopened.close()
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="bot.library"):
        Library.open(config).close()
    assert not any("build" in r.getMessage() for r in caplog.records)


def test_an_article_id_that_cannot_be_indexed_is_refused_before_anything_is_stored(config):
    from bot.errors import ParseError

    article = parse_text(CHAT_ARTICLE, metadata={"id": "ok-id"})
    bad = replace(article, id="x\ny")
    with Library.open(config) as library:
        before = library.store.digest()
        with pytest.raises(ParseError, match="may not contain"):
            library.add_article(bad, chat_scope(1))
        assert library.store.digest() == before
    with Library.open(config) as library:  # and the next start is fine
        assert quoted_texts(library.ask(QUESTION))


def test_a_stored_article_with_a_bad_id_is_left_out_of_the_index_not_fatal(config, caplog):
    from bot.library import STORE_FILE
    from bot.store import ArticleStore

    Library.open(config).close()
    store = ArticleStore(config.data_path / STORE_FILE)
    store.put(
        replace(parse_text(CHAT_ARTICLE), id="old\nid"), chat_scope(1)
    )  # an older version's row
    store.close()
    with caplog.at_level(logging.ERROR, logger="bot.library"):
        with Library.open(config) as library:
            assert quoted_texts(library.ask(QUESTION))
            assert library.get_article("old\nid") is not None  # kept, never deleted
    assert any("not searchable" in r.getMessage() for r in caplog.records)


def test_the_corpus_sync_never_takes_an_article_away_from_a_chat(config):
    text = CHAT_ARTICLE
    with Library.open(config) as library:
        mine = library.add_article(parse_text(text), chat_scope(-100))
    (config.corpus_paths[0] / "same-story.txt").write_text(text, encoding="utf-8")
    with Library.open(config) as library:
        assert library.scope_of(mine.id) == chat_scope(-100)
        assert [a.id for a in library.list_articles(chat_scope(-100))] == [mine.id]
        shared_ids = [a.id for a in library.list_articles(SHARED_SCOPE, limit=10)]
        assert len(shared_ids) == 2 and mine.id not in shared_ids
        assert library.remove_article(mine.id, chat_scope(-100))
        assert library.count_articles(SHARED_SCOPE) == 2


def test_a_chosen_id_cannot_take_over_another_chats_article(config):
    article = parse_text(CHAT_ARTICLE)
    with Library.open(config) as library:
        first = library.add_article(article, chat_scope(1))
        second = library.add_article(article, chat_scope(2))
        assert second.id != first.id
        # chat 3 chooses the id chat 2's copy got: it gets yet another id
        third = library.add_article(replace(article, id=second.id), chat_scope(3))
        assert len({first.id, second.id, third.id}) == 3
        assert [library.scope_of(i) for i in (first.id, second.id, third.id)] == [
            chat_scope(1),
            chat_scope(2),
            chat_scope(3),
        ]


def test_a_follow_up_never_reaches_an_article_outside_the_scopes(config):
    with Library.open(config) as library:
        mine = library.add_article(parse_text(CHAT_ARTICLE), chat_scope(1))
        inside = library.ask("这篇文章的记者是谁？", scopes={chat_scope(1)}, within_article=mine.id)
        assert "陈瑜艳" in inside.answers[0].excerpt
        outside = library.ask("这篇文章的记者是谁？", scopes={SHARED_SCOPE}, within_article=mine.id)
        assert all("陈瑜艳" not in a.excerpt and a.article.id != mine.id for a in outside.answers)
