"""Nothing lost: durable store, checked index, degraded modes, and a Bot API that fails.

Storage: the store is SQLite WAL with synchronous=FULL; the index on disk carries its format
version, per-file checksums and the digest of the corpus it was built from, and a half-written
or stale index is rebuilt, never loaded. A damaged store, a read-only data directory and a full
disk are logged, answered through, and never cost a byte of user data.

Bot API: bot/transport.py retries 429 (after ``retry_after``), 5xx and refused connections
with bounded backoff; the stand-in's fault knobs (``api.inject``, ``server.go_down``) make the
API fail while the real Application runs over HTTP in-process.
"""

from __future__ import annotations

import asyncio
import errno
import hashlib
import json
import logging
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest
from botapi_standin import TOKEN, StandinServer
from conftest import REPO, make_bot_config, process
from telegram.error import NetworkError
from telegram.request import RequestData

from bot.errors import SearchIndexError, StoreError
from bot.ingest.parsing import parse_text
from bot.library import INDEX_DIR, STORE_FILE, Library
from bot.models import chat_scope
from bot.search.bm25 import FORMAT_VERSION, MANIFEST, load_index
from bot.store import ArticleStore
from bot.tg.app import build_application
from bot.tg.transport import RetryingRequest

SAMPLE = REPO / "corpus" / "cqcb-2020-04-12-chuanyu-innovation.txt"
QUESTION = "两江新区和天府新区要共同建设什么？"
SHARED_ANSWER = "共同建设西部科技创新中心"
OWN_ARTICLE = (
    "火锅博物馆今日开馆 市民排队参观\n"
    "2021-03-15 09:30 来源：测试日报\n"
    "记者 张三 李四\n\n"
    "位于渝中区的火锅博物馆今天正式开馆，馆内展出了百余件与火锅有关的老物件。\n\n"
    "博物馆负责人介绍，火锅博物馆免费向市民开放，每天限流三千人。\n"
)
OWN_QUESTION = "火锅博物馆每天限流多少人"
OWN_ANSWER = "每天限流三千人"
NEW_ARTICLE = (
    "磁器口古镇新建非遗工坊\n\n沙坪坝区磁器口古镇的非遗工坊今日启用，工坊每周举办两场蜀绣体验课。\n"
)
NEW_QUESTION = "磁器口非遗工坊每周举办几场蜀绣体验课"
SCOPE = chat_scope(4242)


def write_config(root: Path) -> Path:
    corpus = root / "corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    shutil.copy(SAMPLE, corpus / SAMPLE.name)
    path = root / "config.yaml"
    path.write_text(f"corpus: {{paths: [{corpus}]}}\ndata_dir: {root / 'data'}\n", encoding="utf-8")
    return path


@pytest.fixture
def config(tmp_path):
    from bot.config import load_config

    return load_config(write_config(tmp_path))


def quotes(answer_set) -> list[str]:
    return [a.paragraph for a in answer_set.answers if a.kind == "quote"]


def tree(directory: Path) -> dict[str, str]:
    """Every file under ``directory`` → sha256 of its bytes."""
    return {
        str(p.relative_to(directory)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    }


def messages(caplog, level=logging.INFO) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= level]


# -- the store is transactional and durable ----------------------------------------------------


def test_store_uses_wal_with_full_sync_and_rolls_back_whole_writes(tmp_path):
    store = ArticleStore(tmp_path / STORE_FILE)
    try:
        db = store._db  # the store's own connection: synchronous is per connection
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
        assert store.persistent and store.problem is None
    finally:
        store.close()


