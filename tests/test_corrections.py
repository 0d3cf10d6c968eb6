"""An admin's correction of an article's attribution, through the Library (the bot's API)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.errors import ArticleError
from bot.ingest.corrections import CorrectionError
from bot.ingest.parsing import parse_file, parse_text
from bot.library import Library
from bot.models import SHARED_SCOPE, chat_scope

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "corpus" / "cqcb-2020-04-12-chuanyu-innovation.txt"
QUESTION = "两江新区和天府新区要共同建设什么？"
CHAT_TEXT = (
    "光谷建设量子实验室\n"
    "长江日报讯（记者陈瑜艳）武汉东湖新技术开发区今年将新建光谷量子计算实验室，首批投入资金三亿元。\n"
)


def sample_id(library: Library) -> str:
    [article] = library.list_articles(SHARED_SCOPE)
    return article.id


def test_correction_is_stored_shown_in_answers_and_survives_restart(config):
    with Library.open(config) as library:
        article_id = sample_id(library)
        fixed = library.correct_article(
            article_id,
            SHARED_SCOPE,
            source="重庆晨报",
            reporters="严薇、郭欣欣、张三",
            date="2020-04-12",
        )
        assert (fixed.source, fixed.reporters, fixed.date) == (
            "重庆晨报",
            ["严薇", "郭欣欣", "张三"],
            "2020-04-12",
        )
        assert fixed.evidence["source"] == "corrected by an admin"
        assert library.ask(QUESTION).answers[0].article.source == "重庆晨报"
    with Library.open(config) as library:
        article = library.get_article(article_id)
        assert (article.source, article.reporters) == ("重庆晨报", ["严薇", "郭欣欣", "张三"])
        assert article.title == parse_file(SAMPLE)[0].title  # fields not corrected stay


def test_correction_survives_the_corpus_being_parsed_again(config):
    with Library.open(config) as library:
        article_id = sample_id(library)
        library.correct_article(article_id, SHARED_SCOPE, title="川渝共建科技创新中心")
        library.store.set_meta("corpus_fingerprint", "changed")  # forces a re-parse
    with Library.open(config) as library:
        assert library.get_article(article_id).title == "川渝共建科技创新中心"


def test_corrections_merge_and_an_empty_value_clears_a_field(config):
    with Library.open(config) as library:
        article_id = sample_id(library)
        library.correct_article(article_id, SHARED_SCOPE, source="重庆晨报")
        fixed = library.correct_article(article_id, SHARED_SCOPE, reporters=[], date="--04-12")
        assert (fixed.source, fixed.reporters, fixed.date) == ("重庆晨报", [], "--04-12")


def test_a_chat_article_uploaded_again_keeps_its_correction(config):
    scope = chat_scope(42)
    with Library.open(config) as library:
        added = library.add_article(parse_text(CHAT_TEXT), scope)
        library.correct_article(added.id, scope, source="长江日报")
        again = library.add_article(parse_text(CHAT_TEXT), scope)
        assert again.source == "长江日报"
        assert library.get_article(added.id).source == "长江日报"


@pytest.mark.parametrize(
    "fields, message",
    [
        ({}, "nothing to correct"),
        ({"url": "x"}, "cannot correct 'url'"),
        ({"date": "2020-13-45"}, "not a date"),
        ({"date": "昨天"}, "not a date"),
        ({"title": "长" * 201}, "too long"),
        ({"reporters": ["甲" * 21]}, "not a name"),
        ({"source": 5}, "must be text"),
    ],
)
def test_bad_corrections_are_refused_in_one_line(config, fields, message):
    with Library.open(config) as library:
        article_id = sample_id(library)
        with pytest.raises(CorrectionError) as caught:
            library.correct_article(article_id, SHARED_SCOPE, **fields)
        assert message in str(caught.value) and "\n" not in str(caught.value)
        assert isinstance(caught.value, ArticleError)
        assert library.get_article(article_id).source == "上游新闻·重庆晨报"


def test_an_article_of_another_scope_cannot_be_corrected(config):
    with Library.open(config) as library:
        article_id = sample_id(library)
        with pytest.raises(CorrectionError, match="no article"):
            library.correct_article(article_id, chat_scope(7), source="某报")
        with pytest.raises(CorrectionError, match="no article"):
            library.correct_article("a000000000000", SHARED_SCOPE, source="某报")
