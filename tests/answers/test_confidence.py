"""Answers that are right or silent: confidence, statuses (chit-chat, other language, unclear
article, not in this article), one story one quote, credits of the named article, labels in
the reader's language, and the re-ranking. Small corpora written here."""

from __future__ import annotations

import pytest

from bot.answers.answerer import Answerer
from bot.answers.confidence import (
    WEIGHTS,
    Evidence,
    answer_type_evidence,
    asked_type,
    cover,
    is_chitchat,
    rerank,
)
from bot.answers.records import STATUSES, AnswerSet
from bot.answers.render import render_html, render_plain
from bot.config import AnswersConfig, RetrievalConfig
from bot.library import index_docs
from bot.models import Article, Contributor, Paragraph
from bot.search.base import Hit
from bot.search.bm25 import build_index
from bot.search.segment import Segmenter


@pytest.fixture(scope="module")
def seg() -> Segmenter:
    return Segmenter()


def article(article_id: str, title: str, texts: list[str], **meta: object) -> Article:
    return Article(
        id=article_id,
        title=title,
        paragraphs=[Paragraph(f"{article_id}#{i}", text) for i, text in enumerate(texts)],
        **meta,
    )


FIRE = article(
    "fire",
    "秋明州一民宅发生火灾 三人遇难",
    [
        "当地时间周二凌晨，俄罗斯秋明州一处民宅发生火灾，造成三人死亡。",
        "消防部门表示，起火原因可能是电暖器故障，目前调查仍在进行。",
    ],
    source="新华网",
    reporters=["王晓明"],
    contributors=[Contributor("李小红", "实习生")],
    photographers=["赵摄"],
)
BAKERY = article(
    "bakery",
    "面包店清晨起火",
    [
        "一家面包店清晨起火，店主及时逃出，没有人员伤亡。",
        "起火原因初步判断为烤箱过热，消防员半小时后将火扑灭。",
    ],
)
DISNEY = article(
    "disney",
    "迪士尼公布2020财年业绩",
    [
        "迪士尼公司周四公布财报，2020财年净亏损28亿美元，为四十多年来首次年度亏损。",
        "受疫情影响，迪士尼主题公园在全球多地关闭，公司裁员约两万八千人。",
    ],
)
HARBOUR = article(
    "harbour",
    "连云港港口货运量创新高",
    [
        "今年前十个月，港口完成货物吞吐量2.1亿吨，同比增长百分之五。",
        "一辆货车昨天在港区侧翻，车上装的是化肥，没有造成人员受伤。",
    ],
)
WIRE = (
    "新华社北京5月3日电，国家统计局发布数据显示，一季度全国居民人均可支配收入8561元，"
    "比上年同期名义增长百分之零点五。"
)
WIRE_A = article("wire-a", "一季度居民收入数据发布", [WIRE], source="新华网")
WIRE_B = article("wire-b", "统计局：一季度居民人均收入8561元", [WIRE + "（完）"], source="人民网")
CORPUS = [FIRE, BAKERY, DISNEY, HARBOUR, WIRE_A, WIRE_B]


def make(seg: Segmenter, articles: list[Article], **retrieval: object) -> Answerer:
    docs = [doc for a in articles for doc in index_docs(a, "shared", seg)]
    return Answerer(
        build_index(docs),
        seg,
        {a.id: a for a in articles},
        RetrievalConfig(**retrieval),
        AnswersConfig(),
    )  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def answerer(seg: Segmenter) -> Answerer:
    return make(seg, CORPUS)


# -- confidence ------------------------------------------------------------------------------


def test_confidence_is_a_probability_that_grows_with_the_evidence():
    weak = Evidence(
        word_cover=0.2, bigram_cover=0.1, relative_score=0.5, answer_type=-1, article_cover=0.3
    )
    strong = Evidence(
        word_cover=1.0, bigram_cover=1.0, relative_score=1.0, answer_type=1, article_cover=1.0
    )
    assert 0 <= weak.confidence() < strong.confidence() <= 1
    assert set(WEIGHTS) <= set(strong.to_json())
    for name in WEIGHTS:  # every piece of evidence counts in its own direction
        low = Evidence(**{**strong.__dict__, name: 0})
        assert low.confidence() < strong.confidence(), name


