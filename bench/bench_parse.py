"""Parse every article of the shared news dataset: robustness, coverage and speed.

    .venv/bin/python bench/bench_parse.py [--runs N] [--data PATH]

First, hostile uploads that used to be quadratic or exponential are timed against 1 MB of
ordinary text. Then every record goes through ``parse_bytes`` as a one-line JSONL file would (the path a user's
upload takes), so the figures include JSON decoding. Exits 0 with a message when the dataset
is not there (a machine without ../shared), 1 when any article fails to parse.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

from bot.errors import ArticleError  # noqa: E402
from bot.ingest.parsing import parse_bytes  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "data" / "news_articles.jsonl"


MB = 1_000_000
SAMPLE = ROOT / "corpus" / "cqcb-2020-04-12-chuanyu-innovation.txt"
# Inputs that were quadratic (or exponential) before: one small upload could stall the bot.
ADVERSARIAL = {
    "1 MB of '两江新区，' lines (line joining)": (
        "broken.txt",
        lambda: ("两江新区，\n" * (MB // 16)).encode(),
    ),
    "1 MB page of <script> tails (chrome removal)": (
        "page.html",
        lambda: (
            "<html><body><div><p>开头</p>"
            + "<script></script>两江新区建设。" * (MB // 40)
            + "</div></body></html>"
        ).encode(),
    ),
    "YAML alias bomb, 12 levels (front matter)": (
        "bomb.md",
        lambda: (
            "\n".join(
                ["---", "a0: &a0 [x, x, x, x, x, x, x, x, x]"]
                + [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 12)]
            )
            + "\n---\n正文内容，两江新区和天府新区将共同建设西部科技创新中心。"
        ).encode(),
    ),
}


def time_parse(data: bytes, name: str, runs: int = 3) -> float:
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        try:
            parse_bytes(data, name=name)
        except ArticleError:
            pass
        timings.append(time.perf_counter() - start)
    return statistics.median(timings)


def adversarial() -> None:
    """Seconds for each hostile input, and its ratio to 1 MB of ordinary article text."""
    reference = (SAMPLE.read_bytes() * (MB // SAMPLE.stat().st_size + 1))[:MB]
    reference = reference[: reference.rfind(b"\n")]
    base = time_parse(reference, "ordinary.txt")
    print(f"adversarial inputs (median of 3; reference: 1 MB of the sample article, {base:.2f} s):")
    for label, (name, make) in ADVERSARIAL.items():
        seconds = time_parse(make(), name)
        print(f"  {label:48s} {seconds:6.2f} s  ({seconds / base:.2f}x the reference)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    adversarial()
    data_path = args.data
    if not data_path.exists():
        fallback = Path("/work/shared/data/news_articles.jsonl")
        data_path = fallback if fallback.exists() and args.data == DEFAULT_DATA else data_path
    if not data_path.exists():
        print(f"bench_parse: dataset not found at {args.data} — nothing to measure (skipped).")
        return 0

    lines = [line for line in data_path.read_bytes().splitlines() if line.strip()]
    records = [json.loads(line) for line in lines]
    total_bytes = sum(len(line) for line in lines)

    articles, failures = [], []
    for number, line in enumerate(lines, 1):
        try:
            articles.extend(parse_bytes(line, name=f"record-{number}.jsonl"))
        except ArticleError as exc:
            failures.append(f"{records[number - 1].get('id')}: {exc}")
        except Exception as exc:  # noqa: BLE001 — a crash is exactly what we are counting
            failures.append(f"{records[number - 1].get('id')}: CRASH {exc!r}")

    timings = []
    for _ in range(args.runs):
        start = time.perf_counter()
        for number, line in enumerate(lines, 1):
            try:
                parse_bytes(line, name=f"record-{number}.jsonl")
            except ArticleError:
                pass
        timings.append(time.perf_counter() - start)
    median = statistics.median(timings)

    with_dataset_date = sum(1 for r in records if r.get("date"))
    with_dataset_source = sum(1 for r in records if r.get("source"))
    with_dataset_reporters = sum(1 for r in records if r.get("reporters"))
    print(f"dataset: {data_path} ({len(records)} records, {total_bytes / 1e6:.2f} MB)")
    print(f"articles parsed:   {len(articles)} / {len(records)}  (failures: {len(failures)})")
    print(
        f"with reporters:    {sum(1 for a in articles if a.reporters)}"
        f"  (dataset gave {with_dataset_reporters})"
    )
    print(f"with contributors: {sum(1 for a in articles if a.contributors)}")
    print(f"with editors:      {sum(1 for a in articles if a.editors)}")
    print(f"with photographers:{sum(1 for a in articles if a.photographers):>5}")
    print(
        f"with source:       {sum(1 for a in articles if a.source)}"
        f"  (dataset gave {with_dataset_source})"
    )
    print(
        f"with date:         {sum(1 for a in articles if a.date)}"
        f"  (dataset had {with_dataset_date} dates)"
    )
    print(
        f"paragraphs:        {sum(len(a.body) for a in articles)} body, "
        f"{sum(len(a.paragraphs) - len(a.body) for a in articles)} headings"
    )
    print(
        f"speed (median of {args.runs} runs): {len(lines) / median:.0f} articles/s, "
        f"{total_bytes / 1e6 / median:.2f} MB/s  (runs: "
        + ", ".join(f"{t:.2f}s" for t in timings)
        + ")"
    )
    for failure in failures[:20]:
        print("FAILED", failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
