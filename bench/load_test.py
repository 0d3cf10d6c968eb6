"""Load test: 1,000 questions from 200 chats at once, to the real bot process, over HTTP.

    .venv/bin/python bench/load_test.py                      # bundled corpus, then 100k paragraphs
    .venv/bin/python bench/load_test.py --corpus default     # one corpus only (default|news|100k|FILE)
    .venv/bin/python bench/load_test.py --rate-limiter on    # keep PTB's AIORateLimiter (see below)

What runs: the Bot API stand-in (tests/botapi_standin.py, ``StandinServer`` on 127.0.0.1, a free
port) in this process, and ``python -m bot --config <tmp config> run`` as its own process with
TELEGRAM_BOT_TOKEN=123:LOAD and TELEGRAM_API_BASE_URL pointing at the stand-in (long polling).
No other traffic; every wait is bounded.

Chats: 200 = 120 private chats (the user writes the question) and 80 supergroups with 3 members
each (``/ask <question>`` or ``/ask@bot <question>``). 1,000 questions, 5 per chat, all queued
before the bot may fetch any of them ("at once"); the bot fetches them with getUpdates (≤ 100 per
call) and handles them concurrently (PTB ``concurrent_updates``).

Questions: real ones, the same list for every corpus: hand-written questions about the bundled
article and about news articles, CMRC 2018 trial questions (human-written; most are about
Wikipedia passages, so they exercise the no-answer path), and cloze questions made from news
sentences (a number replaced by 多少).

What is measured:
* replies: a question counts as answered when the bot's first sendMessage that replies to it
  (reply_parameters.message_id) has reached the stand-in. All 1,000 must be answered. Replies are
  classified: a quote (<blockquote>), "no answer", "rate limited", or the error line.
* latency inside the bot: for each question, from the moment the stand-in handed the update
  out in a getUpdates response to the moment that first reply's sendMessage request arrived at
  the stand-in (both on this process's monotonic clock). It includes PTB's queueing, the
  library's lock (questions are answered one at a time), rendering and the HTTP round trip on
  loopback; it excludes the time the update waited in the stand-in before the bot polled.
* wall time: from queueing the 1,000 updates to the last first-reply.
* start-up: from starting the process to "ready" (the three setMyCommands calls of post_init
  done and the first getUpdates request arrived: the bot is polling). With the 100k corpus the first start parses and
  indexes the corpus into a fresh data_dir; then the bot is stopped and started again on the
  same data_dir (index loaded from disk), measured separately, and that process takes the load.
* idle latency: before the burst, 20 of the questions one at a time from one more private chat
  (the same measure without a queue).
* memory: VmHWM (RSS high-water mark) from /proc/<pid>/status: of the first-started process at
  ready (indexing included), and of the process that took the load, after it (VmRSS too).
  CPU seconds of the bot process during the burst from /proc/<pid>/stat.

Throttling: the temp config sets telegram.limits.questions_per_window to 100,000 (the per-user
question budget never triggers). PTB's AIORateLimiter (30 requests/s overall, 20 messages/min
per group, as Telegram enforces) is switched off by default with TELEGRAM_RATE_LIMITER=off (read
by bot/app.py run(); for benchmarks only), so the figures show the bot's own capacity. With
``--rate-limiter on`` it stays on: then 1,000 replies cannot take less than ~33 s, and groups
with more than 20 replies a minute wait. The stand-in itself never throttles or answers 429.

Exits 0 with a message when /work/shared/data (../shared/data) is missing for the 100k corpus.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
# the Bot API stand-in lives with the tests (pytest finds it through its pythonpath setting)
sys.path.insert(0, str(ROOT / "tests"))

from botapi_standin import BOT_USERNAME, BotAPI, StandinServer  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
NEWS = DATA / "news_articles.jsonl"
CMRC = DATA / "cmrc2018_trial.json"
TOKEN = "123:LOAD"

WRITTEN = [
    # about the bundled article (corpus/cqcb-2020-04-12-chuanyu-innovation.txt)
    "两江新区和天府新区要共同建设什么？",
    "光大人工智能产业基地总投资多少？",
    "特斯联创始人是谁？",
    "重庆科学城今年建设有什么安排？",
    "两江新区发布了什么基金群？",
    "猪八戒今年将在川渝各建多少个数字经济服务中心？",
    "这篇文章的记者是谁？",
    "两江新区科技创新局局长是谁？",
    "川渝将联手共建什么科学城？",
    "重庆药友制药与多少家企业组建联盟？",
    # about news_articles.jsonl
    "范小勤被带到哪里上学？",
    "小马云是哪个村的？",
    "南栗小学在哪里？",
    "马云什么时候在微博上转载了范小勤的照片？",
    "澎湃新闻报道了什么？",
    "疫苗什么时候上市？",
    "新冠肺炎疫情防控有什么新进展？",
    "美国大选结果如何？",
    "嫦娥五号什么时候发射？",
    "双十一销售额是多少？",
]


def real_questions(count: int, seed: int = 11) -> list[str]:
    """``count`` questions: written ones, CMRC trial questions, cloze questions from the news."""
    rng = random.Random(seed)
    pool: list[str] = list(WRITTEN)
    if CMRC.exists():
        data = json.loads(CMRC.read_text(encoding="utf-8"))
        cmrc = [q["question"] for a in data["data"] for p in a["paragraphs"] for q in p["qas"]]
        rng.shuffle(cmrc)
        pool += cmrc[: count * 2 // 5]
    if NEWS.exists():
        cloze = []
        number = re.compile(r"\d+(?:\.\d+)?")
        with NEWS.open(encoding="utf-8") as handle:
            for line in handle:
                for paragraph in json.loads(line)["text"].split("\n"):
                    for sentence in re.split(r"(?<=[。！？])", paragraph):
                        sentence = sentence.strip(" 。！？")
                        if 12 <= len(sentence) <= 60 and number.search(sentence):
                            cloze.append(number.sub("多少", sentence, count=1) + "？")
        rng.shuffle(cloze)
        pool += cloze[: count - len(pool)]
    questions = [pool[i % len(pool)] for i in range(count)]
    rng.shuffle(questions)
    return questions


# -- the bot process ---------------------------------------------------------------------------


def write_config(directory: Path, corpus: list[str]) -> Path:
    raw = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))
    raw["corpus"]["paths"] = corpus
    raw["data_dir"] = str(directory / "data")
    raw["log_level"] = "WARNING"
    raw["telegram"]["api_base_url"] = None
    limits = raw["telegram"]["limits"]
    limits["questions_per_window"] = 100_000  # the per-user budget never triggers
    limits["window_seconds"] = 60
    path = directory / "config.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


def proc_status(pid: int) -> dict[str, int]:
    """VmHWM / VmRSS in kB from /proc/<pid>/status ({} when gone)."""
    values = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, rest = line.partition(":")
            if key in ("VmHWM", "VmRSS"):
                values[key] = int(rest.split()[0])
    except OSError:
        pass
    return values


@dataclass
class BotProcess:
    server: StandinServer
    config: Path
    log_path: Path
    rate_limiter: bool
    process: subprocess.Popen | None = None
    log: object = None
    started: float = 0.0

    def start(self) -> None:
        env = {
            **os.environ,
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_BASE_URL": self.server.base_url,
            "TELEGRAM_API_FILE_URL": self.server.file_url,
            "PYTHONUNBUFFERED": "1",
            "TELEGRAM_RATE_LIMITER": "on" if self.rate_limiter else "off",
        }
        env.pop("TELEGRAM_WEBHOOK_SECRET", None)
        self.log = open(self.log_path, "a", encoding="utf-8")
        self.started = time.monotonic()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot", "--config", str(self.config), "run"],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def wait_ready(self, timeout: float) -> float:
        """Seconds from start to ready: 3 setMyCommands done and the first getUpdates arrived."""
        api = self.server.api
        menus = len(api.calls_of("setMyCommands"))
        polls = api.polls
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the bot exited ({self.process.returncode}):\n{self.tail()}")
            if len(api.calls_of("setMyCommands")) >= menus + 3 and api.polls > polls:
                return time.monotonic() - self.started
            time.sleep(0.05)
        raise TimeoutError(f"the bot was not ready within {timeout:.0f} s:\n{self.tail()}")

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)
        self.log.close()
        self.process = None

    def tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(
                self.log_path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:]
            )
        except OSError:
            return ""


# -- driving the chats ---------------------------------------------------------------------------


@dataclass
class Asked:
    update_id: int
    chat_id: int
    message_id: int
    question: str
    group: bool


@dataclass
class Result:
    name: str
    paragraphs: int | None = None
    startup: float = 0.0
    restart: float | None = None
    hwm_ready: int = 0
    hwm_after: int = 0
    rss_after: int = 0
    hwm_restart: int | None = None
    wall: float = 0.0
    answered: int = 0
    total: int = 0
    latencies: list[float] = field(default_factory=list)
    kinds: dict[str, int] = field(default_factory=dict)
    messages: int = 0
    idle: list[float] = field(default_factory=list)
    cpu: float = 0.0
    log_problems: list[str] = field(default_factory=list)


def queue_questions(api: BotAPI, questions: list[str], chats: int, seed: int = 5) -> list[Asked]:
    rng = random.Random(seed)
    private = chats * 3 // 5
    targets = []
    for n in range(chats):
        if n < private:
            user = api.user(
                700_000 + n, f"U{n}", language_code=rng.choice(["zh-hans", "zh-hant", "en", None])
            )
            targets.append((api.private(user), [user]))
        else:
            chat = api.group(-100_700_000 - n, f"Load group {n}")
            members = [api.user(800_000 + n * 10 + k, f"M{n}-{k}") for k in range(3)]
            targets.append((chat, members))
    asked = []
    for number, question in enumerate(questions):
        chat, members = targets[number % chats]
        user = rng.choice(members)
        group = chat["type"] != "private"
        text = (
            (f"/ask@{BOT_USERNAME} {question}" if rng.random() < 0.5 else f"/ask {question}")
            if group
            else question
        )
        update = api.text_update(chat, user, text)
        message = update["message"]
        asked.append(Asked(update["update_id"], chat["id"], message["message_id"], question, group))
    return asked


def first_replies(api: BotAPI, asked: list[Asked]) -> dict[int, object]:
    """update_id -> the first successful sendMessage replying to that question."""
    wanted = {(a.chat_id, a.message_id): a.update_id for a in asked}
    found: dict[int, object] = {}
    for call in api.calls_of("sendMessage"):
        if call.error is not None:
            continue
        reply = call.params.get("reply_parameters") or {}
        if isinstance(reply, str):
            reply = json.loads(reply)
        key = (int(call.params.get("chat_id")), int(reply.get("message_id") or 0))
        update_id = wanted.get(key)
        if update_id is not None and update_id not in found:
            found[update_id] = call
    return found


def classify(text: str) -> str:
    """The kind of a first reply, from bot/messages.py's texts in all three languages."""
    from bot.texts import TEXTS

    if "<blockquote>" in text:
        return "quote"
    for key, kind in (("no_answer", "no answer"), ("error", "error")):
        if text in TEXTS[key].values():
            return kind
    if any(v.split("{")[0] in text for v in TEXTS["rate_limited"].values()):
        return "rate limited"
    try:  # render.py's own "nothing found" message (with tips)
        from bot.answers.render import _labels

        if any(
            _labels(lang)["no_answer"].split("{")[0] in text
            for lang in ("zh-hans", "zh-hant", "en")
        ):
            return "no answer"
    except (ImportError, KeyError, AttributeError):
        pass
    return "other"


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process, from /proc/<pid>/stat (0 when gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


def idle_latencies(api: BotAPI, questions: list[str], timeout: float) -> list[float]:
    """One question at a time from one private chat: latency without a queue (warm-up too)."""
    user = api.user(690_001, "Idle")
    chat = api.private(user)
    out = []
    for question in questions:
        update = api.text_update(chat, user, question)
        message_id = update["message"]["message_id"]
        call = api.wait_for(
            lambda message_id=message_id: next(
                (
                    c
                    for c in api.sent(690_001)
                    if (c.params.get("reply_parameters") or {}).get("message_id") == message_id
                ),
                None,
            ),
            timeout,
        )
        handed = api.handed_out.get(update["update_id"])
        if handed is not None:
            out.append(call.at - handed)
    return out


def run_load(
    name: str,
    corpus: list[str],
    questions: list[str],
    *,
    chats: int,
    rate_limiter: bool,
    reply_timeout: float,
    startup_timeout: float,
    paragraphs: int | None,
    restart: bool,
    idle: int = 20,
) -> Result:
    """First start (indexing); with ``restart``, stop and start again on the same data_dir (index
    from disk) and load that process — the one whose memory under load is reported."""
    result = Result(name, paragraphs=paragraphs, total=len(questions))
    with (
        tempfile.TemporaryDirectory(prefix="loadtest-") as tmp,
        StandinServer(BotAPI(TOKEN)) as server,
    ):
        directory = Path(tmp)
        bot = BotProcess(
            server, write_config(directory, corpus), directory / "bot.log", rate_limiter
        )
        api = server.api
        try:
            print(
                f"[{name}] first start{' (parses and indexes the corpus)' if paragraphs else ''} …",
                flush=True,
            )
            bot.start()
            result.startup = bot.wait_ready(startup_timeout)
            result.hwm_ready = proc_status(bot.process.pid).get("VmHWM", 0)
            print(
                f"[{name}] ready in {result.startup:.1f} s, VmHWM {result.hwm_ready / 1024:.0f} MB",
                flush=True,
            )
            if restart:
                bot.stop()
                bot.start()
                result.restart = bot.wait_ready(startup_timeout)
                result.hwm_restart = proc_status(bot.process.pid).get("VmHWM", 0)
                print(
                    f"[{name}] restart (index from disk): ready in {result.restart:.1f} s, "
                    f"VmHWM {result.hwm_restart / 1024:.0f} MB",
                    flush=True,
                )
            result.idle = idle_latencies(api, questions[:idle], timeout=30)
            print(
                f"[{name}] {len(result.idle)} questions one at a time: p50 "
                f"{pct(result.idle, 50) * 1000:.0f} ms; now queueing {len(questions)} questions "
                f"from {chats} chats at once",
                flush=True,
            )
            before = len(api.sent())
            cpu0 = cpu_seconds(bot.process.pid)
            t0 = time.monotonic()
            asked = queue_questions(api, questions, chats)
            deadline = t0 + reply_timeout
            found: dict[int, object] = {}
            next_note = t0 + 15
            while time.monotonic() < deadline:
                found = first_replies(api, asked)
                if len(found) == len(asked):
                    break
                if bot.process.poll() is not None:
                    raise RuntimeError(f"the bot exited during the load:\n{bot.tail()}")
                if time.monotonic() >= next_note:
                    print(
                        f"[{name}]   {len(found)}/{len(asked)} answered after "
                        f"{time.monotonic() - t0:.0f} s",
                        flush=True,
                    )
                    next_note += 15
                time.sleep(0.1)
            status = proc_status(bot.process.pid)
            result.cpu = cpu_seconds(bot.process.pid) - cpu0
            result.hwm_after, result.rss_after = status.get("VmHWM", 0), status.get("VmRSS", 0)
            result.answered = len(found)
            by_update = {a.update_id: a for a in asked}
            for update_id, call in found.items():
                handed = api.handed_out.get(update_id)
                if handed is not None:
                    result.latencies.append(call.at - handed)
                kind = classify(str(call.params.get("text")))
                result.kinds[kind] = result.kinds.get(kind, 0) + 1
            result.wall = (max(c.at for c in found.values()) - t0) if found else float("nan")
            result.messages = len(api.sent()) - before
            missing = [by_update[u].question for u in by_update if u not in found]
            if missing:
                print(
                    f"[{name}] NOT answered within {reply_timeout:.0f} s: {len(missing)}, "
                    f"e.g. {missing[:3]}",
                    flush=True,
                )
        finally:
            bot.stop()
            text = (
                bot.log_path.read_text(encoding="utf-8", errors="replace")
                if bot.log_path.exists()
                else ""
            )
            if TOKEN in text:
                result.log_problems.append("the token appears in the bot's log")
            if "Traceback" in text:
                result.log_problems.append("a traceback in the bot's log:\n" + text[-2000:])
            if api.html_errors:
                result.log_problems.append(
                    f"{len(api.html_errors)} HTML errors, e.g. {api.html_errors[:2]}"
                )
    return result


# -- reporting -------------------------------------------------------------------------------------


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))]