def test_cover_weighs_terms_by_idf():
    terms = {"秋明州": 9.0, "火灾": 1.0}
    assert cover(terms, "秋明州民宅") == pytest.approx(0.9)
    assert cover(terms, "面包店火灾") == pytest.approx(0.1)
    assert cover({}, "anything") == 0.0


@pytest.mark.parametrize(
    "question,asked",
    [
        ("亏损了多少钱", "number"),
        ("死了几个人", "number"),
        ("什么时候发生的", "time"),
        ("哪年成立", "time"),
        ("起火原因是什么", None),
    ],
)
def test_the_answer_type_a_question_asks_for(question, asked):
    assert asked_type(question) == asked


def test_answer_type_evidence():
    assert answer_type_evidence("number", "死亡三人") == 1
    assert answer_type_evidence("number", "原因不明") == -1
    assert answer_type_evidence("time", "周二凌晨起火") == 1
    assert answer_type_evidence(None, "whatever") == 0


def test_confident_answers_only(answerer):
    result = answerer.ask("秋明州民宅火灾造成几人死亡？")
    assert result.status == "answered"
    assert result.answers[0].article.id == "fire"
    assert all(a.confidence >= RetrievalConfig().min_confidence for a in result.answers)
    # the bakery fire shares 火灾-like words, not the place: never quoted for it
    assert "bakery" not in {a.article.id for a in result.answers}


def test_a_question_the_corpus_cannot_answer_is_not_found(answerer):
    result = answerer.ask("华为Mate 60手机用的是什么芯片？")
    assert result.answers == [] and result.status == "not_found"
    assert not result.more


def test_a_threshold_of_zero_shows_what_would_have_been_quoted(answerer):
    weak = answerer.ask("面包店的烤箱是什么牌子？秋明州", min_confidence=0.0)
    assert weak.answers and min(a.confidence for a in weak.answers) < 0.3
    assert weak.answers and all(0 <= a.confidence <= 1 for a in weak.answers)


# -- statuses -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "message",
    [
        "你好",
        "您好！",
        "谢谢",
        "多谢啦~",
        "哈哈哈",
        "晚安",
        "hello",
        "thanks!",
        "你是谁？",
        "你叫什么名字",
        "给我讲个笑话",
        "好的",
        "嗯嗯",
        "👍",
    ],
)
def test_chitchat_gets_no_quote(answerer, message):
    assert is_chitchat(Segmenter().normalize(message))
    result = answerer.ask(message)
    assert result.answers == [] and result.status == "chitchat"


@pytest.mark.parametrize(
    "question", ["你好的记者是谁", "秋明州火灾", "谢谢你们报道的火灾", "迪士尼亏了多少钱"]
)
def test_questions_are_not_chitchat(question):
    assert not is_chitchat(Segmenter().normalize(question))


def test_a_question_in_another_language_is_explained(answerer):
    result = answerer.ask("How many people died in the fire?")
    assert result.answers == [] and result.status == "other_language"
    assert result.language == "en"
    for lang in ("zh-hans", "en"):
        [message] = render_html(result, lang=lang)
        assert ("中文" in message) if lang == "zh-hans" else ("Chinese" in message)


def test_statuses_are_validated():
    assert AnswerSet("q").status == "not_found"
    with pytest.raises(ValueError):
        AnswerSet("q", status="maybe")
    assert "answered" in STATUSES and "unclear_article" in STATUSES


# -- follow-ups inside one article ----------------------------------------------------------


def test_follow_up_stays_in_its_article_or_says_not_there(answerer):
    inside = answerer.ask("起火原因是什么？", within_article="bakery")
    assert inside.answers and {a.article.id for a in inside.answers} == {"bakery"}
    missing = answerer.ask("迪士尼亏损多少？", within_article="bakery")
    assert missing.answers == [] and missing.status == "not_found"
    assert missing.within_article == "bakery"
    for lang, words in (
        ("zh-hans", "这篇文章里没有找到"),
        ("zh-hant", "這篇文章裡沒有找到"),
        ("en", "This article holds no answer"),
    ):
        assert words in render_html(missing, lang=lang)[0]
        assert words in render_plain(missing, lang=lang)


# -- one story, one quote ------------------------------------------------------------------


