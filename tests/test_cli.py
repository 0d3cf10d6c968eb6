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
    assert {
        "title",
        "contributors",
        "editors",
        "photographers",
        "url",
        "paragraphs",
    } <= article.keys()
    kinds = {p["kind"] for p in article["paragraphs"]}
    assert kinds == {"paragraph", "heading"}
    assert all(p["id"].startswith(article["id"] + "#") for p in article["paragraphs"])


def test_parse_reports_a_bad_file_in_one_line_and_goes_on(tmp_path, capsys):
    binary = tmp_path / "photo.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 20)
    status, out = run_cli(
        "parse", str(tmp_path / "missing.txt"), str(binary), str(SAMPLE), "--json"
    )
    assert status == 1
    assert len(out.splitlines()) == 1 and json.loads(out)["reporters"] == ["严薇", "郭欣欣"]
    errors = capsys.readouterr().err.strip().splitlines()
    assert len(errors) == 2
    assert "missing.txt" in errors[0] and "photo.txt" in errors[1]
    assert all(line.startswith("error: ") for line in errors)


def test_ask_json_follows_the_contract(config_file):
    status, out = run_cli(
        "--config", str(config_file), "ask", "两江新区和天府新区要共同建设什么？", "--json"
    )
    assert status == 0
    result = json.loads(out)
    assert result["question"] == "两江新区和天府新区要共同建设什么？"
    best = result["answers"][0]
    assert set(best) >= {
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
    }
    assert best["kind"] == "quote" and best["paragraph_id"].startswith(best["article_id"] + "#")
    assert "西部科技创新中心" in best["excerpt"]
    assert best["reporters"] == ["严薇", "郭欣欣"] and best["source"] == "上游新闻·重庆晨报"
    for start, end in best["highlights"]:
        assert 0 <= start < end <= len(best["excerpt"])


def test_ask_top_and_per_article_limit_the_quotes(config_file):
    _, out = run_cli(
        "--config",
        str(config_file),
        "ask",
        "重庆高新区 科学城 创新",
        "--json",
        "--top",
        "5",
        "--per-article",
        "1",
    )
    assert len(json.loads(out)["answers"]) == 1
    _, out = run_cli(
        "--config",
        str(config_file),
        "ask",
        "重庆高新区 科学城 创新",
        "--json",
        "--top",
        "3",
        "--per-article",
        "5",
    )
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
    corpus.write_text(
        "\n".join(
            json.dumps(r, ensure_ascii=False)
            for r in [
                {"id": "tea", "text": "云南普洱茶的产量今年增长了两成。\n茶农收入随之提高。"},
                {
                    "id": "rail",
                    "text": "成渝中线高铁将于明年开工建设。\n全线设计时速三百五十公里。",
                },
                {"id": "port", "text": "上海洋山港集装箱吞吐量再创新高。"},
            ]
        ),
        encoding="utf-8",
    )
    queries = tmp_path / "queries.jsonl"
    queries.write_text(
        "\n".join(
            json.dumps(r, ensure_ascii=False)
            for r in [
                {"id": "q1", "question": "高铁的设计时速是多少？"},
                {"id": "q2", "question": "普洱茶产量"},
            ]
        ),
        encoding="utf-8",
    )
    status, out = run_cli(
        "search", "--corpus", str(corpus), "--queries", str(queries), "--top", "2"
    )
    assert status == 0
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["id"] for r in rows] == ["q1", "q2"]
    assert rows[0]["ranking"][0] == "rail" and rows[1]["ranking"][0] == "tea"
    assert all(len(r["ranking"]) <= 2 and len(set(r["ranking"])) == len(r["ranking"]) for r in rows)
    assert all(isinstance(r["ms"], float) and r["ms"] >= 0 for r in rows)