def report(results: list[Result], rate_limiter: bool) -> None:
    print()
    print(
        "Throttling: per-user question budget 100,000 per 60 s (never triggers); PTB AIORateLimiter "
        + (
            "ON (30 requests/s overall, 20 messages/min per group)"
            if rate_limiter
            else "OFF (TELEGRAM_RATE_LIMITER=off)"
        )
        + "; the stand-in never throttles or answers 429."
    )
    print(
        "Latency = update handed out by getUpdates -> the first reply's sendMessage arriving at the stand-in "
        "(queueing inside the bot included)."
    )
    print(
        f"{'corpus':<9}{'replies':>10}{'burst p50':>10}{'p95':>8}{'max':>8}{'idle p50':>9}{'p95':>7}"
        f"{'wall':>7}{'q/s':>6}{'cpu':>7}{'start':>7}{'restart':>8}{'HWM start':>10}{'HWM load':>9}{'RSS':>6}"
    )
    print(
        f"{'':<9}{'':>10}{'s':>10}{'s':>8}{'s':>8}{'ms':>9}{'ms':>7}{'s':>7}{'':>6}{'s':>7}{'s':>7}{'s':>8}"
        f"{'MB':>10}{'MB':>9}{'MB':>6}"
    )
    for r in results:
        print(
            f"{r.name:<9}{f'{r.answered}/{r.total}':>10}{pct(r.latencies, 50):>10.2f}{pct(r.latencies, 95):>8.2f}"
            f"{max(r.latencies, default=float('nan')):>8.2f}{pct(r.idle, 50) * 1000:>9.0f}"
            f"{pct(r.idle, 95) * 1000:>7.0f}{r.wall:>7.1f}{r.answered / r.wall if r.wall else float('nan'):>6.1f}"
            f"{r.cpu:>7.1f}{r.startup:>7.1f}{(f'{r.restart:.1f}' if r.restart is not None else '-'):>8}"
            f"{r.hwm_ready / 1024:>10.0f}{r.hwm_after / 1024:>9.0f}{r.rss_after / 1024:>6.0f}"
        )
    print(
        "  HWM start = VmHWM of the first-started process at ready (indexing included); HWM load = VmHWM "
        "of the process that took the load (the restarted one when there is a restart), after the load."
    )
    for r in results:
        kinds = ", ".join(f"{k}: {v}" for k, v in sorted(r.kinds.items()))
        print(
            f"  {r.name}: first replies — {kinds}; sendMessage calls {r.messages}; mean burst latency "
            f"{statistics.fmean(r.latencies) if r.latencies else float('nan'):.2f} s; bot CPU during the burst "
            f"{r.cpu:.1f} s ({r.cpu / r.answered * 1000 if r.answered else float('nan'):.0f} ms/question)"
            + (f"; VmHWM after restart {r.hwm_restart / 1024:.0f} MB" if r.hwm_restart else "")
        )
        for problem in r.log_problems:
            print(f"  {r.name}: PROBLEM: {problem}")
    if len(results) >= 2 and all(r.latencies and r.wall for r in results):
        a, b = results[0], results[-1]
        print(
            f"Ratios {b.name} / {a.name}: burst p50 ×{pct(b.latencies, 50) / pct(a.latencies, 50):.1f}, "
            f"burst p95 ×{pct(b.latencies, 95) / pct(a.latencies, 95):.1f}, idle p50 "
            f"×{pct(b.idle, 50) / pct(a.idle, 50):.1f}, wall ×{b.wall / a.wall:.1f}, "
            f"HWM under load ×{b.hwm_after / max(a.hwm_after, 1):.1f}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--corpus",
        action="append",
        default=None,
        help="default (bundled corpus/), news (the 1,261 articles), 100k, or a file; repeatable",
    )
    parser.add_argument("--questions", type=int, default=1000)
    parser.add_argument("--chats", type=int, default=200)
    parser.add_argument("--rate-limiter", choices=("on", "off"), default="off")
    parser.add_argument("--reply-timeout", type=float, default=290.0)
    parser.add_argument("--startup-timeout", type=float, default=240.0)
    parser.add_argument(
        "--corpus-file",
        type=Path,
        default=None,
        help="where to build/keep the 100k corpus (default: a temp file)",
    )
    args = parser.parse_args(argv)
    corpora = args.corpus or ["default", "100k"]
    rate_limiter = args.rate_limiter == "on"
    questions = real_questions(args.questions)
    print(
        f"{len(questions)} questions ({len(set(questions))} distinct), {args.chats} chats, "
        f"rate limiter {args.rate_limiter}"
    )
    results = []
    with tempfile.TemporaryDirectory(prefix="loadcorpus-") as tmp:
        for name in corpora:
            paragraphs = None
            if name == "default":
                paths = [str(ROOT / "corpus")]
            elif name in ("news", "100k"):
                if not NEWS.exists():
                    print(f"[{name}] {NEWS} is missing: the {name} corpus run is skipped.")
                    continue
                if name == "news":
                    paths, paragraphs = [str(NEWS)], 13_878
                else:
                    target = args.corpus_file or Path(tmp) / "corpus100k.jsonl"
                    if not target.exists():
                        sys.path.insert(0, str(ROOT / "bench"))
                        import make_corpus

                        make_corpus.main([str(target), "--paragraphs", "100000"])
                    paths, paragraphs = [str(target)], 100_000
            else:
                paths = [name]
            results.append(
                run_load(
                    name,
                    paths,
                    questions,
                    chats=args.chats,
                    rate_limiter=rate_limiter,
                    reply_timeout=args.reply_timeout,
                    startup_timeout=args.startup_timeout,
                    paragraphs=paragraphs,
                    restart=paragraphs is not None,
                )
            )
    if not results:
        return 0
    report(results, rate_limiter)
    return 0 if all(r.answered == r.total and not r.log_problems for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
