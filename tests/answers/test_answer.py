"""The Answerer: question → quotes (or metadata facts), with the real segmenter and index.

Corpora are small and built in the test from real news paragraphs
(tests/fixtures/answers/articles.jsonl) or the bundled corpus sample (parsed by the real
parser). Policy tests that need exact scores use a stub index returning chosen hits.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import FrozenInstanceError, replace
from pathlib import Path

import pytest

from bot.answers.answerer import DIVERSITY_DECAY, Answer, Answerer, AnswerSet, metadata_fields
from bot.answers.excerpt import ELLIPSIS, jaccard, shingles
from bot.answers.render import render_plain
from bot.config import AnswersConfig, RetrievalConfig, load_config
from bot.errors import QuestionError
from bot.ingest.parsing import parse_file
from bot.models import Article, Contributor, Paragraph
from bot.search.base import Hit, IndexDoc
from bot.search.bm25 import build_index
from bot.search.segment import Segmenter

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).parents[1] / "fixtures" / "answers"
SAMPLE = ROOT / "corpus" / "cqcb-2020-04-12-chuanyu-innovation.txt"


# -- corpus helpers ----------------------------------------------------------------------------


def article_from_record(record: dict) -> Article:
    texts = [t.strip().strip("\u3000") for t in record["text"].split("\n") if t.strip()]
    paragraphs = [Paragraph(id=f"{record['id']}#{i}", text=t) for i, t in enumerate(texts)]
    return Article(
        id=record["id"],
        title=record["title"],
        source=record["source"],
        reporters=list(record["reporters"]),
        date=record["date"],
        url=record["url"],
        paragraphs=paragraphs,
    )


def make_answerer(
    seg: Segmenter,
    articles: list[Article],
    *,
    scopes: dict[str, str] | None = None,
    retrieval: RetrievalConfig | None = None,
    answers: AnswersConfig | None = None,
    index_headings: bool = False,
) -> Answerer:
    scopes = scopes or {}
    docs = [
        IndexDoc(p.id, seg.tokens(p.text), scopes.get(a.id, "shared"), a.id)
        for a in articles
        for p in (a.paragraphs if index_headings else a.body)
    ]
    return Answerer(
        build_index(docs),
        seg,
        {a.id: a for a in articles},
        retrieval or RetrievalConfig(),
        answers or AnswersConfig(),
    )


class StubIndex:
    """Returns fixed hits (best first), honouring k and the groups filter."""

    def __init__(self, hits: list[Hit]):
        self.hits = sorted(hits, key=lambda h: -h.score)
        self.calls: list[dict] = []

    def search(self, query_tokens, k, *, scopes=None, groups=None):
        self.calls.append({"k": k, "scopes": scopes, "groups": groups})
        found = [h for h in self.hits if groups is None or h.group in groups]
        return found[:k]


@pytest.fixture(scope="module")
def config():
    return load_config(ROOT / "config.yaml")


@pytest.fixture(scope="module")
def seg(config) -> Segmenter:
    return Segmenter.from_config(config.segmentation)


@pytest.fixture(scope="module")
def records() -> dict[str, dict]:
    lines = (FIXTURES / "articles.jsonl").read_text(encoding="utf-8").splitlines()
    return {r["id"]: r for r in map(json.loads, lines)}


@pytest.fixture(scope="module")
def news(records) -> dict[str, Article]:
    return {rid: article_from_record(r) for rid, r in records.items()}


@pytest.fixture(scope="module")
def answerer(seg, news) -> Answerer:
    return make_answerer(seg, list(news.values()))


@pytest.fixture(scope="module")
def sample() -> Article:
    [article] = parse_file(SAMPLE)
    return article


@pytest.fixture(scope="module")
def sample_answerer(seg, sample, config) -> Answerer:
    # headings indexed too: the answerer must still never quote them
    return make_answerer(
        seg, [sample], retrieval=config.retrieval, answers=config.answers, index_headings=True
    )


def synthetic(article_id: str, texts: list[str], **meta) -> Article:
    return Article(
        id=article_id,
        paragraphs=[Paragraph(f"{article_id}#{i}", t) for i, t in enumerate(texts)],
        **meta,
    )


# -- the acceptance check ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "question", ["两江新区和天府新区要共同建设什么？", "兩江新區和天府新區要共同建設什麼？"]
)
def test_sample_article_answers_the_joint_innovation_question(sample_answerer, sample, question):
    result = sample_answerer.ask(question)
    assert result.answers, "the sample article must answer"
    first = result.answers[0]
    assert first.kind == "quote"
    assert first.paragraph.startswith("下一步")
    assert "共同建设西部科技创新中心" in first.paragraph
    assert "共同建设西部科技创新中心" in first.excerpt
    assert first.article.source == "上游新闻·重庆晨报"
    assert first.article.reporters == ["严薇", "郭欣欣"]
    marked = [first.excerpt[a:b] for a, b in first.highlights]
    assert "两江新区" in marked and "天府新区" in marked
    text = render_plain(result)
    assert "上游新闻·重庆晨报" in text and "严薇、郭欣欣" in text
    assert first.paragraph_id == sample.paragraph(first.paragraph_id).id


def test_traditional_and_simplified_questions_find_the_same_paragraphs(sample_answerer):
    simplified = sample_answerer.ask("两江新区和天府新区要共同建设什么？")
    traditional = sample_answerer.ask("兩江新區和天府新區要共同建設什麼？")
    assert [a.paragraph_id for a in simplified.answers] == [
        a.paragraph_id for a in traditional.answers
    ]


def test_headings_are_never_quoted(sample_answerer, sample):
    # the words of a heading: 联手天府新区打造西部科技创新中心 (whatever the confidence: the
    # heading itself, indexed here, outscores every paragraph)
    result = sample_answerer.ask("联手天府新区打造西部科技创新中心", min_confidence=0.0)
    assert result.answers
    headings = {p.id for p in sample.paragraphs if p.kind == "heading"}
    assert headings, "the sample has headings"
    assert not {a.paragraph_id for a in result.answers} & headings


def test_heading_hits_are_skipped_even_when_they_score_best(seg):
    article = Article(
        id="h",
        paragraphs=[
            Paragraph("h#0", "两江新区", kind="heading"),
            Paragraph("h#1", "两江新区将建设科技创新中心。"),
        ],
    )
    index = StubIndex([Hit("h#0", 9.0, "h"), Hit("h#1", 3.0, "h")])
    result = Answerer(index, seg, {"h": article}, RetrievalConfig(), AnswersConfig()).ask(
        "两江新区"
    )
    assert [a.paragraph_id for a in result.answers] == ["h#1"]


# -- selection policy ----------------------------------------------------------------------------

# Distinct real sentences (no two near-duplicates), handed out to the stub articles.
POOL = [
    "两江新区正大力实施以大数据智能化为引领的创新驱动发展战略行动计划。",
    "今年年初，两江新区专门发布了百亿级的科技金融服务基金群。",
    "两江新区科技创新局局长李洁表示，区内创新资源丰沛，创新活力日益增强。",
    "两江新区还将加强产业联动发展，协同引进跨国公司地区总部，打通双方产业链。",
    "两江新区将支持企业科技合作，共建共享国家重点实验室和共性创新平台。",
    "两江新区和成都天府新区正在携手建设西部科技创新中心。",
    "作为中国内陆首个国家级开发开放新区，两江新区是重庆经济发展领头羊。",
    "川渝将联手共建西部科学城，两江新区打造具有全国影响力的科技创新中心。",
]


def _stub_answerer(seg, scores: dict[str, list[float]], **answers_cfg) -> Answerer:
    articles, hits = {}, []
    pool = iter(POOL)
    for aid, paragraph_scores in scores.items():
        texts = [next(pool) for _ in paragraph_scores]
        articles[aid] = synthetic(aid, texts)
        hits += [Hit(f"{aid}#{i}", s, aid) for i, s in enumerate(paragraph_scores)]
    return Answerer(
        StubIndex(hits), seg, articles, RetrievalConfig(min_score=1.0), AnswersConfig(**answers_cfg)
    )


def test_at_most_max_per_article_quotes_from_one_article(seg):
    ans = _stub_answerer(seg, {"A": [10, 9, 8, 7], "B": [3]})
    ids = [a.article.id for a in ans.ask("两江新区", top=10).answers]
    assert Counter(ids) == {"A": 2, "B": 1}
    ids = [a.article.id for a in ans.ask("两江新区", top=10, per_article=1).answers]
    assert Counter(ids) == {"A": 1, "B": 1}
    ids = [a.article.id for a in ans.ask("两江新区", top=10, per_article=3).answers]
    assert Counter(ids) == {"A": 3, "B": 1}


def test_another_articles_quote_comes_before_a_second_from_the_same(seg):
    # A's second paragraph (9) counts 9 × DIVERSITY_DECAY = 4.5 against B's first (6)
    assert 9 * DIVERSITY_DECAY < 6
    ans = _stub_answerer(seg, {"A": [10, 9], "B": [6]})
    assert [a.paragraph_id for a in ans.ask("两江新区").answers] == ["A#0", "B#0", "A#1"]


def test_a_much_stronger_second_paragraph_still_wins(seg):
    assert 9 * DIVERSITY_DECAY > 3
    ans = _stub_answerer(seg, {"A": [10, 9], "B": [3]})
    assert [a.paragraph_id for a in ans.ask("两江新区").answers] == ["A#0", "A#1", "B#0"]


def test_real_index_prefers_different_articles(answerer):
    result = answerer.ask("马拉多纳", top=3)
    ids = [a.article.id for a in result.answers]
    assert len(set(ids)) >= 2  # two Maradona stories in the corpus: both are quoted early


def test_paragraphs_below_min_score_are_not_offered(seg):
    ans = _stub_answerer(seg, {"A": [5.0], "B": [1.5], "C": [0.99], "D": [0.2]})
    assert [a.article.id for a in ans.ask("两江新区", top=10).answers] == ["A", "B"]
    assert all(a.score >= 1.0 for a in ans.ask("两江新区", top=10).answers)


def test_min_score_from_config_applies_to_the_real_index(seg, news):
    strict = make_answerer(seg, list(news.values()), retrieval=RetrievalConfig(min_score=1000.0))
    assert strict.ask("山西女篮为什么食物中毒").answers == []
    loose = make_answerer(seg, list(news.values()))
    assert loose.ask("山西女篮为什么食物中毒").answers


def test_top_bounds_the_number_of_quotes(answerer):
    assert len(answerer.ask("李彩桦离婚", top=2).answers) == 2
    assert len(answerer.ask("李彩桦离婚").answers) <= RetrievalConfig().top_k


def test_offset_pages_are_consistent(answerer):
    full = [a.paragraph_id for a in answerer.ask("李彩桦离婚", top=10).answers]
    pages = [answerer.ask("李彩桦离婚", top=2, offset=offset) for offset in (0, 2, 4, 6)]
    assert len(full) >= 3
    assert [a.paragraph_id for page in pages for a in page.answers] == full
    # "more" is true exactly while another confident quote follows the page
    assert [page.more for page in pages] == [len(full) > offset + 2 for offset in (0, 2, 4, 6)]


def test_more_pages_only_through_confident_quotes(answerer):
    everything = answerer.ask("李彩桦离婚", top=10, min_confidence=0.0).answers
    confident = answerer.ask("李彩桦离婚", top=10).answers
    threshold = RetrievalConfig().min_confidence
    assert len(everything) > len(confident) >= 1  # weak matches exist and are left out
    assert all(a.confidence >= threshold for a in confident)
    assert any(a.confidence < threshold for a in everything)
    last = answerer.ask("李彩桦离婚", top=1, offset=len(confident) - 1)
    assert last.answers and not last.more
    assert answerer.ask("李彩桦离婚", top=1, offset=len(confident)).answers == []


def test_asks_the_index_for_more_hits_than_it_returns(seg):
    ans = _stub_answerer(seg, {"A": [5.0, 4.0]})
    ans.ask("两江新区", top=1)
    assert ans.index.calls[0]["k"] > 1


# -- near duplicates ---------------------------------------------------------------------------


def test_same_wire_paragraph_in_several_pages_is_quoted_once(answerer, seg, news):
    wire_text = next(p.text for p in news["netease-0005"].body if p.text.startswith("9月，李彩桦"))
    copies = [a.id for a in news.values() if any(p.text == wire_text for p in a.body)]
    assert copies == ["netease-0005", "netease-0140"]  # one wire paragraph, two pages
    result = answerer.ask("李彩桦和丈夫办理离婚手续", top=10)
    assert result.answers
    assert [a.paragraph for a in result.answers].count(wire_text) == 1
    threshold = AnswersConfig().duplicate_similarity
    for i, a in enumerate(result.answers):
        for b in result.answers[i + 1 :]:
            sim = jaccard(
                shingles(seg.normalize(a.paragraph)), shingles(seg.normalize(b.paragraph))
            )
            assert sim < threshold


def test_near_duplicate_threshold_comes_from_config(seg):
    story = (
        "北京时间11月26日，阿根廷传奇球星马拉多纳的告别仪式在总统府玫瑰宫举行，"
        "棺材上覆盖着阿根廷国旗和10号球衣，球迷排队向这位传奇球星告别。"
    )
    copy = story.replace("北京时间", "据报道，北京时间")  # the same story, another outlet
    articles = {
        "X": synthetic("X", [story], source="环球网"),
        "Y": synthetic("Y", [copy], source="中国日报网"),
    }
    hits = [Hit("X#0", 8.0, "X"), Hit("Y#0", 7.5, "Y")]
    sim = jaccard(shingles(seg.normalize(story)), shingles(seg.normalize(copy)))
    assert 0.8 <= sim < 1.0

    def ask(threshold: float) -> list[str]:
        ans = Answerer(
            StubIndex(hits),
            seg,
            articles,
            RetrievalConfig(),
            AnswersConfig(duplicate_similarity=threshold),
        )
        return [a.article.id for a in ans.ask("马拉多纳告别仪式").answers]

    assert ask(0.8) == ["X"]
    # above the pair's similarity (and the share of Y's excerpt already shown by X's) the
    # two count as different stories
    assert ask(1.0) == ["X", "Y"]


def test_distinct_paragraphs_are_kept(seg):
    articles = {
        "X": synthetic("X", ["马拉多纳的棺材上覆盖着阿根廷国旗和10号球衣。"]),
        "Y": synthetic("Y", ["马拉多纳的前女友奥利瓦得知噩耗后当场昏厥。"]),
    }
    hits = [Hit("X#0", 8.0, "X"), Hit("Y#0", 7.5, "Y")]
    ans = Answerer(StubIndex(hits), seg, articles, RetrievalConfig(), AnswersConfig())
    assert [a.article.id for a in ans.ask("马拉多纳").answers] == ["X", "Y"]


# -- excerpts in answers -----------------------------------------------------------------------


def test_excerpts_are_bounded_sentences_of_their_paragraph(answerer):
    limit = AnswersConfig().excerpt_chars
    result = answerer.ask("刘启带着妹妹偷开外公的运输车", top=3)
    assert result.answers
    first = result.answers[0]
    assert len(first.paragraph) > limit  # the long plot summary …
    assert first.excerpt != first.paragraph  # … is not quoted whole
    for answer in result.answers:
        assert 0 < len(answer.excerpt) <= limit
        for piece in filter(None, answer.excerpt.split(ELLIPSIS)):
            assert piece in answer.paragraph
    assert "刘启" in first.excerpt


def test_highlights_point_at_question_words_in_the_excerpt(answerer):
    result = answerer.ask("山西女篮为什么食物中毒")
    first = result.answers[0]
    marked = [first.excerpt[a:b] for a, b in first.highlights]
    assert "山西女篮" in marked and "食物中毒" in marked
    assert first.highlights == sorted(first.highlights)
    assert all(0 <= a < b <= len(first.excerpt) for a, b in first.highlights)


def test_traditional_question_highlights_simplified_article(answerer):
    first = answerer.ask("山西女籃為什麼食物中毒").answers[0]
    marked = [first.excerpt[a:b] for a, b in first.highlights]
    assert "山西女篮" in marked  # the article's own (simplified) characters


# -- scopes and one article ------------------------------------------------------------------


def test_scopes_filter_the_articles(seg, news):
    ans = make_answerer(seg, list(news.values()), scopes={"cec-292": "chat:1"})
    shared = ans.ask("食物中毒", scopes=["shared"], top=10)
    assert shared.answers and "cec-292" not in {a.article.id for a in shared.answers}
    own = ans.ask("食物中毒", scopes=["chat:1"], top=10)
    assert own.answers and {a.article.id for a in own.answers} == {"cec-292"}
    # a chat that sees only its own articles gets "not found", not quotes from outside
    elsewhere = ans.ask("李彩桦离婚", scopes=["chat:1"])
    assert elsewhere.answers == [] and elsewhere.status == "not_found"


def test_within_article_restricts_and_says_when_the_article_has_no_answer(answerer):
    inside = answerer.ask("食物中毒", within_article="cec-288", top=10)
    assert inside.answers and {a.article.id for a in inside.answers} == {"cec-288"}
    assert inside.within_article == "cec-288"
    # nothing about 山西女篮 in the 流浪地球 story: "not there", never other articles' quotes
    missing = answerer.ask("山西女篮食物中毒", within_article="netease-0021")
    assert missing.answers == [] and missing.status == "not_found"
    assert missing.within_article == "netease-0021"
    # the whole corpus does answer it (the reader's "search everything" button)
    assert answerer.ask("山西女篮食物中毒").answers[0].article.id == "cec-292"


# -- metadata questions ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "question,fields",
    [
        ("这篇文章的记者是谁？", ["reporters"]),
        ("作者是谁", ["reporters"]),
        ("谁写的", ["reporters"]),
        ("这篇报道是哪位记者写的？", ["reporters"]),
        ("什么时候发布的？", ["date"]),
        ("哪天发的", ["date"]),
        ("来源是哪里？", ["source"]),
        ("哪家媒体", ["source"]),
        ("who wrote this?", ["reporters"]),
        ("when was this published?", ["date"]),
        ("记者？", ["reporters"]),
        ("本文作者", ["reporters"]),
        ("来源", ["source"]),
        ("发布时间？", ["date"]),
        ("两江新区和天府新区要共同建设什么？", []),
        ("两江新区的记者", []),
        ("记者从重庆高新区获悉了什么？", []),
    ],
)
def test_metadata_fields_are_recognised(seg, question, fields):
    assert metadata_fields(seg.normalize(question)) == fields


def test_traditional_metadata_question_is_recognised(seg):
    assert metadata_fields(seg.normalize("這篇文章的記者是誰？")) == ["reporters"]


def test_reporters_of_the_only_article(sample_answerer):
    result = sample_answerer.ask("这篇文章的记者是谁？")
    [answer] = result.answers
    assert answer.kind == "metadata"
    assert answer.paragraph_id is None and answer.paragraph is None
    assert answer.excerpt == "记者：严薇、郭欣欣"


def test_metadata_answers_follow_the_question_language(sample_answerer):
    assert sample_answerer.ask("這篇文章的記者是誰？").answers[0].excerpt == "記者：严薇、郭欣欣"
    assert sample_answerer.ask("who wrote this?").answers[0].excerpt == "Reporters: 严薇, 郭欣欣"


def test_date_and_source_of_an_article(sample_answerer):
    assert (
        sample_answerer.ask("什么时候发布的？").answers[0].excerpt
        == "发布时间：2020-04-12 16:25:33"
    )
    assert sample_answerer.ask("来源是哪里？").answers[0].excerpt == "来源：上游新闻·重庆晨报"
    assert sample_answerer.ask("哪家媒体").answers[0].excerpt == "来源：上游新闻·重庆晨报"


def test_metadata_of_the_article_named_by_the_rest_of_the_question(answerer):
    [answer] = answerer.ask("山西女篮那篇报道的记者是谁？").answers
    assert answer.article.id == "cec-292"
    assert answer.excerpt == "记者：李庆实"
    [answer] = answerer.ask("哪家媒体报道了马拉多纳的告别仪式？").answers
    assert answer.article.id == "netease-0004"
    assert answer.excerpt == "来源：环球网"


def test_metadata_within_an_article(answerer):
    [answer] = answerer.ask("這篇報道的記者是誰？", within_article="cec-288").answers
    assert answer.excerpt == "記者：徐顺凯"
    [answer] = answerer.ask("什么时候发布的？", within_article="cec-292").answers
    assert answer.excerpt == "发布时间：2014-01-03 05:12"


def test_unknown_metadata_is_said_to_be_unknown(answerer, seg):
    [answer] = answerer.ask("谁写的？", within_article="netease-0021").answers
    assert answer.excerpt == "记者：未注明"  # NetEase records name no reporter
    bare = synthetic("bare", ["两江新区将建设科技创新中心。"])
    ans = make_answerer(seg, [bare])
    assert ans.ask("来源是哪里？").answers[0].excerpt == "来源：未注明"
    assert ans.ask("什么时候发布的？").answers[0].excerpt == "发布时间：未注明"


def test_contributors_are_credited_in_the_reporters_answer(seg):
    article = synthetic(
        "c",
        ["两江新区将建设科技创新中心。"],
        reporters=["严薇"],
        contributors=[Contributor("张三", "实习生")],
    )
    ans = make_answerer(seg, [article])
    assert ans.ask("记者是谁？").answers[0].excerpt == "记者：严薇；实习生：张三"


def test_metadata_question_without_a_determinable_article_answers_nothing(answerer):
    assert answerer.ask("这篇文章的记者是谁？").answers == []


def test_metadata_phrase_in_a_content_question_is_not_a_metadata_question(answerer):
    result = answerer.ask("奥利瓦什么时候发的社交媒体宣布分手")
    assert result.answers and result.answers[0].kind == "quote"
    assert "社交媒体" in result.answers[0].excerpt


def test_metadata_answer_has_no_more_pages(sample_answerer):
    assert sample_answerer.ask("这篇文章的记者是谁？", offset=1).answers == []


# -- nothing found, bad questions ----------------------------------------------------------------


def test_nothing_matched_is_an_empty_answer_set(answerer):
    result = answerer.ask("量子纠缠")
    assert isinstance(result, AnswerSet)
    assert result.answers == [] and not result
    assert result.status == "not_found"
    assert result.to_json() == {
        "question": "量子纠缠",
        "status": "not_found",
        "language": "zh-hans",
        "more": False,
        "within_article": None,
        "answers": [],
        "related": [],
    }


def test_only_stopwords_is_an_empty_answer_set(answerer):
    assert answerer.ask("的了吗？").answers == []


@pytest.mark.parametrize("question", ["", "   ", "\n"])
def test_empty_question_is_refused(answerer, question):
    with pytest.raises(QuestionError):
        answerer.ask(question)


# -- JSON contract ----------------------------------------------------------------------------

ANSWER_KEYS = {
    "kind",
    "article_id",
    "paragraph_id",
    "score",
    "excerpt",
    "highlights",
    "paragraph",
    "title",
    "source",
    "reporters",
    "contributors",
    "date",
    "url",
    "confidence",
    "also_in",
    "evidence",
}
SET_KEYS = {"question", "status", "language", "more", "within_article", "answers", "related"}


def test_to_json_shape_of_quotes(answerer):
    result = answerer.ask("山西女篮为什么食物中毒")
    data = json.loads(json.dumps(result.to_json(), ensure_ascii=False))
    assert set(data) == SET_KEYS
    assert data["question"] == "山西女篮为什么食物中毒" and data["status"] == "answered"
    first = data["answers"][0]
    assert set(first) == ANSWER_KEYS
    assert first["kind"] == "quote"
    assert first["article_id"] == "cec-292"
    assert first["paragraph_id"].startswith("cec-292#")
    assert isinstance(first["score"], float) and first["score"] >= RetrievalConfig().min_score
    assert RetrievalConfig().min_confidence <= first["confidence"] <= 1
    assert set(first["evidence"]) == {
        "word_cover",
        "bigram_cover",
        "relative_score",
        "answer_type",
        "article_cover",
    }
    assert first["also_in"] == []
    assert all(isinstance(h, list) and len(h) == 2 for h in first["highlights"])
    for a, b in first["highlights"]:
        assert first["excerpt"][a:b]
    assert first["source"] == "沈阳晚报" and first["reporters"] == ["李庆实"]
    assert first["contributors"] == [] and first["url"] is None
    assert first["date"] == "2014-01-03T05:12"
    assert first["excerpt"] in first["paragraph"] or ELLIPSIS in first["excerpt"]


def test_to_json_of_metadata_answers_and_contributors(seg):
    article = synthetic(
        "c",
        ["两江新区将建设科技创新中心。"],
        title="标题",
        source="上游新闻",
        reporters=["严薇"],
        contributors=[Contributor("张三", "实习生")],
        date="2020-04-12T16:25:33",
        url="https://example.com/a",
    )
    data = make_answerer(seg, [article]).ask("作者是谁").to_json()["answers"][0]
    assert set(data) == ANSWER_KEYS
    assert data["kind"] == "metadata" and data["paragraph_id"] is None and data["paragraph"] is None
    assert data["highlights"] == []
    assert data["contributors"] == [{"name": "张三", "role": "实习生"}]
    assert data["title"] == "标题" and data["url"] == "https://example.com/a"


def test_answers_are_frozen_records(answerer):
    answer = answerer.ask("山西女篮食物中毒").answers[0]
    assert isinstance(answer, Answer)
    with pytest.raises(FrozenInstanceError):
        answer.excerpt = "changed"  # type: ignore[misc]
    assert replace(answer, score=0.0).score == 0.0


def test_fragments_are_not_quoted(seg):
    # NetEase pages broken at removed links leave fragments that score high on BM25
    article = synthetic(
        "f",
        [
            "在马拉多纳去世后，",
            "在马拉多纳去世之后，他的",
            "作者｜马拉多纳 阿根廷球王",
            "阿根廷球王马拉多纳在本周三因心脏骤停去世，享年60岁。",
            "马拉多纳去世，享年六十岁。",
        ],
    )
    index = StubIndex([Hit(f"f#{i}", 9.0 - i, "f") for i in range(5)])
    result = Answerer(
        index, seg, {"f": article}, RetrievalConfig(), AnswersConfig(max_per_article=5)
    ).ask("马拉多纳去世")
    # a short complete sentence is no fragment; unended scraps are
    assert [a.paragraph_id for a in result.answers] == ["f#3", "f#4"]


def test_names_split_into_characters_are_highlighted_whole(sample_answerer):
    result = sample_answerer.ask("薛领认为产业集聚有什么作用")
    first = result.answers[0]
    assert "产业集聚" in first.excerpt
    for start in [i for i in range(len(first.excerpt)) if first.excerpt.startswith("薛领", i)]:
        assert any(a <= start and start + 2 <= b for a, b in first.highlights)
    assert first.excerpt.count("薛领") >= 2  # both mentions, each marked


def test_a_match_on_a_lone_character_is_no_answer(sample_answerer, answerer):
    # 火星 is nowhere; 上 and 水 (inside 水平) are everywhere
    assert sample_answerer.ask("火星上有水吗").answers == []
    assert answerer.ask("火星上有水吗").answers == []
    # a question of one-character words still finds them
    single = sample_answerer.ask("谁说")
    assert all("说" in a.paragraph for a in single.answers)


# -- asking the index for few hits -------------------------------------------------------------


def test_small_pages_of_hits_choose_exactly_what_all_hits_would(seg, monkeypatch):
    """The answerer starts from a page of hits and widens it only when needed: whatever the
    page size, the quotes chosen (with per-article caps and duplicates) are the same."""
    import bot.answers.answerer as answer_module

    rng = __import__("random").Random(7)
    words = [
        "两江新区",
        "天府新区",
        "科技创新",
        "协同发展",
        "产业集群",
        "数字经济",
        "人工智能",
        "成渝地区",
    ]
    articles = []
    for a in range(30):
        paragraphs = []
        for p in range(6):
            picked = rng.sample(words, 3)
            text = f"第{a}篇第{p}段：{picked[0]}与{picked[1]}携手推进{picked[2]}建设，编号{a * 10 + p}。"
            paragraphs.append(Paragraph(f"art{a}#{p}", text))
        articles.append(Article(id=f"art{a}", title=f"标题{a}", paragraphs=paragraphs))
    answerer = make_answerer(
        seg, articles, retrieval=RetrievalConfig(min_score=0.0, min_confidence=0.0)
    )
    questions = ["两江新区科技创新", "人工智能产业集群", "成渝地区数字经济协同发展"]
    monkeypatch.setattr(answer_module, "FIRST_PAGE", 10_000)
    expected = [
        [a.paragraph_id for a in answerer.ask(q, top=12, per_article=2).answers] for q in questions
    ]
    for first_page in (1, 2, 5):
        monkeypatch.setattr(answer_module, "FIRST_PAGE", first_page)
        got = [
            [a.paragraph_id for a in answerer.ask(q, top=12, per_article=2).answers]
            for q in questions
        ]
        assert got == expected
    assert all(len(ids) == 12 for ids in expected)
