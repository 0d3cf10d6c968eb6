"""Excerpt selection, highlights and near-duplicate measures (bot/excerpt.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.answers.excerpt import (
    ELLIPSIS,
    jaccard,
    maximal_terms,
    merge_spans,
    select_excerpt,
    shingles,
    shorten,
    split_clauses,
    split_sentences,
    standalone_terms,
)
from bot.search.segment import Segmenter

FIXTURES = Path(__file__).parents[1] / "fixtures" / "answers"


@pytest.fixture(scope="module")
def seg() -> Segmenter:
    return Segmenter()


@pytest.fixture(scope="module")
def records() -> dict[str, dict]:
    lines = (FIXTURES / "articles.jsonl").read_text(encoding="utf-8").splitlines()
    return {r["id"]: r for r in map(json.loads, lines)}


def paragraphs(record: dict) -> list[str]:
    return [p.strip().strip("\u3000") for p in record["text"].split("\n") if p.strip()]


def sentences_of(text: str) -> list[str]:
    return [text[a:b] for a, b in split_sentences(text)]


# -- sentences and clauses -------------------------------------------------------------------


def test_sentences_keep_closing_quotes_and_cover_the_text():
    text = "她说：“我欠他一个告别……”奥莉瓦表示。两人分手了！真的吗？是的；后来又见面"
    parts = sentences_of(text)
    assert "".join(parts) == text
    assert parts[0] == "她说：“我欠他一个告别……”"
    assert parts[1] == "奥莉瓦表示。"
    assert parts[2] == "两人分手了！"
    assert parts[3] == "真的吗？"
    assert parts[4] == "是的；"
    assert parts[5] == "后来又见面"


def test_ellipsis_run_stays_in_one_sentence():
    parts = sentences_of("尽管如此，两人也曾在分手后有过见面和联系……下一句。")
    assert parts == ["尽管如此，两人也曾在分手后有过见面和联系……", "下一句。"]


def test_clauses_split_after_clause_marks():
    text = "下一步，两江新区、天府新区将依托创新平台，加大协同创新力度"
    clauses = [text[a:b] for a, b in split_clauses(text)]
    assert clauses == ["下一步，", "两江新区、", "天府新区将依托创新平台，", "加大协同创新力度"]


def test_merge_spans_sorts_and_merges_overlaps():
    assert merge_spans([(5, 8), (0, 2), (1, 3), (8, 9), (12, 12)]) == [(0, 3), (5, 9)]


# -- excerpt selection ---------------------------------------------------------------------


def test_best_sentence_is_chosen_not_the_first(seg, records):
    # the 李彩桦 marriage paragraph: ~210 characters, 4 sentences
    para = next(p for p in paragraphs(records["netease-0139"]) if p.startswith("据悉"))
    terms = seg.query_tokens("黄彦书送了爱妻什么礼物？")
    ex = select_excerpt(para, terms, max_chars=80, aligned=seg.aligned)
    assert "白色辣跑" in ex.text
    assert not ex.text.startswith("据悉")
    assert len(ex.text) <= 80
    assert ex.text in para  # whole sentences: a verbatim slice, no ellipsis needed


def test_excerpt_is_bounded_and_not_the_whole_long_paragraph(seg, records):
    para = max(paragraphs(records["netease-0021"]), key=len)  # the ~390-char plot summary
    assert len(para) > 300
    terms = seg.query_tokens("刘启带着妹妹做了什么？")
    ex = select_excerpt(para, terms, max_chars=120, aligned=seg.aligned)
    assert 0 < len(ex.text) <= 120
    assert ex.text != para
    assert "刘启" in ex.text and "妹妹" in ex.text
    # never cut inside a sentence: starts and ends on sentence boundaries of the paragraph
    bounds = {a for a, _ in split_sentences(para)} | {b for _, b in split_sentences(para)}
    assert ex.start in bounds and ex.end in bounds


def test_short_best_sentence_gets_a_neighbour_for_context(seg, records):
    para = next(p for p in paragraphs(records["cec-288"]) if p.startswith("截至发稿前"))
    text = "这是前一句，讲的是救治的背景和经过，有一些细节。" + para
    terms = seg.query_tokens("多少人恢复正常回家")
    ex = select_excerpt(text, terms, max_chars=220, aligned=seg.aligned)
    assert "10人恢复正常回家" in ex.text
    assert len(ex.text) >= 40  # the matching sentence alone is short; context was added
    assert len(ex.text) <= 220


def test_matching_neighbour_sentences_are_kept_together(seg):
    text = (
        "天气很好。两江新区将依托协同创新区建设平台。天府新区将依托成都科学城建设平台。"
        "另外一件无关的事情发生在别处，与此无关，说了很长很长的一段话来占用篇幅。"
    )
    terms = seg.query_tokens("两江新区和天府新区")
    ex = select_excerpt(text, terms, max_chars=60, aligned=seg.aligned)
    assert "两江新区" in ex.text and "天府新区" in ex.text
    assert "无关" not in ex.text


def test_overlong_sentence_is_cut_at_a_clause_with_ellipsis(seg):
    sentence = (
        "下一步，两江新区、天府新区将依托两江协同创新区和成都科学城等创新平台，加大协同创新力度，"
        "加强双方在创新资源、创新体制、创新政策等方面的合作，培育新动能、激发新活力，"
        "共同建设西部科技创新中心，全面提升成渝地区协同创新发展能力。"
    )
    terms = seg.query_tokens("共同建设什么中心")
    ex = select_excerpt(sentence, terms, max_chars=60, aligned=seg.aligned)
    assert len(ex.text) <= 60
    assert "共同建设西部科技创新中心" in ex.text
    assert ELLIPSIS in ex.text
    # every kept piece is verbatim text of the sentence, cut only after a clause mark
    for piece in filter(None, ex.text.split(ELLIPSIS)):
        assert piece in sentence
    assert ex.text.startswith(ELLIPSIS)  # leading clauses were dropped


def test_single_overlong_clause_is_hard_cut(seg):
    clause = "甲" * 50 + "马拉多纳" + "乙" * 200
    ex = select_excerpt(clause, seg.query_tokens("马拉多纳"), max_chars=60, aligned=seg.aligned)
    assert len(ex.text) <= 60
    assert "马拉多纳" in ex.text
    assert ex.text.endswith(ELLIPSIS)


def test_no_match_falls_back_to_the_opening(seg):
    text = "第一句话在这里。第二句话在那里。"
    ex = select_excerpt(text, ["火星"], max_chars=100, aligned=seg.aligned)
    assert ex.text.startswith("第一句话")
    assert ex.highlights == []


# -- highlights ----------------------------------------------------------------------------


def test_highlights_are_offsets_of_the_question_words(seg, records):
    para = next(p for p in paragraphs(records["netease-0033"]) if p.startswith("现年30岁"))
    terms = seg.query_tokens("马拉多纳向奥利瓦求婚")
    ex = select_excerpt(para, terms, max_chars=220, aligned=seg.aligned)
    for word in ("马拉多纳", "求婚", "奥利瓦"):
        start = ex.text.find(word)
        assert start != -1
        while start != -1:  # every occurrence lies inside a highlight
            assert any(a <= start and start + len(word) <= b for a, b in ex.highlights), word
            start = ex.text.find(word, start + 1)
    covered = {i for a, b in ex.highlights for i in range(a, b)}
    assert "现年" not in "".join(ex.text[i] for i in sorted(covered))
    assert ex.highlights == sorted(ex.highlights)
    for (_, b), (c, _) in zip(ex.highlights, ex.highlights[1:], strict=False):
        assert b < c  # merged: neither overlapping nor touching


def test_traditional_question_highlights_simplified_text(seg):
    text = "下一步，两江新区、天府新区将共同建设西部科技创新中心。"
    terms = seg.query_tokens("兩江新區和天府新區要共同建設什麼？")
    ex = select_excerpt(text, terms, max_chars=220, aligned=seg.aligned)
    marked = [ex.text[a:b] for a, b in ex.highlights]
    assert "两江新区" in marked
    assert "天府新区" in marked
    assert any("建设" in m for m in marked)


def test_simplified_question_highlights_traditional_text(seg):
    text = "兩江新區、天府新區將共同建設西部科技創新中心。"
    ex = select_excerpt(
        text, seg.query_tokens("两江新区要建设什么"), max_chars=220, aligned=seg.aligned
    )
    marked = [ex.text[a:b] for a, b in ex.highlights]
    assert "兩江新區" in marked  # offsets point at the article's own characters


def test_subwords_are_not_highlighted_where_the_whole_word_occurs():
    view = "两江新区将依托两江协同创新区"
    assert maximal_terms(["两江新区", "两江", "新区"], view) == ["两江新区"]
    # without the whole word in the text, its parts still count
    assert sorted(maximal_terms(["两江新区", "两江", "新区"], "两江协同创新区")) == ["两江", "新区"]


def test_shorten_keeps_the_first_highlight_and_shifts_offsets():
    text = "甲" * 100 + "马拉多纳" + "乙" * 100
    short, marks = shorten(text, [(100, 104)], 40)
    assert len(short) <= 40
    assert [short[a:b] for a, b in marks] == ["马拉多纳"]
    assert short.startswith(ELLIPSIS) and short.endswith(ELLIPSIS)


# -- near duplicates -------------------------------------------------------------------------


def test_same_wire_paragraph_in_two_pages_is_near_duplicate(seg, records):
    a = next(p for p in paragraphs(records["netease-0005"]) if p.startswith("李彩桦因饰演"))
    b = next(p for p in paragraphs(records["netease-0140"]) if p.startswith("李彩桦因饰演"))
    assert a != b  # 0005 lost the linked names (秋瓷炫, 凌潇肃) — not byte-identical
    assert jaccard(shingles(seg.normalize(a)), shingles(seg.normalize(b))) >= 0.8


def test_different_paragraphs_are_not_near_duplicates(seg, records):
    a = next(p for p in paragraphs(records["netease-0139"]) if p.startswith("当港媒求证"))
    b = next(p for p in paragraphs(records["netease-0139"]) if p.startswith("其前夫黄彦书"))
    assert jaccard(shingles(seg.normalize(a)), shingles(seg.normalize(b))) < 0.2


def test_shingles_ignore_punctuation_and_spaces():
    assert shingles("两江新区，天府 新区。") == shingles("两江新区天府新区")
    assert jaccard(frozenset(), frozenset()) == 1.0
    assert jaccard(shingles("甲乙丙丁"), frozenset()) == 0.0


def test_terminators_inside_a_quotation_do_not_split_it():
    text = (
        "问到离婚一事会否与事件有关，她即说：“绝对无关！完全没有！我向来都经济独立。”"
        "据知，离婚后双方未有向对方争取赡养费。"
    )
    parts = sentences_of(text)
    assert parts[0].endswith("我向来都经济独立。”")
    assert parts[1] == "据知，离婚后双方未有向对方争取赡养费。"


def test_an_unbalanced_quotation_mark_does_not_swallow_the_paragraph():
    text = "唱好“双城记。" + "这是一句很长的话，" * 20 + "结束。下一句。"
    parts = sentences_of(text)
    assert "".join(parts) == text
    assert parts[-1] == "下一句。"


def test_a_question_word_in_its_own_right_is_highlighted_even_inside_a_longer_match(seg):
    # 江北新区 is not in the plain dictionary: the question's words are 江北 + 新区 (and 天府新区)
    question = "江北新区和天府新区要共同建设什么"
    terms = seg.query_tokens(question)
    standalone = standalone_terms(terms, seg.normalize(question))
    assert "新区" in standalone
    text = "下一步，江北新区、天府新区将共同建设西部科技创新中心。"
    ex = select_excerpt(text, terms, max_chars=220, aligned=seg.aligned, standalone=standalone)
    marked = [ex.text[a:b] for a, b in ex.highlights]
    assert "江北新区" in marked and "天府新区" in marked
    # …while with 两江新区 and 天府新区 as user words (search mode: their sub-words too), 新区
    # is only part of longer words
    words = Segmenter(user_words=["两江新区", "天府新区"], search_mode=True)
    question = "两江新区和天府新区要共同建设什么"
    terms = words.query_tokens(question)
    assert "两江新区" in terms and "新区" in terms
    assert "新区" not in standalone_terms(terms, words.normalize(question))
    text = "两江新区将依托两江协同创新区打造平台。"
    ex = select_excerpt(
        text,
        terms,
        max_chars=220,
        aligned=words.aligned,
        standalone=standalone_terms(terms, words.normalize(question)),
    )
    assert [ex.text[a:b] for a, b in ex.highlights] == ["两江新区"]  # not 创【新区】
