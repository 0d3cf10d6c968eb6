"""Segmenter: normalisation, stopwords, user words, engines (rjieba vs jieba), bigrams, title
tokens, and the optional search-mode / single-character variants."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.config import SegmentationConfig
from bot.errors import ConfigError
from bot.search.base import IndexDoc
from bot.search.bm25 import build_index
from bot.search.segment import CHAR_MARK, TITLE_WORD_WEIGHT, Segmenter, load_stopwords

FIXTURE = Path(__file__).parents[1] / "fixtures" / "retrieval" / "news_paragraphs.jsonl"
USER_WORDS = ["两江新区", "天府新区", "成渝地区双城经济圈", "上游新闻", "重庆晨报", "西部科学城"]


@pytest.fixture(scope="module")
def segmenter() -> Segmenter:
    return Segmenter(user_words=USER_WORDS)


@pytest.fixture(scope="module")
def paragraphs() -> list[str]:
    return [json.loads(line)["text"] for line in FIXTURE.read_text(encoding="utf-8").splitlines()]


def words_only(tokens: list[str]) -> list[str]:
    return [t for t in tokens if not t.startswith(CHAR_MARK)]


def test_normalize_converts_traditional_full_width_and_case(segmenter):
    assert segmenter.normalize("臺灣的ＧＤＰ增長") == "台湾的gdp增长"
    assert segmenter.normalize("⻄部\u3000科學城") == "西部 科学城"
    assert segmenter.normalize("Wi-Fi\u200b") == "wi-fi"


@pytest.mark.parametrize(
    "text", ["臺灣的ＧＤＰ增長", "⻄部\u3000科學城\u200b。", "ABC，頭條新聞！", "", "x\u00a0y"]
)
def test_aligned_keeps_length_and_normalises_each_character(segmenter, text):
    aligned = segmenter.aligned(text)
    assert len(aligned) == len(text)
    for original, mapped in zip(text, aligned, strict=False):
        normalised = segmenter.normalize(original)
        if len(normalised) == 1:
            assert mapped == normalised
        else:  # removed (zero-width) characters stay where they were
            assert mapped == original


def test_question_words_and_function_words_are_dropped(segmenter):
    tokens = segmenter.query_tokens("两江新区和天府新区要共同建设什么？")
    assert {"两江新区", "天府新区", "共同", "建设"} <= set(tokens)
    assert not {"什么", "和", "要", "？"} & set(tokens)
    for question in ["谁是重庆晨报的记者吗？", "为什么会这样呢", "如何到达哪里", "多少人参加了"]:
        assert not set(segmenter.query_tokens(question)) & {
            "谁",
            "吗",
            "为什么",
            "呢",
            "如何",
            "哪里",
            "多少",
            "了",
        }


def test_punctuation_and_whitespace_never_become_tokens(segmenter, paragraphs):
    for text in paragraphs[:80] + ["  ——！“” …… \t\n (1) 3.5%  "]:
        for token in segmenter.tokens(text):
            assert token.strip() == token and any(c.isalnum() for c in token)


def test_user_words_stay_whole_also_when_written_in_traditional():
    plain = Segmenter()
    with_words = Segmenter(user_words=["成渝地區雙城經濟圈"])
    text = "推动成渝地区双城经济圈建设"
    assert "成渝地区双城经济圈" not in plain.words(text)
    assert "成渝地区双城经济圈" in with_words.words(text)


def test_user_dict_file_and_from_config(tmp_path):
    user_dict = tmp_path / "words.txt"
    user_dict.write_text("重庆科学城 5000 ns\n西部陆海新通道\n", encoding="utf-8")
    segmenter = Segmenter.from_config(
        SegmentationConfig(
            user_words=["两江新区"], user_dict_file=str(user_dict), extra_stopwords=["建設"]
        )
    )
    tokens = segmenter.words("两江新区建设重庆科学城和西部陆海新通道")
    assert {"两江新区", "重庆科学城", "西部陆海新通道"} <= set(tokens)
    assert "建设" not in tokens  # extra stopwords are normalised too (建設 → 建设)
    assert segmenter.user_word_freqs["重庆科学城"] == 5000
    with pytest.raises(ConfigError):
        Segmenter(user_dict_file=str(tmp_path / "missing.txt"))


def test_stopword_list_ships_question_words():
    stopwords = load_stopwords()
    assert {"什么", "哪些", "吗", "如何", "多少", "哪里", "谁", "为什么", "怎么", "的"} <= stopwords
    assert "两江新区" not in stopwords


def test_search_mode_adds_dictionary_sub_words(segmenter):
    words = Segmenter(search_mode=True).words("中华人民共和国成立")
    assert {"中华人民共和国", "人民", "共和国"} <= set(words)
    cut_only = segmenter.words("中华人民共和国成立")  # the default: plain cut
    assert "中华人民共和国" in cut_only and "人民" not in cut_only


def test_index_tokens_are_words_and_character_bigrams(segmenter):
    tokens = segmenter.tokens("薛领认为，重庆晨报。")
    assert "重庆晨报" in tokens
    assert {CHAR_MARK + b for b in ("薛领", "领认", "认为", "重庆", "庆晨", "晨报")} <= set(tokens)
    # punctuation breaks runs: no bigram across "，"
    assert CHAR_MARK + "为重" not in tokens
    assert Segmenter(bigrams=False).tokens("薛领认为") == words_only(segmenter.tokens("薛领认为"))


def test_question_bigrams_skip_those_inside_stopwords(segmenter):
    tokens = segmenter.query_tokens("迪士尼亏了多少钱？")
    assert CHAR_MARK + "多少" not in tokens and "多少" not in tokens
    assert {CHAR_MARK + "迪士", CHAR_MARK + "亏了", CHAR_MARK + "了多"} <= set(tokens)
    # the index side keeps them: a paragraph may well say 多少
    assert CHAR_MARK + "多少" in segmenter.tokens("迪士尼亏了多少钱")


def test_a_name_jieba_does_not_know_is_found_through_its_bigrams(segmenter):
    texts = {"p1": "薛领认为，双城经济圈的建设需要时间。", "p2": "领导认为这个办法可行。"}
    index = build_index(IndexDoc(k, segmenter.tokens(v), "s", k) for k, v in texts.items())
    assert index.search(segmenter.query_tokens("薛领怎么看经济圈"), 2)[0].doc_id == "p1"


def test_casual_wording_meets_the_article_through_shared_bigrams(segmenter):
    texts = {
        "p1": "迪士尼2020财年亏损28亿美元，主题公园关闭。",
        "p2": "迪士尼乐园今年夏天重新开放。",
    }
    index = build_index(IndexDoc(k, segmenter.tokens(v), "s", k) for k, v in texts.items())
    assert index.search(segmenter.query_tokens("迪士尼2020财年亏了多少钱？"), 2)[0].doc_id == "p1"


def test_title_words_count_in_every_paragraph_of_the_article(segmenter):
    title = "连云港一货车侧翻"
    tokens = segmenter.doc_tokens("车上装的是化肥。", title)
    assert tokens.count("连云港") == TITLE_WORD_WEIGHT
    assert tokens.count(CHAR_MARK + "连云") == 1
    assert segmenter.title_tokens(title) == segmenter.doc_tokens("", title)
    docs = {
        "a#0": segmenter.doc_tokens("车上装的是化肥。", title),
        "b#0": segmenter.doc_tokens("货车上装的是蔬菜。", "高速公路拥堵"),
    }
    index = build_index(IndexDoc(k, v, "s", k[0]) for k, v in docs.items())
    question = segmenter.query_tokens("连云港那辆货车上装的是什么？")
    assert index.search(question, 2)[0].doc_id == "a#0"


@pytest.fixture(scope="module")
def reference(segmenter) -> Segmenter:
    """The jieba.Tokenizer engine with exactly the fast engine's user words and frequencies."""
    return Segmenter(
        user_words=USER_WORDS, engine="jieba", user_word_freqs=segmenter.user_word_freqs
    )