def test_a_schema_1_store_is_migrated_in_place_keeping_every_article(tmp_path):
    path = tmp_path / STORE_FILE
    article = parse_text(OWN_ARTICLE)
    data = json.dumps(article.to_json(), ensure_ascii=False)
    with sqlite3.connect(path) as raw:  # the layout of schema version 1
        raw.executescript("""
            CREATE TABLE articles (id TEXT PRIMARY KEY, scope TEXT NOT NULL, added REAL NOT NULL, data TEXT NOT NULL);
            CREATE TABLE chat_settings (chat_id INTEGER PRIMARY KEY, data TEXT NOT NULL);
            CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
            INSERT INTO meta VALUES ('schema_version', '1');""")
        raw.execute("INSERT INTO articles VALUES (?, ?, 1.0, ?)", (article.id, SCOPE, data))
    raw.close()
    store = ArticleStore(path)
    try:
        assert store.get(article.id) == article
        assert store.get_meta("schema_version") == "2"
        assert store.summary([SCOPE]) == (1, len(article.body), [("测试日报", 1)], article.date)
        store.put(parse_text(NEW_ARTICLE), SCOPE)  # the new columns are writable
        assert store.count(SCOPE) == 2
    finally:
        store.close()


# -- the index on disk: version, checksums, corpus digest ---------------------------------------


def test_the_saved_index_names_its_version_checksums_and_corpus(config):
    with Library.open(config) as library:
        directory = config.data_path / INDEX_DIR
        manifest = json.loads((directory / MANIFEST).read_text())
        assert manifest["version"] == FORMAT_VERSION
        assert manifest["meta"]["corpus_digest"] == library.store.digest()
        assert all(spec["sha256"] for spec in manifest["files"].values())
        before = library.store.digest()
        library.add_article(parse_text(OWN_ARTICLE), SCOPE)
        after = json.loads((directory / MANIFEST).read_text())["meta"]["corpus_digest"]
        assert after == library.store.digest() != before
    # the checksums are checked: one flipped byte in any array file and the index is refused
    assert load_index(directory).meta["corpus_digest"] == after
    manifest = json.loads((directory / MANIFEST).read_text())
    for spec in manifest["files"].values():
        path = directory / spec["file"]
        data = path.read_bytes()
        if not data:
            continue
        path.write_bytes(bytes([data[0] ^ 1]) + data[1:])
        with pytest.raises(SearchIndexError, match="checksum"):
            load_index(directory)
        path.write_bytes(data)


