"""Batch ranking and SQuAD evaluation on small real samples."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from bot.errors import BotError
from bot.evaluation import (
    CURVE_THRESHOLDS,
    EvalReport,
    batch_search,
    chunk_passages,
    evaluate_relevance,
    evaluate_squad,
    read_jsonl,
)
from bot.search.segment import Segmenter

FIXTURES = Path(__file__).parent / "fixtures" / "retrieval"


@pytest.fixture(scope="module")
def segmenter() -> Segmenter:
    return Segmenter()


@pytest.fixture(scope="module")
def corpus() -> list[dict]:
    """Articles rebuilt from the paragraph fixture: {id, title, text}."""
    articles: dict[str, list[str]] = {}
    for row in read_jsonl(FIXTURES / "news_paragraphs.jsonl"):
        articles.setdefault(row["article"], []).append(row["text"])
    return [{"id": k, "title": None, "text": "\n".join(v)} for k, v in articles.items()]


def test_read_jsonl_skips_blank_lines_and_reports_bad_ones(tmp_path):
    good = tmp_path / "good.jsonl"
    good.write_text('{"id": 1}\n\n{"id": 2}\n', encoding="utf-8")
    assert [r["id"] for r in read_jsonl(good)] == [1, 2]
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": 1}\nnot json\n', encoding="utf-8")
    with pytest.raises(BotError, match=":2:"):
        list(read_jsonl(bad))
    with pytest.raises(BotError):
        list(read_jsonl(tmp_path / "missing.jsonl"))


def test_batch_search_ranks_the_article_a_sentence_comes_from_first(corpus, segmenter):
    queries = []
    for article in corpus[:15]:
        longest = max(article["text"].split("\n"), key=len)
        queries.append({"id": article["id"], "text": longest[:40]})
    rows = list(batch_search(corpus, queries, segmenter=segmenter, top=3))
    assert [r["id"] for r in rows] == [q["id"] for q in queries]
    for row in rows:
        assert 1 <= len(row["ranking"]) <= 3
        assert len(set(row["ranking"])) == len(row["ranking"])
        assert isinstance(row["ms"], float) and row["ms"] >= 0
    first_right = sum(row["ranking"][0] == row["id"] for row in rows)
    assert first_right >= 13  # a verbatim sentence should almost always win


def test_batch_search_query_without_known_words_ranks_nothing(corpus, segmenter):
    rows = list(batch_search(corpus[:3], [{"id": "q", "text": "什么？"}], segmenter=segmenter))
    assert rows == [{"id": "q", "ranking": [], "ms": rows[0]["ms"]}]


def test_evaluate_squad_pools_files_and_scores_recall(segmenter):
    cmrc = FIXTURES / "cmrc_sample.json"
    report = evaluate_squad([cmrc], segmenter=segmenter)
    data = json.loads(cmrc.read_text(encoding="utf-8"))
    contexts = [p for a in data["data"] for p in a["paragraphs"]]
    assert isinstance(report, EvalReport)
    assert report.contexts == len(contexts)
    assert report.questions == sum(len(p["qas"]) for p in contexts)
    assert 0 <= report.recall[1] <= report.recall[3] <= report.recall[5] <= 1
    # MRR@10 from the recall figures: ranks 2-3 give 1/2..1/3, ranks 4-5 give 1/4..1/5, and a
    # question not in the top 5 gives at most 1/6 (rank 6) and at least 0
    r1, r3, r5 = report.recall[1], report.recall[3], report.recall[5]
    lowest = r1 + (r3 - r1) / 3 + (r5 - r3) / 5
    highest = r1 + (r3 - r1) / 2 + (r5 - r3) / 4 + (1 - r5) / 6
    assert lowest - 1e-9 <= report.mrr_at_10 <= highest + 1e-9
    assert report.recall[1] >= 0.8  # questions written about a context mostly find it
    assert len(report.misses) == round(report.questions * (1 - report.recall[1]))
    text = "\n".join(report.lines())
    assert "recall@1" in text and "mrr@10" in text and "ms" in text

    pooled = evaluate_squad([cmrc, FIXTURES / "drcd_sample.json"], segmenter=segmenter)
    assert pooled.contexts == report.contexts + 12
    assert pooled.questions > report.questions


def test_traditional_questions_find_simplified_contexts(segmenter):
    drcd = FIXTURES / "drcd_sample.json"
    converted = evaluate_squad([drcd], segmenter=segmenter, convert_contexts_to_simplified=True)
    as_is = evaluate_squad([drcd], segmenter=segmenter)
    # the segmenter converts both sides to simplified, so converting first changes little
    assert converted.recall[1] >= 0.8
    assert abs(converted.recall[1] - as_is.recall[1]) <= 0.1


def test_evaluate_squad_refuses_other_json(tmp_path, segmenter):
    wrong = tmp_path / "wrong.json"
    wrong.write_text('{"items": []}', encoding="utf-8")
    with pytest.raises(BotError):
        evaluate_squad([wrong], segmenter=segmenter)


# -- chunked passages, relevance sets, batch questions ----------------------------------------


def test_chunk_passages_cut_at_sentence_ends_and_keep_every_character():
    text = "第一句话很短。第二句话稍微长一点，对吧？第三句！" + "第四句" * 30 + "。尾巴"
    passages = chunk_passages(text, 20)
    assert "".join(passages) == text
    assert all(p.endswith(("。", "？", "！")) for p in passages[:-1])
    assert all(len(p) >= 20 for p in passages[:-1])
    assert passages[-1].endswith("尾巴") and len(passages[-1]) > 2  # a short tail joins
    assert chunk_passages("", 20) == []
    assert chunk_passages("没有句号的一段话", 200) == ["没有句号的一段话"]


def _squad_file(tmp_path, articles):
    path = tmp_path / "squad.json"
    path.write_text(json.dumps({"data": articles}, ensure_ascii=False), encoding="utf-8")
    return path


def test_chunked_eval_asks_for_the_passage_holding_the_answer(tmp_path, segmenter):
    context = (
        "成渝中线高铁将于明年开工建设。全线设计时速三百五十公里，连接两地主城。"
        "云南普洱茶的产量今年增长了两成。茶农收入随之提高，茶园面积也在扩大。"
    )
    repeated = {"title": "转载", "paragraphs": [{"context": context, "qas": []}]}
    path = _squad_file(
        tmp_path,
        [
            {
                "title": "新闻",
                "paragraphs": [
                    {
                        "context": context,
                        "qas": [
                            {
                                "question": "成渝中线高铁的设计时速是多少？",
                                "answers": [{"text": "三百五十公里", "answer_start": 20}],
                            },
                            {
                                "question": "普洱茶产量增长了多少？",
                                "answers": [{"text": "两成", "answer_start": 0}],
                            },
                            {"question": "答案不在文中？", "answers": [{"text": "不存在的答案"}]},
                        ],
                    }
                ],
            },
            repeated,
        ],
    )
    report = evaluate_squad([path], segmenter=segmenter, chunk=30)
    # 2 passages; the repeated article's identical passages are indexed once
    assert report.contexts == 2
    assert report.questions == 2  # the question whose answer no passage holds is left out
    assert report.recall[1] == 1.0 and report.same_story_at_1 == 1.0
    assert "same story" in "\n".join(report.lines())


def test_same_story_counts_a_near_identical_copy_of_the_gold(tmp_path, segmenter):
    base = (
        "国家统计局发布数据显示，一季度全国居民人均可支配收入八千五百六十一元，"
        "比上年同期增长百分之零点五，扣除价格因素实际下降。"
    )
    copy = base + "记者王某报道。"
    path = _squad_file(
        tmp_path,
        [
            {"title": "甲", "paragraphs": [{"context": copy, "qas": []}]},
            {
                "title": "乙",
                "paragraphs": [
                    {
                        "context": base,
                        "qas": [
                            {
                                "question": "一季度全国居民人均可支配收入是多少？",
                                "answers": [{"text": "八千五百六十一元"}],
                            }
                        ],
                    }
                ],
            },
        ],
    )
    report = evaluate_squad([path], segmenter=segmenter, chunk=500)
    assert report.questions == 1
    assert report.same_story_at_1 == 1.0 >= report.recall[1]


def _relevance_dir(tmp_path):
    corpus = [
        {
            "id": "a1",
            "title": "秋明州民宅火灾致三人死亡",
            "text": "当地时间周二凌晨，俄罗斯秋明州一处民宅发生火灾，造成三人死亡。\n"
            "消防部门表示，起火原因可能是电暖器故障。",
        },
        {
            "id": "a2",
            "title": "迪士尼公布财报",
            "text": "迪士尼公司周四公布财报，2020财年净亏损28亿美元，为四十多年来首次年度亏损。",
        },
    ]
    questions = [
        ("q1", "秋明州民宅发生火灾造成几人死亡？", "answerable", "a1"),
        ("q2", "迪士尼2020财年净亏损多少？", "answerable", "a2"),
        ("q3", "华为新手机用的什么芯片？", "unanswerable-news", None),
        ("q4", "赛里木湖古称什么？", "unanswerable-offtopic", None),
        ("q5", "你好", "unanswerable-chat", None),
    ]
    questions = [dict(zip(("id", "question", "kind", "gold"), q, strict=True)) for q in questions]
    for name, rows in (("corpus.jsonl", corpus), ("questions.jsonl", questions)):
        lines = [json.dumps(r, ensure_ascii=False) + "\n" for r in rows]
        (tmp_path / name).write_text("".join(lines), encoding="utf-8")
    return tmp_path


def test_relevance_eval_counts_right_wrong_silent_and_answered_shares(tmp_path, segmenter):
    from bot.config import Config

    report = evaluate_relevance(_relevance_dir(tmp_path), config=Config(), segmenter=segmenter)
    assert report.articles == 2 and len(report.rows) == 5
    text = "\n".join(report.lines())
    assert "answerable: right@1 1.000  wrong 0.000  silent 0.000" in text
    assert "unanswerable-news 0.000" in text and "unanswerable-offtopic 0.000" in text
    assert "chit-chat answered: 0 of 1" in text
    # the curve: at threshold 0 every question with any match counts as answered
    assert "  0.0 | 1.000 / 0.000 / 0.000 |" in text
    assert text.count(" | ") >= 2 * len(CURVE_THRESHOLDS)


def test_ask_questions_file_gives_one_json_line_each(tmp_path):
    from bot.cli import main

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text(
        "标题：秋明州民宅火灾致三人死亡\n来源：新华网\n\n"
        "当地时间周二凌晨，俄罗斯秋明州一处民宅发生火灾，造成三人死亡。\n",
        encoding="utf-8",
    )
    (corpus / "b.txt").write_text(
        "标题：迪士尼公布财报\n来源：财新网\n\n迪士尼公司周四公布财报，2020财年净亏损28亿美元。\n"
        "受疫情影响，迪士尼主题公园在全球多地关闭。\n",
        encoding="utf-8",
    )
    config = tmp_path / "config.yaml"
    config.write_text("corpus: {paths: [corpus]}\ndata_dir: data\n", encoding="utf-8")
    questions = tmp_path / "q.jsonl"
    questions.write_text(
        '{"id": "x", "question": "秋明州民宅发生火灾造成几人死亡？"}\n'
        '{"id": 7, "question": "谢谢"}\n{"id": "e", "question": ""}\n',
        encoding="utf-8",
    )
    out = io.StringIO()
    assert (
        main(["--config", str(config), "ask", "--questions", str(questions), "--json"], out=out)
        == 0
    )
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [r["id"] for r in rows] == ["x", 7, "e"]
    assert rows[0]["question"] == "秋明州民宅发生火灾造成几人死亡？"
    assert rows[0]["status"] == "answered"
    answer = rows[0]["answers"][0]
    assert 0 < answer["confidence"] <= 1 and "tentative" not in answer
    assert rows[1]["status"] == "chitchat" and rows[1]["answers"] == []
    assert rows[2]["answers"] == [] and "error" in rows[2]
    # a question and a file together is one clear error
    assert main(["--config", str(config), "ask", "问题", "--questions", str(questions)]) == 1