def test_rjieba_and_jieba_give_identical_tokens_on_real_paragraphs(
    segmenter, reference, paragraphs
):
    assert segmenter.engine == "rjieba" and reference.engine == "jieba"
    extra = [
        "两江新区和天府新区共建西部科学城，上游新闻·重庆晨报记者报道",
        "成渝地区双城经济圈建设提速",
        "知",
    ]
    for text in paragraphs + extra:
        assert segmenter.tokens(text) == reference.tokens(text), text
        assert segmenter.query_tokens(text) == reference.query_tokens(text)


def test_search_mode_equals_jieba_cut_for_search(segmenter, paragraphs):
    reference = Segmenter(
        user_words=USER_WORDS,
        engine="jieba",
        search_mode=True,
        user_word_freqs=segmenter.user_word_freqs,
    )
    tokenizer = reference._engine._tokenizer  # the private jieba.Tokenizer, user words included
    for text in paragraphs[:100]:
        expected = [
            w
            for w in tokenizer.lcut_for_search(reference.normalize(text), HMM=False)
            if w not in reference.stopwords and any(c.isalnum() for c in w)
        ]
        assert reference.words(text) == expected


def test_single_characters_find_the_words_containing_them():
    chars = Segmenter(char_tokens=True, bigrams=False)
    texts = {"p1": "他早就知道这件事。", "p2": "今天天气很好。", "p3": "知识就是力量"}
    index = build_index(IndexDoc(k, chars.tokens(v), "s", k) for k, v in texts.items())
    assert {h.doc_id for h in index.search(chars.query_tokens("知"), 5)} == {"p1", "p3"}
    assert [h.doc_id for h in index.search(chars.query_tokens("天气"), 5)] == ["p2"]
    no_chars = Segmenter(char_tokens=False, bigrams=False)
    plain = build_index(IndexDoc(k, no_chars.tokens(v), "s", k) for k, v in texts.items())
    assert plain.search(no_chars.query_tokens("知"), 5) == []