def _truncate_an_array(directory: Path) -> None:
    manifest = json.loads((directory / MANIFEST).read_text())
    victim = directory / manifest["files"]["docs"]["file"]
    victim.write_bytes(victim.read_bytes()[: max(1, victim.stat().st_size // 2)])


def _remove_the_manifest(directory: Path) -> None:
    (directory / MANIFEST).unlink()


def _truncate_the_manifest(directory: Path) -> None:
    text = (directory / MANIFEST).read_bytes()
    (directory / MANIFEST).write_bytes(text[: len(text) // 3])


def _another_format_version(directory: Path) -> None:
    manifest = json.loads((directory / MANIFEST).read_text())
    manifest["version"] = FORMAT_VERSION + 1
    (directory / MANIFEST).write_text(json.dumps(manifest))


def _a_save_killed_before_its_manifest(directory: Path) -> None:
    """New-generation array files written, the manifest never replaced (and meanwhile the
    store gained an article, as an /add that committed right before the kill)."""
    for file in list(directory.glob("*.bin")):
        shutil.copy(file, directory / file.name.replace(".bin", ".deadbeef0000.bin"))
    (directory / f"{MANIFEST}.deadbeef0000.tmp").write_text('{"format": "newsquote-bm')


@pytest.mark.parametrize(
    "damage",
    [
        _truncate_an_array,
        _remove_the_manifest,
        _truncate_the_manifest,
        _another_format_version,
        _a_save_killed_before_its_manifest,
    ],
)
def test_a_half_written_or_stale_index_is_rebuilt_not_loaded(config, caplog, damage):
    with Library.open(config) as library:
        library.add_article(parse_text(OWN_ARTICLE), SCOPE)
    directory = config.data_path / INDEX_DIR
    if damage is _a_save_killed_before_its_manifest:
        store = ArticleStore(config.data_path / STORE_FILE)
        store.put(parse_text(NEW_ARTICLE), SCOPE)  # committed; the index save never finished
        store.close()
    damage(directory)
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="bot.library"):
        with Library.open(config) as library:
            assert any(
                line.startswith(("the index on disk", "no index yet")) for line in messages(caplog)
            )
            assert any(line.startswith("index built") for line in messages(caplog))
            assert SHARED_ANSWER in quotes(library.ask(QUESTION))[0]
            assert OWN_ANSWER in quotes(library.ask(OWN_QUESTION, scopes={SCOPE}))[0]
            if damage is _a_save_killed_before_its_manifest:
                assert "两场蜀绣体验课" in quotes(library.ask(NEW_QUESTION, scopes={SCOPE}))[0]
            digest = library.store.digest()
    # the rebuilt index was saved whole, and a third start loads it without rebuilding
    manifest = json.loads((directory / MANIFEST).read_text())
    assert manifest["meta"]["corpus_digest"] == digest
    assert not list(directory.glob("*.tmp")) and not list(directory.glob("*deadbeef*"))
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="bot.library"):
        with Library.open(config) as library:
            assert OWN_ANSWER in quotes(library.ask(OWN_QUESTION, scopes={SCOPE}))[0]
    assert not any("build" in line for line in messages(caplog))


# -- a damaged store -------------------------------------------------------------------------------


@pytest.mark.parametrize("how", ["garbage", "truncated"])
def test_a_damaged_store_is_logged_left_alone_and_the_corpus_still_answers(config, caplog, how):
    with Library.open(config) as library:
        library.add_article(parse_text(OWN_ARTICLE), SCOPE)
    path = config.data_path / STORE_FILE
    if how == "garbage":
        path.write_bytes(b"not a database at all " * 400)
    else:
        data = path.read_bytes()
        path.write_bytes(data[:100] + b"\xff" * 200 + data[300 : len(data) // 2])
    before = tree(config.data_path)
    with caplog.at_level(logging.INFO, logger="bot"):
        with Library.open(config) as library:
            assert not library.writable and "damaged" in library.degraded
            assert SHARED_ANSWER in quotes(library.ask(QUESTION))[0]
            with pytest.raises(
                StoreError, match="cannot be added or removed now: the article store is damaged"
            ):
                library.add_article(parse_text(NEW_ARTICLE), SCOPE)
            with pytest.raises(StoreError, match="cannot be added or removed"):
                library.remove_article("anything", SCOPE)
    errors = messages(caplog, logging.ERROR)
    assert any(str(path) in line and "left untouched" in line for line in errors), errors
    assert tree(config.data_path) == before, "the damaged store or the index on disk was changed"


def test_readable_rows_of_a_damaged_store_are_salvaged(tmp_path):
    path = tmp_path / STORE_FILE
    store = ArticleStore(path)
    own = parse_text(OWN_ARTICLE)
    store.put(own, SCOPE)
    store.close()
    with open(path, "r+b") as handle:  # break the header's page-size field: quick_check fails
        handle.seek(16)
        handle.write(b"\x00\x03")
    salvaged = ArticleStore.salvage(path, "the article store is damaged")
    try:
        assert not salvaged.persistent
        # bytes 16-17 = 3 is an invalid page size, so sqlite refuses the file outright: nothing
        # can be read, and the in-memory stand-in is empty but usable
        assert salvaged.count(SCOPE) == 0
        salvaged.put(own, SCOPE)
        assert salvaged.get(own.id) == own
    finally:
        salvaged.close()


def test_salvage_copies_every_row_sqlite_can_still_read(tmp_path):
    path = tmp_path / STORE_FILE
    store = ArticleStore(path)
    own = parse_text(OWN_ARTICLE)
    store.put(own, SCOPE)
    store.save_chat_settings(7, store.chat_settings(7).with_changes(per_message=2))
    digest = store.digest()
    store.close()
    salvaged = ArticleStore.salvage(path, "the article store is damaged")
    try:
        assert salvaged.get(own.id) == own and salvaged.scope_of(own.id) == SCOPE
        assert salvaged.chat_settings(7).per_message == 2
        assert salvaged.digest() == digest  # recomputed from the rows, so the index matches
        assert salvaged.get_meta("corpus_fingerprint") is None  # the corpus is re-read
        with pytest.raises(StoreError, match="settings cannot be saved now"):
            salvaged.save_chat_settings(7, salvaged.chat_settings(7))
    finally:
        salvaged.close()


# -- a read-only data directory ----------------------------------------------------------------------

READER = r"""
import ctypes, json, logging, os, sys
if os.geteuid() == 0:
    # root ignores file modes: give up CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH, so the
    # read-only modes of the data directory bind this process as they bind any user
    libc = ctypes.CDLL(None, use_errno=True)
    class Header(ctypes.Structure):
        _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]
    class Data(ctypes.Structure):
        _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32),
                    ("inheritable", ctypes.c_uint32)]
    header, data = Header(0x20080522, 0), (Data * 2)()
    assert libc.capget(ctypes.byref(header), data) == 0
    for half in data:
        half.effective &= ~0b110
        half.permitted &= ~0b110
    assert libc.capset(ctypes.byref(header), data) == 0, ctypes.get_errno()
    assert not os.access(sys.argv[6], os.W_OK), "still allowed to write"
logging.basicConfig(level=logging.INFO, stream=sys.stderr)
from bot.config import load_config
from bot.errors import StoreError
from bot.library import Library
from bot.ingest.parsing import parse_text
library = Library.open(load_config(sys.argv[1]))
out = {"writable": library.writable, "degraded": library.degraded,
       "shared": [a.paragraph for a in library.ask(sys.argv[2]).answers],
       "own": [a.paragraph for a in library.ask(sys.argv[3], scopes={sys.argv[4]}).answers]}
try:
    library.add_article(parse_text(sys.argv[5]), sys.argv[4])
    out["add"] = "added"
except StoreError as exc:
    out["add"] = str(exc)
library.close()
from bot.library import check_data
out["check"] = check_data(load_config(sys.argv[1]))
print(json.dumps(out, ensure_ascii=False))
"""


def _run_reader(config_path: Path, data: Path) -> tuple[dict, str]:
    """Run READER against a data directory made read-only (mode 555, files 444); as root the
    reader first drops the capabilities that let root ignore file modes."""
    args = [
        sys.executable,
        "-c",
        READER,
        str(config_path),
        QUESTION,
        OWN_QUESTION,
        SCOPE,
        NEW_ARTICLE,
        str(data),
    ]
    modes = {p: p.stat().st_mode for p in [data, *data.rglob("*")]}
    try:
        for p in [*data.rglob("*"), data]:
            p.chmod(0o555 if p.is_dir() else 0o444)
        result = subprocess.run(
            args,
            cwd=REPO,
            env={**os.environ, "PYTHONPATH": str(REPO)},
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        for p, mode in sorted(modes.items(), key=lambda item: len(item[0].parts)):
            p.chmod(mode)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1]), result.stderr


@pytest.mark.parametrize("shutdown", ["clean", "crashed"])
def test_a_read_only_data_directory_is_answered_from_and_left_alone(shutdown):
    root = Path(tempfile.mkdtemp(prefix="newsquote-ro-"))
    try:
        config_path = write_config(root)
        from bot.config import load_config

        config = load_config(config_path)
        library = Library.open(config)
        library.add_article(parse_text(OWN_ARTICLE), SCOPE)
        if shutdown == "crashed":
            # the files as a SIGKILL leaves them: -wal and -shm still there, not checkpointed
            copy = root / "data-copy"
            shutil.copytree(config.data_path, copy)
            library.close()
            shutil.rmtree(config.data_path)
            copy.rename(config.data_path)
            assert (config.data_path / f"{STORE_FILE}-wal").exists()
        else:
            library.close()
        before = tree(config.data_path)
        out, log = _run_reader(config_path, config.data_path)
        assert out["writable"] is False and "read-only" in out["degraded"]
        assert SHARED_ANSWER in out["shared"][0]
        assert OWN_ANSWER in out["own"][0], "the chat's own article must be answered from the store"
        assert "cannot be added or removed now" in out["add"]
        assert "read-only copy in memory" in log
        ok, report = out["check"]
        assert ok and report[0].startswith("store: ok, 2 articles") and "index: ok" in report[1], (
            report
        )
        assert "READ-ONLY" in report[2]
        assert tree(config.data_path) == before
    finally:
        shutil.rmtree(root, ignore_errors=True)


# -- a full disk ------------------------------------------------------------------------------------


def _fill_the_disk(store: ArticleStore) -> None:
    """SQLITE_FULL for real: the database may not grow beyond its current pages."""
    pages = store._db.execute("PRAGMA page_count").fetchone()[0]
    store._db.execute(f"PRAGMA max_page_count={pages}")


def test_a_write_on_a_full_disk_fails_whole_and_keeps_what_was_there(config, caplog):
    with Library.open(config) as library:
        own = library.add_article(parse_text(OWN_ARTICLE), SCOPE)
        digest = library.store.digest()
        _fill_the_disk(library.store)
        big = parse_text(
            "磁器口古镇新建非遗工坊\n\n"
            + "\n\n".join(
                f"第{i}段：沙坪坝区磁器口古镇的非遗工坊今日启用，工坊每周举办两场蜀绣体验课。" * 20
                for i in range(60)
            )
        )
        with pytest.raises(StoreError, match="the disk is full"):
            library.add_article(big, SCOPE)
        assert library.get_article(big.id) is None
        assert not any(p.id in library.index for p in big.body), "a failed write reached the index"
        assert library.store.digest() == digest
        assert OWN_ANSWER in quotes(library.ask(OWN_QUESTION, scopes={SCOPE}))[0]
    with caplog.at_level(logging.INFO, logger="bot.library"):
        with Library.open(config) as library:
            assert library.get_article(own.id) == own and library.get_article(big.id) is None
            assert library.writable
    assert not any("build" in line for line in messages(caplog)), "the saved index should still fit"


def test_an_index_that_cannot_be_saved_stays_in_memory_and_is_rebuilt_later(
    config, caplog, monkeypatch
):
    import bot.search.storage

    def no_space(path, data):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))

    with caplog.at_level(logging.ERROR, logger="bot.library"):
        with Library.open(config) as library:
            monkeypatch.setattr(bot.search.storage, "write_durably", no_space)
            library.add_article(parse_text(OWN_ARTICLE), SCOPE)
            library.add_article(parse_text(NEW_ARTICLE), SCOPE)
            library.flush()
            assert OWN_ANSWER in quotes(library.ask(OWN_QUESTION, scopes={SCOPE}))[0]
            assert "两场蜀绣体验课" in quotes(library.ask(NEW_QUESTION, scopes={SCOPE}))[0]
        # the disk stays full through the shutdown flush too
    saves = [
        line
        for line in messages(caplog, logging.ERROR)
        if "could not save the search index" in line
    ]
    assert len(saves) == 1 and "No space left on device" in saves[0]  # logged once, not per change
    monkeypatch.undo()
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="bot.library"):
        with Library.open(config) as library:
            assert "两场蜀绣体验课" in quotes(library.ask(NEW_QUESTION, scopes={SCOPE}))[0]
    assert any("rebuilding" in line for line in messages(caplog))


# -- what the admin is told ---------------------------------------------------------------------------

OWNER = 999  # make_bot's default owners


async def test_add_on_a_full_disk_gets_a_clear_reply_and_stores_nothing(api, make_bot):
    app = await make_bot()
    library = app.bot_data.library
    owner = api.user(OWNER)
    chat = api.private(owner)
    await process(app, api.document_update(chat, owner, "museum.txt", OWN_ARTICLE.encode()))
    assert "已添加" in api.sent(OWNER)[-1].params["text"]
    _fill_the_disk(library.store)
    big = "磁器口古镇新建非遗工坊\n\n" + "\n\n".join(
        "沙坪坝区磁器口古镇的非遗工坊今日启用。" * 30 for _ in range(40)
    )
    await process(app, api.document_update(chat, owner, "big.txt", big.encode()))
    reply = api.sent(OWNER)[-1].params["text"]
    assert "未能保存" in reply and "磁盘已满或只读" in reply and "已有的文章不受影响" in reply
    assert library.count_articles(chat_scope(OWNER)) == 1


async def test_questions_are_answered_without_an_error_message_when_no_write_succeeds(
    api, make_bot, monkeypatch
):
    app = await make_bot()
    store = app.bot_data.library.store

    def disk_full(*args, **kwargs):
        raise StoreError(
            "cannot write the article store: the disk is full (database or disk is full)"
        )

    monkeypatch.setattr(store, "set_meta", disk_full)  # a truly full disk: even tiny writes fail
    user = api.user(7100)
    for _ in range(2):
        await process(app, api.text_update(api.private(user), user, QUESTION))
    sent = [c.params["text"] for c in api.sent(7100)]
    assert len(sent) == 2 and all("西部科技创新中心" in text for text in sent), sent


async def test_add_on_a_damaged_store_is_refused_clearly_while_questions_are_answered(
    api, make_bot, tmp_path
):
    config = make_bot_config(tmp_path / "data", owners=[OWNER])
    config.data_path.mkdir(parents=True)
    (config.data_path / STORE_FILE).write_bytes(b"\x00" * 4096)
    app = await make_bot(config)
    owner = api.user(OWNER)
    chat = api.private(owner)
    await process(app, api.text_update(chat, owner, QUESTION))
    assert "西部科技创新中心" in api.sent(OWNER)[-1].params["text"]
    await process(app, api.document_update(chat, owner, "museum.txt", OWN_ARTICLE.encode()))
    assert "未能保存（1 篇）" in api.sent(OWNER)[-1].params["text"]
    assert (config.data_path / STORE_FILE).read_bytes() == b"\x00" * 4096


# -- the transport: retries, backoff, retry_after ------------------------------------------------------


class FakeInner:
    """A BaseRequest stand-in answering from a script of results (status, body) or exceptions."""

    def __init__(self, script):
        self.script = list(script)
        self.calls = 0
        self.read_timeout = 5.0

    async def do_request(self, **kwargs):
        self.calls += 1
        step = self.script.pop(0)
        if isinstance(step, BaseException):
            raise step
        return step


def _network_error(cause: Exception) -> NetworkError:
    try:
        raise NetworkError(f"httpx.{cause.__class__.__name__}") from cause
    except NetworkError as exc:
        return exc


def _retrying(script, **kw):
    slept: list[float] = []

    async def sleep(seconds):
        slept.append(seconds)

    request = RetryingRequest(FakeInner(script), sleep=sleep, rng=lambda: 1.0, **kw)
    return request, slept


URL = f"http://127.0.0.1:1/bot{TOKEN}/sendMessage"
OK = (200, b'{"ok": true, "result": true}')


async def test_transport_retries_5xx_and_refused_connections_with_growing_delays():
    refused = _network_error(httpx.ConnectError("refused"))
    request, slept = _retrying([(502, b"{}"), refused, (503, b"{}"), OK])
    assert await request.do_request(URL, "POST", RequestData()) == OK
    assert request.inner.calls == 4 and slept == [0.5, 1.0, 2.0]


async def test_transport_honours_retry_after_and_leaves_long_waits_to_ptb():
    too_many = (429, b'{"ok": false, "error_code": 429, "parameters": {"retry_after": 3}}')
    request, slept = _retrying([too_many, OK])
    assert await request.do_request(URL, "POST") == OK and slept == [3.0]
    request, slept = _retrying([too_many], max_retry_after=2)
    assert await request.do_request(URL, "POST") == too_many and slept == []


async def test_transport_never_repeats_a_send_that_may_have_arrived():
    cut = _network_error(
        httpx.RemoteProtocolError("Server disconnected without sending a response")
    )
    request, slept = _retrying([cut, OK])
    with pytest.raises(NetworkError):
        await request.do_request(URL, "POST")
    assert request.inner.calls == 1
    request, slept = _retrying([cut, OK])  # getChat is harmless to repeat
    assert await request.do_request(URL.replace("sendMessage", "getChat"), "POST") == OK


async def test_transport_gives_up_after_its_attempts_and_its_deadline():
    request, slept = _retrying([(502, b"{}")] * 10, attempts=4)
    assert (await request.do_request(URL, "POST"))[0] == 502
    assert request.inner.calls == 4 and len(slept) == 3
    request, slept = _retrying([(502, b"{}")] * 10, deadline=2.0)
    assert (await request.do_request(URL, "POST"))[0] == 502
    assert sum(slept) <= 2.0 and request.inner.calls == len(slept) + 1


@asynccontextmanager
async def polling_bot(server: StandinServer, tmp_path: Path):
    """The real Application over HTTP (RetryingRequest around HTTPXRequest), long polling."""
    config = make_bot_config(tmp_path / "data", owners=[OWNER])
    library = Library.open(config)
    app = build_application(
        config, library, TOKEN, base_url=server.base_url, base_file_url=server.file_url
    )
    await app.initialize()
    await app.updater.start_polling(poll_interval=0.0, timeout=1)
    await app.start()
    try:
        yield app
    finally:
        try:
            if app.updater.running:
                await asyncio.wait_for(app.updater.stop(), 15)
            await asyncio.wait_for(app.stop(), 15)
            await asyncio.wait_for(app.shutdown(), 15)
        finally:
            library.close()


def _answers(api, chat_id: int) -> list:
    return [c for c in api.sent(chat_id) if "西部科技创新中心" in c.params["text"]]  # words in <b>


async def _wait(predicate, timeout: float):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        await asyncio.sleep(0.05)
    raise TimeoutError("not in time")


async def test_api_down_while_answering_then_back_the_answer_arrives_once(tmp_path):
    with StandinServer() as server:
        api = server.api
        async with polling_bot(server, tmp_path):
            user = api.user(7001)
            fault = api.inject("sendMessage", status=503)
            api.text_update(api.private(user), user, QUESTION)
            await _wait(lambda: fault.hits, 15)
            server.go_down()  # the retry after the 503 meets a closed port
            down_at = time.monotonic()
            await asyncio.sleep(3)
            assert not _answers(api, 7001)
            server.come_back()
            back_at = time.monotonic()
            await _wait(lambda: _answers(api, 7001), 30)
            assert back_at - down_at >= 3
            await asyncio.sleep(1)  # a late duplicate would show up here
            assert len(_answers(api, 7001)) == 1
            # polling recovered too: a new question is answered
            api.text_update(api.private(user), user, QUESTION)
            await _wait(lambda: len(_answers(api, 7001)) == 2, 30)


async def test_api_down_before_the_question_it_is_fetched_and_answered_when_back(tmp_path):
    with StandinServer() as server:
        api = server.api
        async with polling_bot(server, tmp_path):
            server.go_down()
            user = api.user(7002)
            api.text_update(api.private(user), user, QUESTION)
            await asyncio.sleep(2.5)
            server.come_back()
            await _wait(lambda: _answers(api, 7002), 30)
            await asyncio.sleep(0.5)
            assert len(_answers(api, 7002)) == 1


async def test_429_with_retry_after_delays_the_answer_and_it_arrives_once(tmp_path):
    with StandinServer() as server:
        api = server.api
        async with polling_bot(server, tmp_path):
            user = api.user(7003)
            api.inject("sendMessage", status=429, retry_after=1)
            api.text_update(api.private(user), user, QUESTION)
            [answer] = await _wait(lambda: _answers(api, 7003), 20)
            [limited] = [c for c in api.calls_of("sendMessage", 7003) if c.error]
            assert "retry after 1" in limited.error
            assert answer.at - limited.at >= 1.0
            await asyncio.sleep(0.5)
            assert len(_answers(api, 7003)) == 1


async def test_502_twice_then_the_answer_and_dropped_polls_lose_nothing(tmp_path):
    with StandinServer() as server:
        api = server.api
        async with polling_bot(server, tmp_path):
            user = api.user(7004)
            api.inject("sendMessage", status=502, times=2)
            api.text_update(api.private(user), user, QUESTION)
            await _wait(lambda: _answers(api, 7004), 20)
            calls = api.calls_of("sendMessage", 7004)
            assert [c.error for c in calls[:3]] == ["Bad Gateway", "Bad Gateway", None]
            # getUpdates hangs up twice: the update is fetched again, answered once
            drops = api.inject("getUpdates", drop=True, times=2)
            api.text_update(api.private(user), user, "这篇文章的记者是谁？")
            await _wait(lambda: len(api.sent(7004)) == 2, 30)
            await _wait(lambda: drops.hits == 2, 10)  # the polls after it hang up too
            await asyncio.sleep(0.5)
            assert len(api.sent(7004)) == 2


# -- operations: check and backup --------------------------------------------------------------------


def _cli(config_path: Path, *args: str) -> tuple[int, str]:
    import io

    from bot.cli import main

    out = io.StringIO()
    return main(["--config", str(config_path), *args], out=out), out.getvalue()


def test_backup_while_the_store_is_open_holds_the_latest_write(tmp_path, capsys):
    config_path = write_config(tmp_path)
    from bot.config import load_config

    with Library.open(load_config(config_path)) as library:  # "the bot", running
        own = library.add_article(parse_text(OWN_ARTICLE), SCOPE)
        assert (tmp_path / "data" / f"{STORE_FILE}-wal").stat().st_size > 0  # not checkpointed
        status, out = _cli(config_path, "backup", str(tmp_path / "copy.sqlite3"))
        assert status == 0 and "integrity checked" in out
        status, _ = _cli(config_path, "backup", str(tmp_path / "copy.sqlite3"))
        assert status == 1 and "not overwriting" in capsys.readouterr().err
    copy = ArticleStore(tmp_path / "copy.sqlite3")
    try:
        assert copy.get(own.id) == own and copy.count("shared") == 1
    finally:
        copy.close()


def test_check_reports_a_healthy_a_stale_and_a_damaged_data_directory(tmp_path):
    config_path = write_config(tmp_path)
    from bot.config import load_config

    Library.open(load_config(config_path)).close()
    status, out = _cli(config_path, "check")
    assert status == 0 and "store: ok, 1 articles (1 shared, 0 in 0 chats)" in out
    assert "index: ok" in out and "data directory: writable" in out
    store = ArticleStore(tmp_path / "data" / STORE_FILE)  # written behind the index's back
    store.put(parse_text(OWN_ARTICLE), SCOPE)
    store.close()
    status, out = _cli(config_path, "check")
    assert status == 0 and "1 in 1 chats" in out and "index: stale" in out
    path = tmp_path / "data" / STORE_FILE
    path.write_bytes(b"garbage" * 1000)
    status, out = _cli(config_path, "check")
    assert status == 1 and "DAMAGED" in out
    assert path.read_bytes() == b"garbage" * 1000


def test_a_missing_corpus_path_does_not_empty_the_shared_corpus(tmp_path, caplog):
    config_path = write_config(tmp_path)
    from bot.config import load_config

    config = load_config(config_path)
    Library.open(config).close()
    moved = tmp_path / "corpus-unmounted"
    (tmp_path / "corpus").rename(moved)  # the volume is not mounted at this start
    with caplog.at_level(logging.WARNING, logger="bot.library"):
        with Library.open(config) as library:
            assert SHARED_ANSWER in quotes(library.ask(QUESTION))[0]
    assert any("missing: keeping 1 shared articles" in line for line in messages(caplog))
    moved.rename(tmp_path / "corpus")
    (tmp_path / "corpus" / SAMPLE.name).unlink()  # back, and the file really was removed
    with Library.open(config) as library:
        assert library.count_articles("shared") == 0
