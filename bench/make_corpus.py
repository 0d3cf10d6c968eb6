"""Build a large JSONL corpus for the load test from the real news articles.

    .venv/bin/python bench/make_corpus.py OUT.jsonl [--paragraphs 100000] [--seed 7]

Source: ../shared/data/news_articles.jsonl (1,261 real articles, ~13,900 body paragraphs).
Copy 0 is the articles as they are; every further copy k gets a new id (``<id>-c<k>``) and
small changes, so the copies are not identical documents: within each paragraph the
sentences are shuffled, and every number in the text is nudged (kept the same length where
possible, so dates stay plausible-looking). Title, source, reporters, date and url are kept,
which keeps the credits real. Articles are appended until the bot's own parser
(``bot.parsing.parse_text``) counts at least ``--paragraphs`` body paragraphs; the count is
printed. Exits 0 with a message when the data is missing.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

NEWS = ROOT.parent / "shared" / "data" / "news_articles.jsonl"
_SENTENCE_END = re.compile(r"(?<=[。！？；])")
_NUMBER = re.compile(r"\d+")


def vary_text(text: str, rng: random.Random) -> str:
    """Sentences shuffled within each paragraph; numbers nudged."""
    out = []
    for paragraph in text.split("\n"):
        sentences = [s for s in _SENTENCE_END.split(paragraph) if s]
        if len(sentences) > 1:
            rng.shuffle(sentences)
        paragraph = "".join(sentences)
        paragraph = _NUMBER.sub(lambda m: _nudge(m.group(0), rng), paragraph)
        out.append(paragraph)
    return "\n".join(out)


def _nudge(number: str, rng: random.Random) -> str:
    if rng.random() < 0.5:
        return number
    value = int(number) + rng.choice((-2, -1, 1, 2, 3))
    value = max(value, 0)
    text = str(value)
    return text.zfill(len(number)) if len(text) <= len(number) else text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--paragraphs", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--source", type=Path, default=NEWS)
    args = parser.parse_args(argv)
    if not args.source.exists():
        print(f"make_corpus: {args.source} is missing; nothing built")
        return 0
    from bot.ingest.parsing import parse_text

    records = [json.loads(line) for line in args.source.open(encoding="utf-8") if line.strip()]
    rng = random.Random(args.seed)
    started = time.monotonic()
    total = articles = 0
    copy = 0
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8") as out:
        while total < args.paragraphs:
            for record in records:
                if total >= args.paragraphs:
                    break
                item = dict(record)
                if copy:
                    item["id"] = f"{record['id']}-c{copy}"
                    item["text"] = vary_text(record["text"], rng)
                meta = {k: v for k, v in item.items() if k not in ("text", "date_iso")}
                try:
                    body = len(parse_text(item["text"], metadata=meta).body)
                except Exception:  # a record the parser refuses is left out
                    continue
                if not body:
                    continue
                out.write(json.dumps(item, ensure_ascii=False) + "\n")
                total += body
                articles += 1
            copy += 1
    print(
        f"make_corpus: {articles} articles, {total} body paragraphs ({copy} copies of "
        f"{len(records)} articles) -> {args.out} in {time.monotonic() - started:.1f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