def test_char_tokens_do_not_leak_into_multi_character_query_words():
    chars = Segmenter(char_tokens=True, bigrams=False)
    tokens = chars.query_tokens("天府新区的知识")
    assert set(words_only(tokens)) == set(tokens)
    assert f"{CHAR_MARK}知" in chars.query_tokens("知")


def test_traditional_question_finds_simplified_paragraph(segmenter, paragraphs):
    index = build_index(
        IndexDoc(str(i), segmenter.tokens(p), "s", str(i)) for i, p in enumerate(paragraphs)
    )
    target = next(i for i, p in enumerate(paragraphs) if len(p) > 40)
    import opencc

    question = opencc.OpenCC("s2t.json").convert(paragraphs[target][:30])
    assert question != paragraphs[target][:30]
    assert index.search(segmenter.query_tokens(question), 1)[0].doc_id == str(target)


def test_signature_follows_tokenization_settings():
    assert Segmenter().signature == Segmenter().signature
    assert Segmenter(user_words=["两江新区"]).signature != Segmenter().signature
    assert Segmenter(extra_stopwords=["记者"]).signature != Segmenter().signature
    assert Segmenter(bigrams=False).signature != Segmenter().signature
    assert Segmenter(search_mode=True).signature != Segmenter().signature


def test_evidence_words_drop_aspect_particles_and_answer_units(segmenter):
    words = segmenter.evidence_words("迪士尼2020财年亏了多少钱？")
    assert words == ["迪士尼", "2020", "财年", "亏"]
    assert "人" not in segmenter.evidence_words("爆炸造成几个人死亡")
    assert "死亡" in segmenter.evidence_words("爆炸造成几个人死亡")


def test_content_bigrams_say_which_words_they_join(segmenter):
    spans = dict(segmenter.content_bigram_spans("项目预计投资多少"))
    assert spans[CHAR_MARK + "项目"] == ("项目",)
    assert spans[CHAR_MARK + "目预"] == ("项目", "预计")
    assert CHAR_MARK + "资多" not in spans  # touches a question word
    assert segmenter.content_bigrams("项目预计投资多少") == list(spans)


def test_a_question_word_cut_together_with_its_measure_is_no_content(segmenter):
    # jieba keeps 几栋 as one word: it asks for the figure; the paragraph says 三栋
    assert "几栋" not in segmenter.query_tokens("金融城新增几栋写字楼")
    assert "几栋" not in segmenter.evidence_words("金融城新增几栋写字楼")
    assert "写字楼" in segmenter.evidence_words("金融城新增几栋写字楼")
    # 几乎 (almost) is a word, not a question
    assert "几乎" in segmenter.query_tokens("他几乎没说话")