def test_the_same_story_in_two_outlets_is_quoted_once_with_the_other_listed(answerer):
    result = answerer.ask("一季度全国居民人均可支配收入是多少？", top=5)
    texts = [a.paragraph for a in result.answers]
    assert sum(1 for t in texts if t and t.startswith("新华社北京5月3日电")) == 1
    first = next(a for a in result.answers if a.paragraph and a.paragraph.startswith("新华社"))
    other = {"wire-a": "wire-b", "wire-b": "wire-a"}[first.article.id]
    assert [a.id for a in first.also_in] == [other]
    assert first.to_json()["also_in"][0]["article_id"] == other
    [message] = render_html(AnswerSet(result.question, [first]))
    assert "也见于" in message and "人民网" in message or "新华网" in message
    assert "also in" in render_plain(AnswerSet(result.question, [first]), lang="en")


# -- the title counts --------------------------------------------------------------------


def test_a_key_word_only_in_the_title_still_finds_the_paragraph(answerer):
    result = answerer.ask("连云港那辆货车上装的是什么？")
    assert result.answers and result.answers[0].paragraph_id == "harbour#1"


def test_casual_wording_finds_the_formal_paragraph(answerer):
    result = answerer.ask("迪士尼2020财年亏了多少钱？")
    assert result.answers and result.answers[0].paragraph_id == "disney#0"


def test_rerank_prefers_the_paragraph_holding_more_of_the_question():
    hits = [Hit("a", 10.0, "g"), Hit("b", 9.0, "g"), Hit("c", 1.0, "g")]
    views = {"a": "秋明州", "b": "秋明州 民宅 火灾", "c": "x"}
    ranked = rerank(hits, lambda h: views[h.doc_id], {"秋明州": 1.0, "民宅": 1.0, "火灾": 1.0}, {})
    assert [h.doc_id for h, _ in ranked] == ["b", "a", "c"]
    assert ranked[-1][1] == 1.0  # beyond the evidence: the BM25 score as is
    # equal evidence keeps BM25's order and ratios
    same = rerank(hits[:2], lambda h: "秋明州", {"秋明州": 1.0}, {})
    assert [h.doc_id for h, _ in same] == ["a", "b"]
    assert same[0][1] / same[1][1] == pytest.approx(10 / 9)


# -- credits of the article the question names --------------------------------------------


def test_credits_question_finds_the_article_it_names(answerer):
    result = answerer.ask("秋明州民宅火灾那篇报道的记者是谁？")
    [answer] = result.answers
    assert answer.kind == "metadata" and answer.article.id == "fire"
    assert answer.excerpt == "记者：王晓明；实习生：李小红"


def test_credits_question_about_an_article_not_held_says_it_is_unclear(answerer):
    result = answerer.ask("岸田文雄访美那篇文章的作者是谁？")
    assert result.answers == [] and result.status == "unclear_article"
    [message] = render_html(result)
    assert "哪篇文章" in message


def test_who_took_the_photos(answerer):
    [answer] = answerer.ask("这张照片是谁拍的？", within_article="fire").answers
    assert answer.excerpt == "摄影：赵摄"
    [answer] = answerer.ask("秋明州火灾那篇报道的照片是谁拍的？").answers
    assert answer.article.id == "fire" and answer.excerpt == "摄影：赵摄"


def test_metadata_labels_follow_the_reader_language_roles_too(answerer):
    [answer] = answerer.ask("這篇報道的記者是誰？", within_article="fire").answers
    assert answer.excerpt == "記者：王晓明；實習生：李小红"
    [answer] = answerer.ask("who wrote this?", within_article="fire").answers
    assert answer.excerpt == "Reporters: 王晓明; Intern: 李小红"


def test_credit_lines_label_roles_in_the_reader_language(answerer):
    result = answerer.ask("秋明州民宅火灾造成几人死亡？")
    hant = render_html(AnswerSet(result.question, result.answers[:1]), lang="zh-hant")[0]
    assert "記者 王晓明" in hant and "實習生 李小红" in hant
    hans = render_html(AnswerSet(result.question, result.answers[:1]), lang="zh-hans")[0]
    assert "实习生 李小红" in hans


# -- not found replies ----------------------------------------------------------------------


def test_not_found_names_the_closest_articles_and_about(answerer):
    result = answerer.ask("秋明州的天气怎么样？明年的预报是多少度")
    assert result.status == "not_found"
    [message] = render_html(result)
    assert "/about" in message
    if result.related:
        assert "最接近" in message and (result.related[0].title or "") in message
    chat = render_html(answerer.ask("你好"))[0]
    assert "新闻" in chat and "<blockquote>" not in chat


