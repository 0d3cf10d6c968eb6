"""Main-content extraction on the dev HTML pages: this parser against trafilatura and
readability-lxml (measured when they are installed; neither is a dependency).

    .venv/bin/python bench/compare_extractors.py

The dev set labels attribution, not bodies, so the body is judged by proxies read from each
page's visible text (``pages/*.txt``), from the labelled headline down:
* lead kept: the first sentence line under the headline is in the extracted text (its
  characters 12–40, so a dateline cut from its start does not count against it);
* body kept: the share of the sentence lines of the 40 lines under the headline that are
  kept (related lists and comments further down are not counted);
* junk lines: extracted lines that are page chrome by this parser's own junk test or that
  open like chrome (相关/推荐/责任编辑/来源：/分享/登录/评论 …);
* empty: pages where nothing was extracted.
Exits 0 with one line when ../shared is missing.
"""

from __future__ import annotations

import json
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEV = ROOT.parent / "shared" / "data" / "attribution_dev"

from bot.errors import ArticleError  # noqa: E402
from bot.ingest.cleaning import is_page_junk, normalize_chars  # noqa: E402
from bot.ingest.parsing import parse_bytes  # noqa: E402

SENTENCE = re.compile(r"[，。！？；]")
# Lines of page chrome that is_page_junk does not know: lists, prompts, sharing, accounts.
CHROME = re.compile(
    r"^(?:相关|推荐|热门|猜你|更多|上一篇|下一篇|责任编辑|编辑[：:]|来源[：:]|"
    r"扫[一描]|关注|点击|下载|登录|注册|分享|举报|评论|回复|阅读\s*\d|\d+\s*(?:条评论|人参与))"
)


def squash(text: str) -> str:
    return re.sub(r"\s+", "", normalize_chars(text))


def ours(html: bytes, name: str) -> str:
    try:
        [article] = parse_bytes(html, name=name)
    except ArticleError:
        return ""
    return "\n".join(p.text for p in article.paragraphs)  # headings too, as the others


def with_trafilatura(html: bytes, name: str) -> str:
    import trafilatura

    return trafilatura.extract(html.decode("utf-8", "replace"), include_comments=False) or ""


def with_readability(html: bytes, name: str) -> str:
    import lxml.html
    from readability import Document

    summary = Document(html.decode("utf-8", "replace")).summary()
    root = lxml.html.fromstring(summary)
    for br in root.iter("br"):
        br.tail = "\n" + (br.tail or "")
    lines = []
    for el in root.iter("p", "div", "li", "h1", "h2", "h3", "td"):
        if len(el) == 0 or el.tag == "p":
            lines.append(el.text_content())
    return "\n".join(line.strip() for line in lines if line.strip())


def reference(item: dict) -> list[str]:
    """Sentence lines of the 40 lines under the labelled headline in the page's text."""
    lines = [
        line.strip()
        for line in (DEV / item["files"][1]).read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    title = squash(item["title"]).rstrip(".…")[:12]
    start = next((i for i, line in enumerate(lines) if title and title in squash(line)), 0)
    return [
        line
        for line in lines[start + 1 : start + 41]
        if len(line) >= 20 and SENTENCE.search(line) and not is_page_junk(line)
    ]


def main() -> int:
    if not DEV.exists():
        print(f"attribution dev set not found ({DEV}): nothing to measure")
        return 0
    items = [json.loads(line) for line in (DEV / "labels.jsonl").read_text("utf-8").splitlines()]
    items = [item for item in items if item["kind"] == "html_page"]
    extractors = {
        "bot (bot/ingest/webpage.py)": ours,
        "trafilatura": with_trafilatura,
        "readability-lxml": with_readability,
    }
    print(f"{len(items)} pages | lead kept | body kept | junk lines | empty | seconds")
    for label, extract in extractors.items():
        leads = kept = total = junk = empty = 0
        started = time.perf_counter()
        try:
            outputs = [
                extract((DEV / item["files"][0]).read_bytes(), item["files"][0]) for item in items
            ]
        except ImportError:
            print(f"{label}: not installed")
            continue
        seconds = time.perf_counter() - started
        for item, text in zip(items, outputs, strict=True):
            flat = squash(text)
            if not flat:
                empty += 1
            wanted = reference(item)
            # the middle of each line: a dateline or credit cut from its start still counts
            hits = [squash(line)[12:40] in flat for line in wanted]
            leads += bool(hits and hits[0])
            kept += sum(hits)
            total += len(wanted)
            junk += sum(
                1
                for line in text.splitlines()
                if line.strip() and (is_page_junk(line.strip()) or CHROME.search(line))
            )
        print(
            f"{label:28s} | {leads}/{len(items)} | {kept / max(total, 1):.1%} | {junk} | "
            f"{empty} | {seconds:.1f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
