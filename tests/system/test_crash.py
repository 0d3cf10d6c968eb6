"""Crashes: ``python -m bot run`` killed with SIGKILL mid-work, restarted, checked.

* Mid-batch of ``/add`` documents from the owner: every article whose reply (with its id)
  reached the stand-in is in the store after the restart, whole, and answers its question.
* Mid-way through the start-up index build of a generated corpus: the half-written index is
  not loaded; the restart builds it again, saves it whole and answers.

The kill moments are random (the seed is in every assertion message). Bot processes are
always killed, whatever happens; every wait is bounded.
"""

from __future__ import annotations

import json
import os
import random
import re
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
import yaml
from botapi_standin import StandinServer
from conftest import REPO

from bot.config import load_config
from bot.library import INDEX_DIR, STORE_FILE, Library
from bot.models import chat_scope
from bot.search.bm25 import MANIFEST

pytestmark = pytest.mark.e2e

OWNER = 4711
POOL = (
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产"
    "种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业"
    "本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利"
)


def generated(i: int, rng: random.Random, filler: int) -> dict:
    """An article with a unique project code, findable by ``question(i)``."""
    code = f"QZ{i:04d}X"
    body = [f"{code}项目由第{i}号团队负责，预计投资{i % 90 + 3}亿元。"]
    body += [
        "".join(rng.choice(POOL) for _ in range(rng.randint(60, 140))) + "。" for _ in range(filler)
    ]
    return {
        "id": f"gen-{i:04d}",
        "title": f"第{i}号测试新闻：{code}项目启动",
        "source": "生成日报",
        "reporters": ["测试记者"],
        "date": "2024-01-02",
        "text": "\n\n".join(body),
    }


def question(i: int) -> str:
    return f"QZ{i:04d}X项目预计投资多少"


def write_config(tmp_path: Path, corpus: Path) -> Path:
    raw = yaml.safe_load((REPO / "config.yaml").read_text(encoding="utf-8"))
    raw["corpus"]["paths"] = [str(corpus)]
    raw["data_dir"] = str(tmp_path / "data")
    raw["log_level"] = "INFO"
    raw["telegram"]["owners"] = [OWNER]
    raw["telegram"]["limits"]["questions_per_window"] = 1000
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


class Bot:
    """One ``python -m bot run`` process against a stand-in; output in ``log``."""

    def __init__(self, config: Path, server: StandinServer, log: Path):
        env = server.bot_env()
        self.log = log
        self._out = open(log, "w", encoding="utf-8")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot", "--config", str(config), "run"],
            cwd=REPO,
            env=env,
            stdout=self._out,
            stderr=subprocess.STDOUT,
        )

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def wait_log(self, text: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.output():
            assert self.process.poll() is None, f"the bot exited: {self.output()[-2000:]}"
            assert time.monotonic() < deadline, f"no {text!r} in the log: {self.output()[-2000:]}"
            time.sleep(0.01)

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)
        self._out.close()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                pass
        self.kill()


@contextmanager
def running(config: Path, server: StandinServer, log: Path):
    bot = Bot(config, server, log)
    try:
        yield bot
    finally:
        bot.stop()


def ready(api, menus_before: int, timeout: float = 30) -> None:
    """post_init has set the three command menus (then polling starts)."""
    api.wait_for(lambda: len(api.calls_of("setMyCommands")) >= menus_before + 3, timeout=timeout)


