"""The command line: its JSON contracts, and one clear line for every error."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "corpus" / "cqcb-2020-04-12-chuanyu-innovation.txt"


def run_cli(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    status = main(list(argv), out=out)
    return status, out.getvalue()


@pytest.fixture
def config_file(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(SAMPLE, corpus / SAMPLE.name)
    path = tmp_path / "config.yaml"
    path.write_text("corpus: {paths: [corpus]}\ndata_dir: data\n", encoding="utf-8")
    return path


def test_parse_json_gives_the_sample_articles_attribution():
    status, out = run_cli("parse", str(SAMPLE), "--json")
    assert status == 0
    [line] = out.splitlines()
    article = json.loads(line)
    assert article["source"] == "上游新闻·重庆晨报"
    assert article["reporters"] == ["严薇", "郭欣欣"]
    assert article["date"] == "2020-04-12T16:25:33"
    assert {"title", "contributors", "editors", "photographers", "url", "paragraphs"} <= article.keys()
    kinds = {p["kind"] for p in article["paragraphs"]}
    assert kinds == {"paragraph", "heading"}
    assert all(p["id"].startswith(article["id"] + "#") for p in article["paragraphs"])


def test_parse_reports_a_bad_file_in_one_line_and_goes_on(tmp_path, capsys):
    binary = tmp_path / "photo.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 20)
    status, out = run_cli("parse", str(tmp_path / "missing.txt"), str(binary), str(SAMPLE), "--json")
    assert status == 1
    assert len(out.splitlines()) == 1 and json.loads(out)["reporters"] == ["严薇", "郭欣欣"]
    errors = capsys.readouterr().err.strip().splitlines()
    assert len(errors) == 2
    assert "missing.txt" in errors[0] and "photo.txt" in errors[1]
    assert all(line.startswith("error: ") for line in errors)


def test_ask_json_follows_the_contract(config_file):
    status, out = run_cli("--config", str(config_file), "ask", "两江新区和天府新区要共同建设什么？", "--json")
    assert status == 0
    result = json.loads(out)
    assert result["question"] == "两江新区和天府新区要共同建设什么？"
    best = result["answers"][0]
    assert set(best) >= {"kind", "article_id", "paragraph_id", "score", "excerpt", "highlights", "paragraph",
                         "title", "source", "reporters", "contributors", "date", "url"}
    assert best["kind"] == "quote" and best["paragraph_id"].startswith(best["article_id"] + "#")
    assert "西部科技创新中心" in best["excerpt"]
    assert best["reporters"] == ["严薇", "郭欣欣"] and best["source"] == "上游新闻·重庆晨报"
    for start, end in best["highlights"]:
        assert 0 <= start < end <= len(best["excerpt"])


def test_ask_top_and_per_article_limit_the_quotes(config_file):
    _, out = run_cli("--config", str(config_file), "ask", "重庆高新区 科学城 创新", "--json",
                     "--top", "5", "--per-article", "1")
    assert len(json.loads(out)["answers"]) == 1
    _, out = run_cli("--config", str(config_file), "ask", "重庆高新区 科学城 创新", "--json",
                     "--top", "3", "--per-article", "5")
    assert len(json.loads(out)["answers"]) == 3


def test_metadata_question_is_answered_from_the_byline(config_file):
    _, out = run_cli("--config", str(config_file), "ask", "这篇文章的记者是谁？", "--json")
    [answer] = [a for a in json.loads(out)["answers"] if a["kind"] == "metadata"]
    assert answer["paragraph_id"] is None
    assert "严薇" in answer["excerpt"] and "郭欣欣" in answer["excerpt"]


def test_a_bad_config_is_one_line_not_a_traceback(tmp_path, capsys):
    bad = tmp_path / "config.yaml"
    bad.write_text("retrieval: {top_k: 0}\n", encoding="utf-8")
    status, _ = run_cli("--config", str(bad), "ask", "问题")
    assert status == 1
    assert capsys.readouterr().err == f"error: {bad}: retrieval.top_k: must be an integer >= 1\n"


def test_search_ranks_corpus_ids_by_their_best_paragraph(tmp_path):
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in [
        {"id": "tea", "text": "云南普洱茶的产量今年增长了两成。\n茶农收入随之提高。"},
        {"id": "rail", "text": "成渝中线高铁将于明年开工建设。\n全线设计时速三百五十公里。"},
        {"id": "port", "text": "上海洋山港集装箱吞吐量再创新高。"},
    ]), encoding="utf-8")
    queries = tmp_path / "queries.jsonl"
    queries.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in [
        {"id": "q1", "question": "高铁的设计时速是多少？"},
        {"id": "q2", "question": "普洱茶产量"},
    ]), encoding="utf-8")
    status, out = run_cli("search", "--corpus", str(corpus), "--queries", str(queries), "--top", "2")
    assert status == 0
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["id"] for r in rows] == ["q1", "q2"]
    assert rows[0]["ranking"][0] == "rail" and rows[1]["ranking"][0] == "tea"
    assert all(len(r["ranking"]) <= 2 and len(set(r["ranking"])) == len(r["ranking"]) for r in rows)
    assert all(isinstance(r["ms"], float) and r["ms"] >= 0 for r in rows)


def test_eval_prints_recall_and_mrr(tmp_path):
    squad = {"data": [{"paragraphs": [
        {"context": "成渝中线高铁将于明年开工建设，全线设计时速三百五十公里。",
         "qas": [{"id": "1", "question": "成渝中线高铁的设计时速是多少？", "answers": [{"text": "三百五十公里"}]}]},
        {"context": "云南普洱茶的产量今年增长了两成，茶农收入随之提高。",
         "qas": [{"id": "2", "question": "普洱茶产量增长了多少？", "answers": [{"text": "两成"}]}]},
    ]}]}
    path = tmp_path / "squad.json"
    path.write_text(json.dumps(squad, ensure_ascii=False), encoding="utf-8")
    status, out = run_cli("eval", "--squad", str(path))
    assert status == 0
    text = out.lower()
    assert "recall@1" in text and "mrr@10" in text
    assert "1.000" in out


def test_python_m_bot_ask_runs_as_a_process(config_file):
    env = {k: v for k, v in os.environ.items() if not k.startswith("TELEGRAM_")}
    done = subprocess.run(
        [sys.executable, "-m", "bot", "--config", str(config_file), "ask", "两江新区和天府新区要共同建设什么？"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "西部科技创新中心" in done.stdout
    assert "严薇" in done.stdout and "郭欣欣" in done.stdout and "上游新闻·重庆晨报" in done.stdout


# -- output is valid UTF-8 whatever the bytes of names and arguments -----------------------------

def _run_bytes(args: list[bytes], cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONUTF8": "1"}
    return subprocess.run([os.fsencode(sys.executable), b"-m", b"bot", *args], cwd=cwd,
                          env=env, capture_output=True, timeout=120)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX file names are bytes")
def test_parse_json_escapes_a_file_name_that_is_not_utf8(tmp_path):
    name = b"\xff\xfe-article.txt"
    (Path(os.fsdecode(tmp_path)) / os.fsdecode(name)).write_bytes(SAMPLE.read_bytes())
    result = _run_bytes([b"parse", name, b"--json"], tmp_path)
    assert result.returncode == 0, result.stderr
    text = result.stdout.decode("utf-8")  # strict: raises on raw undecodable bytes
    article = json.loads(text)
    assert article["origin"] == "\udcff\udcfe-article.txt"
    assert "\\udcff" in text and article["source"] == "上游新闻·重庆晨报"
    assert article["evidence"]["source"]  # each field says where it was read


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX arguments are bytes")
def test_ask_json_escapes_a_question_that_is_not_utf8(config_file):
    result = _run_bytes([b"--config", os.fsencode(config_file), b"ask",
                         "两江新区和天府新区要共同建设什么".encode() + b"\xff",
                         b"--json"], config_file.parent)
    assert result.returncode == 0, result.stderr
    text = result.stdout.decode("utf-8")
    assert json.loads(text)["question"].endswith("\udcff")