def test_rerank_puts_the_paragraph_holding_the_asked_figure_first():
    hits = [Hit("a", 10.0, "g"), Hit("b", 9.0, "g")]
    views = {"a": "大熊猫双胞胎在基地出生", "b": "双胞胎体重一百五十克"}
    words = {"双胞胎": 1.0}
    assert [h.doc_id for h, _ in rerank(hits, lambda h: views[h.doc_id], words, {})] == ["a", "b"]
    ranked = rerank(hits, lambda h: views[h.doc_id], words, {}, asked="number")
    assert [h.doc_id for h, _ in ranked] == ["b", "a"]
    assert all(score >= hit.score for hit, score in ranked)  # only ever a gain


def test_a_follow_up_inside_an_article_needs_half_the_threshold(answerer, monkeypatch):
    from bot.answers import answerer as module

    threshold = RetrievalConfig().min_confidence
    middling = threshold * (1 + module.WITHIN_ARTICLE_FACTOR) / 2  # between half and whole
    monkeypatch.setattr(Evidence, "confidence", lambda self: middling)
    assert answerer.ask("起火原因是什么？").status == "not_found"
    inside = answerer.ask("起火原因是什么？", within_article="bakery")
    assert inside.status == "answered" and inside.answers[0].article.id == "bakery"


def test_an_edited_article_is_read_anew(seg):
    first = article("e", "编辑测试", ["江北新区今年新建学校十二所，覆盖全部街道。"])
    articles = {"e": first, "bakery": BAKERY}
    docs = [doc for a in articles.values() for doc in index_docs(a, "shared", seg)]
    answerer = Answerer(build_index(docs), seg, articles, RetrievalConfig(), AnswersConfig())
    assert "十二所" in answerer.ask("江北新区今年新建学校多少所？").answers[0].excerpt
    # the index still holds the old words; the edited text no longer answers, and is not
    # judged on the old text
    articles["e"] = article("e", "编辑测试", ["本段内容已经删除，请另见其他报道。"])
    assert answerer.ask("江北新区今年新建学校多少所？").answers == []


def test_at_most_max_examined_hits_are_weighed(seg, monkeypatch):
    from bot.answers import answerer as module

    texts = [f"第{i}号仓库今天盘点完毕，一切正常。" for i in range(30)]
    many = [article(f"w{i}", "仓库", [text]) for i, text in enumerate(texts)]
    answerer = make(seg, many)
    weighed: list[int] = []
    real = Answerer.evidence

    def counting(self, cand, query, best):  # type: ignore[no-untyped-def]
        weighed.append(1)
        return real(self, cand, query, best)

    monkeypatch.setattr(Answerer, "evidence", counting)
    monkeypatch.setattr(module, "MAX_EXAMINED", 5)
    answerer.ask("仓库里的月球车是什么颜色？", top=10)
    assert 0 < len(weighed) <= 5


def test_a_model_name_must_match_whole(seg):
    phone = article(
        "phone",
        "华为发布Mate 40手机",
        ["华为Mate 40系列手机搭载麒麟9000芯片，售价4999元起，共有60万台首批备货。"],
    )
    answerer = make(seg, [phone, BAKERY, DISNEY])
    assert answerer.ask("华为Mate 40用的什么芯片？").answers[0].article.id == "phone"
    # "60" is in the paragraph, but not Mate 60: another phone, not answered
    assert answerer.ask("华为Mate 60用的什么芯片？").status == "not_found"
    assert "mate 60" in seg.evidence_words("华为Mate 60用的什么芯片？")


def test_a_paragraph_is_read_with_its_article_lead(seg):
    pandas = article(
        "panda",
        "熊猫基地新添双胞胎",
        [
            "成都大熊猫繁育研究基地今天宣布，一对大熊猫双胞胎在基地顺利出生，母子平安。",
            "基地工作人员表示，双胞胎幼崽体重分别为一百五十克和一百二十克。",
        ],
    )
    answerer = make(seg, [pandas, BAKERY, DISNEY, HARBOUR])
    result = answerer.ask("大熊猫双胞胎体重多少？")
    assert result.answers and result.answers[0].paragraph_id == "panda#1"
