"""Polling cost: 100 feeds × 50 items against a local HTTP server (127.0.0.1 only).

    .venv/bin/python bench/bench_feeds.py [--feeds 100] [--items 50] [--pages]

The server is a separate process (``http.server`` over generated files, so its CPU is not
counted; it answers If-Modified-Since with 304). Phases, each in this process:

1. follow: every feed followed (fetch, parse, backfill: 50 articles stored and indexed each);
2. poll, unchanged: every feed polled again (conditional GET → 304);
3. poll, 10 new items per feed (files rewritten): fetch, parse, dedup, store 10 each.

With ``--pages`` the items carry only a summary, so each new item's page is fetched too.
Reports wall and CPU time (process_time: every thread of this process) and the peak RSS
(VmHWM) after each phase, plus RSS before any feed.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

from feedgen import Item, rss, story  # noqa: E402

from bot.config import parse_config  # noqa: E402
from bot.feeds import FeedPoller  # noqa: E402
from bot.library import Library  # noqa: E402

FULL_TEXT_TAIL = (
    "记者在现场看到，工作人员正在对相关设施进行最后的调试，"
    "多位市民表示期待项目早日投用，相关部门表示将加强后续管理，确保各项措施落到实处。"
    "另据介绍，项目建成后将提供数百个就业岗位，并带动周边商业和服务业发展。"
)


def memory_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def write_feeds(
    folder: Path, feeds: int, items: int, *, start: int, pages: bool, base: str
) -> None:
    mtime = time.time() + start  # later content, later Last-Modified
    for f in range(feeds):
        numbers = range(start + items - 1, start - 1, -1)
        entries = []
        for n in numbers:
            uid = f * 100_000 + n
            link = f"{base}/pages/{uid}.html"
            # a full text: longer than feeds.summary_chars, so no page is fetched
            full_text = story(uid) + f"<p>{FULL_TEXT_TAIL}第{uid}号报道完。</p>"
            entries.append(
                Item(
                    guid=f"f{f}-{n}",
                    title=f"第{uid}号新闻",
                    link=link,
                    text="摘要" if pages else full_text,
                    author="记者甲",
                    full=not pages,
                )
            )
            if pages:
                page = folder / "pages" / f"{uid}.html"
                page.write_text(
                    f"<html><head><title>第{uid}号新闻</title></head><body>"
                    f"<div class='article'>{story(uid)}</div></body></html>",
                    encoding="utf-8",
                )
        path = folder / f"feed{f}.xml"
        path.write_bytes(rss(entries, title=f"示范报{f}"))
        os.utime(path, (mtime, mtime))


def phase(name: str, action, rows: list[str]) -> object:  # type: ignore[no-untyped-def]
    wall, cpu = time.perf_counter(), time.process_time()
    result = action()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    rows.append(
        f"{name:<28} wall {wall:7.2f} s   cpu {cpu:7.2f} s   "
        f"peak RSS {memory_kb('VmHWM') / 1024:6.0f} MB"
    )
    print(rows[-1], flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=100)
    parser.add_argument("--items", type=int, default=50)
    parser.add_argument("--pages", action="store_true", help="summary-only items: fetch pages")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "www"
        (folder / "pages").mkdir(parents=True)
        server = subprocess.Popen(
            [sys.executable, "-m", "http.server", "0", "--bind", "127.0.0.1", "-d", str(folder)],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        try:
            line = server.stdout.readline() if server.stdout else ""
            port = int(line.split("port ")[1].split()[0])
            base = f"http://127.0.0.1:{port}"
            write_feeds(folder, args.feeds, args.items, start=1, pages=args.pages, base=base)
            config = parse_config(
                "corpus: {paths: []}\ndata_dir: data\nfetch: {allow_hosts: [127.0.0.1]}\n",
                base_dir=Path(tmp),
            )
            rows: list[str] = [
                f"{args.feeds} feeds x {args.items} items"
                f"{' (summaries: pages fetched)' if args.pages else ''}; "
                f"RSS before: {memory_kb('VmRSS') / 1024:.0f} MB"
            ]
            print(rows[0], flush=True)
            with Library.open(config) as library, FeedPoller(library) as poller:
                library.eager_save_limit = 0  # the index is written once, by flush()
                pages_fetched = [0]
                get = poller._get

                def counting_get(url, accept, *args):  # type: ignore[no-untyped-def]
                    pages_fetched[0] += accept == "page"
                    return get(url, accept, *args)

                poller._get = counting_get  # type: ignore[method-assign]

                def follow_all() -> int:
                    return sum(
                        len(poller.follow(f"{base}/feed{f}.xml", "shared").added)
                        for f in range(args.feeds)
                    )

                added = phase("1 follow + backfill", follow_all, rows)
                phase("1b index flush", library.flush, rows)
                results = phase(
                    "2 poll, unchanged (304)", lambda: poller.poll_due(force=True), rows
                )
                assert all(r.not_modified for r in results), "expected 304s"
                write_feeds(folder, args.feeds, args.items, start=11, pages=args.pages, base=base)
                results = phase(
                    "3 poll, 10 new per feed", lambda: poller.poll_due(force=True), rows
                )
                new = sum(len(r.added) for r in results)
                print(
                    f"articles: {added} backfilled, {new} new; "
                    f"{library.count_articles('shared')} stored; {pages_fetched[0]} pages "
                    "fetched"
                )
        finally:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    main()