def test_sigkill_mid_batch_of_adds_loses_no_acknowledged_article(tmp_path):
    seed = int(os.environ.get("CRASH_SEED") or time.time_ns() % 100_000)
    rng = random.Random(seed)
    started = time.monotonic()
    config_path = write_config(tmp_path, REPO / "corpus")
    articles = [generated(i, rng, filler=3) for i in range(60)]
    with StandinServer() as server:
        api = server.api
        owner = api.user(OWNER)
        chat = api.private(owner)
        with running(config_path, server, tmp_path / "first.log") as bot:
            ready(api, 0)
            kill_after = rng.randint(3, 20)  # acknowledged adds before the kill …
            kill_delay = rng.uniform(0, 0.3)  # … and then a moment more
            for i, record in enumerate(articles):
                api.document_update(
                    chat, owner, f"n{i}.json", json.dumps(record, ensure_ascii=False).encode()
                )
            api.wait_for(lambda: len(api.sent(OWNER)) >= kill_after, timeout=30)
            time.sleep(kill_delay)
            bot.kill()
            first_log = bot.output()
        acked = [
            m.group(1)
            for c in api.sent(OWNER)
            for m in re.finditer(r"<code>(gen-\d{4})</code>", c.params["text"])
        ]
        where = (
            f"(seed {seed}: killed {kill_delay:.2f}s after {kill_after} acks; {len(acked)} acked)"
        )
        assert len(acked) >= kill_after and len(acked) < len(articles), where
        assert "Traceback" not in first_log, first_log[-3000:]

        # restart: questions about acknowledged articles are answered through Telegram
        with running(config_path, server, tmp_path / "second.log") as bot:
            ready(api, 3)
            asked = rng.sample(acked, min(5, len(acked)))
            before = len(api.sent(OWNER))
            for article_id in asked:
                api.text_update(chat, owner, question(int(article_id[-4:])))
            api.wait_for(
                lambda: (
                    sum(
                        any(
                            f"QZ{a[-4:]}X" in c.params["text"]
                            and "<blockquote>" in c.params["text"]
                            for c in api.sent(OWNER)[before:]
                        )
                        for a in asked
                    )
                    == len(asked)
                ),
                timeout=20,
            )
            second_log = bot.output()
        assert "Traceback" not in second_log, second_log[-3000:]

    # every acknowledged article is stored whole and answers its question
    with Library.open(load_config(config_path)) as library:
        scope = chat_scope(OWNER)
        stored = {a.id for a in library.list_articles(scope, limit=1000)}
        assert set(acked) <= stored, (set(acked) - stored, where)
        for article_id in stored:  # acknowledged or not, nothing is stored half
            i = int(article_id[-4:])
            article = library.get_article(article_id)
            assert [p.text for p in article.body] == articles[i]["text"].split("\n\n"), where
        for article_id in acked:
            i = int(article_id[-4:])
            [best, *_] = library.ask(question(i), scopes={scope}).answers
            assert best.article.id == article_id and f"QZ{i:04d}X" in best.paragraph, where
    assert time.monotonic() - started < 40, where


def test_sigkill_during_the_startup_index_build_rebuilds_it_on_restart(tmp_path):
    seed = int(os.environ.get("CRASH_SEED") or time.time_ns() % 100_000)
    rng = random.Random(seed)
    started = time.monotonic()
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    with open(corpus / "generated.jsonl", "w", encoding="utf-8") as out:
        for i in range(1200):  # ≈ 3 MB: the index build takes one to two seconds
            out.write(json.dumps(generated(i, rng, filler=8), ensure_ascii=False) + "\n")
    config_path = write_config(tmp_path, corpus)
    config = load_config(config_path)
    index_dir = config.data_path / INDEX_DIR
    with StandinServer() as server:
        api = server.api
        with running(config_path, server, tmp_path / "first.log") as bot:
            bot.wait_log("no index yet; building it", timeout=40)
            delay = rng.uniform(0, 0.25)
            time.sleep(delay)
            bot.kill()
            first_log = bot.output()
        where = f"(seed {seed}: killed {delay:.2f}s into the build)"
        assert "index built" not in first_log, f"the build finished before the kill {where}"
        assert not (index_dir / MANIFEST).exists(), where
        # a half-written index from an earlier attempt must not be taken either
        index_dir.mkdir(parents=True, exist_ok=True)
        (index_dir / "docs.0123456789ab.bin").write_bytes(b"\x01\x02")
        (index_dir / f"{MANIFEST}.0123456789ab.tmp").write_text('{"format": "newsq')

        with running(config_path, server, tmp_path / "second.log") as bot:
            ready(api, 0, timeout=40)
            second_log = bot.output()
            assert "the index on disk cannot be used" in second_log, second_log[-2000:]
            assert "index built: 10800 paragraphs" in second_log
            user = api.user(8001)
            for i in (0, 417, 1199):
                api.text_update(api.private(user), user, question(i))
            api.wait_for(lambda: len(api.sent(8001)) >= 3, timeout=20)
            # answered concurrently, so in any order: each answer's best quote is one of them
            best = {
                re.search(r"<blockquote>(?:<b>)?QZ(\d{4})X", c.params["text"]).group(1)
                for c in api.sent(8001)
                if "生成日报" in c.params["text"]
            }
            assert best == {"0000", "0417", "1199"}, where
        assert "Traceback" not in second_log, second_log[-3000:]

    manifest = json.loads((index_dir / MANIFEST).read_text())
    assert not list(index_dir.glob("*.tmp")) and not (index_dir / "docs.0123456789ab.bin").exists()
    from bot.store import ArticleStore

    store = ArticleStore(config.data_path / STORE_FILE)
    try:
        assert (
            manifest["meta"]["corpus_digest"] == store.digest() and manifest["documents"] == 10800
        ), where
        assert store.count("shared") == 1200
    finally:
        store.close()
    assert time.monotonic() - started < 40, where