def test_eval_prints_recall_and_mrr(tmp_path):
    squad = {
        "data": [
            {
                "paragraphs": [
                    {
                        "context": "成渝中线高铁将于明年开工建设，全线设计时速三百五十公里。",
                        "qas": [
                            {
                                "id": "1",
                                "question": "成渝中线高铁的设计时速是多少？",
                                "answers": [{"text": "三百五十公里"}],
                            }
                        ],
                    },
                    {
                        "context": "云南普洱茶的产量今年增长了两成，茶农收入随之提高。",
                        "qas": [
                            {
                                "id": "2",
                                "question": "普洱茶产量增长了多少？",
                                "answers": [{"text": "两成"}],
                            }
                        ],
                    },
                ]
            }
        ]
    }
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
        [
            sys.executable,
            "-m",
            "bot",
            "--config",
            str(config_file),
            "ask",
            "两江新区和天府新区要共同建设什么？",
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "西部科技创新中心" in done.stdout
    assert "严薇" in done.stdout and "郭欣欣" in done.stdout and "上游新闻·重庆晨报" in done.stdout


# -- add URL|FILE, feeds (issue 11) ----------------------------------------------------------

NEWS_PAGE = """<html><head><meta charset="utf-8"><title>科学城新建三座实验室</title></head><body>
<div class="article"><h1>科学城新建三座实验室</h1><p>2023-05-06 10:00 来源：示范晨报</p>
<p>本报讯（记者 王五）科学城今年将新建三座重点实验室，重点支持量子通信研究。</p></div>
</body></html>""".encode()


@pytest.fixture
def local_config_file(config_file):
    config_file.write_text(
        config_file.read_text(encoding="utf-8")
        + "fetch: {allow_hosts: [127.0.0.1], total_timeout: 5}\n",
        encoding="utf-8",
    )
    return config_file


def test_add_url_stores_the_page_and_prints_it_as_parse_does(web, local_config_file):
    web.route("/n/1.html", body=NEWS_PAGE)
    status, out = run_cli(
        "--config",
        str(local_config_file),
        "add",
        web.url("/n/1.html"),
        str(SAMPLE),
        "--scope",
        "chat:-100123",
        "--json",
    )
    assert status == 0
    first, second = (json.loads(line) for line in out.splitlines())
    assert first["title"] == "科学城新建三座实验室" and first["url"] == web.url("/n/1.html")
    assert first["reporters"] == ["王五"] and first["id"]
    assert second["reporters"] == ["严薇", "郭欣欣"]
    # Stored in that chat's scope: a question asked there finds it.
    from bot.config import load_config
    from bot.library import Library

    with Library.open(load_config(local_config_file)) as library:
        assert library.scope_of(first["id"]) == "chat:-100123"
        answers = library.ask("量子通信实验室", scopes=["chat:-100123"])
        assert answers.answers and answers.answers[0].article.id == first["id"]


def test_add_a_refused_address_exits_1_with_one_line_and_stores_nothing(web, config_file, capsys):
    web.route("/n/1.html", body=NEWS_PAGE)  # the server is there, the address is refused
    status, out = run_cli("--config", str(config_file), "add", web.url("/n/1.html"), "--json")
    assert status == 1 and out == ""
    [line] = capsys.readouterr().err.strip().splitlines()
    assert line.startswith("error: 不允许访问的地址（127.0.0.1：loopback）")
    assert web.requests == []
    from bot.config import load_config
    from bot.library import Library

    with Library.open(load_config(config_file)) as library:
        assert library.count_articles("shared") == 1  # the corpus sample only


def test_add_a_bad_scope_is_a_usage_error(config_file, capsys):
    with pytest.raises(SystemExit):
        run_cli("--config", str(config_file), "add", str(SAMPLE), "--scope", "group")
    assert "chat:<chat id>" in capsys.readouterr().err


def test_feeds_add_list_poll_remove(web, local_config_file, capsys):
    from feedgen import Item, rss, story

    def feed_of(numbers):
        return rss(
            [
                Item(guid=f"g{n}", title=f"第{n}号", link=f"http://news.example/{n}", text=story(n))
                for n in numbers
            ]
        )

    web.route("/feed.xml", body=feed_of([2, 1]), content_type="application/rss+xml")
    config = ["--config", str(local_config_file)]
    status, out = run_cli(
        *config, "feeds", "add", web.url("/feed.xml"), "--scope", "chat:-5", "--no-pages"
    )
    assert status == 0 and "following feed 1" in out and "2 articles stored" in out
    status, out = run_cli(*config, "feeds", "list", "--json")
    [feed] = [json.loads(line) for line in out.splitlines()]
    assert feed["url"] == web.url("/feed.xml") and feed["scope"] == "chat:-5"
    assert feed["paused"] is None and feed["interval"] == 1800 and feed["fetch_pages"] is False
    status, out = run_cli(*config, "feeds", "poll", "--json")
    assert status == 0 and out == ""  # not due yet
    web.route("/feed.xml", body=feed_of([3, 2, 1]), content_type="application/rss+xml")
    status, out = run_cli(*config, "feeds", "poll", "--force", "--json")
    [article] = [json.loads(line) for line in out.splitlines()]
    assert status == 0 and article["title"] == "第3号" and article["feed"] == 1
    assert {"id", "paragraphs", "reporters", "url"} <= article.keys()
    status, out = run_cli(*config, "feeds", "remove", "1")
    assert status == 0
    status, out = run_cli(*config, "feeds", "remove", "1")
    assert status == 1
    status, out = run_cli(*config, "feeds", "list")
    assert out == ""


def test_feeds_add_a_refused_address_exits_1(web, config_file, capsys):
    status, out = run_cli("--config", str(config_file), "feeds", "add", web.url("/feed.xml"))
    assert status == 1 and out == ""
    [line] = capsys.readouterr().err.strip().splitlines()
    assert line.startswith("error: 不允许访问的地址")
    status, out = run_cli("--config", str(config_file), "feeds", "list")
    assert out == ""


# -- output is valid UTF-8 whatever the bytes of names and arguments -----------------------------


def _run_bytes(args: list[bytes], cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONUTF8": "1"}
    return subprocess.run(
        [os.fsencode(sys.executable), b"-m", b"bot", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        timeout=120,
    )


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
    result = _run_bytes(
        [
            b"--config",
            os.fsencode(config_file),
            b"ask",
            "两江新区和天府新区要共同建设什么".encode() + b"\xff",
            b"--json",
        ],
        config_file.parent,
    )
    assert result.returncode == 0, result.stderr
    text = result.stdout.decode("utf-8")
    assert json.loads(text)["question"].endswith("\udcff")
