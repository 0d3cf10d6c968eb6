"""Time of a whole answer (segmentation, search, choice of quotes, excerpts) at 100k paragraphs.

    .venv/bin/python bench/bench_answer.py [--paragraphs 100000] [--questions 300] [--work DIR]

Builds (once, cached in --work) a corpus of real news articles replicated with small changes
(bench/make_corpus.py), opens a Library on it, and times ``Library.ask`` on real questions
(bench/load_test.py's mix: hand-written, CMRC trial, cloze questions from the news). As the
reference in the same process it also times the answerer asking the index for every hit at
once (the answerer's behaviour before it learnt to ask for small pages) and the bare index
search (segmentation + top 5), and prints medians, p95 and ratios. Exits 0 with a message
when ../shared is missing.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

from bot.answers import answerer as answer_module  # noqa: E402
from bot.config import parse_config  # noqa: E402
from bot.library import Library  # noqa: E402


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def timed(fn, questions: list[str]) -> list[float]:
    out = []
    for question in questions:
        start = time.perf_counter()
        fn(question)
        out.append((time.perf_counter() - start) * 1000)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--paragraphs", type=int, default=100_000)
    parser.add_argument("--questions", type=int, default=300)
    parser.add_argument("--work", type=Path, default=Path("/tmp/bench_answer"))
    args = parser.parse_args(argv)

    import make_corpus
    from load_test import real_questions

    if not make_corpus.NEWS.exists():
        print(f"{make_corpus.NEWS} not found: benchmark skipped")
        return 0
    args.work.mkdir(parents=True, exist_ok=True)
    corpus = args.work / f"corpus-{args.paragraphs}.jsonl"
    if not corpus.exists():
        make_corpus.main([str(corpus), "--paragraphs", str(args.paragraphs)])
    config = parse_config(
        f"corpus: {{paths: ['{corpus}']}}\ndata_dir: data-{args.paragraphs}\n", base_dir=args.work
    )
    start = time.perf_counter()
    library = Library.open(config)
    print(
        f"Library.open: {time.perf_counter() - start:.2f} s, {len(library.index)} paragraphs indexed"
    )
    questions = real_questions(args.questions)
    seg, index = library.segmenter, library.index
    library.ask(questions[0])  # warm caches once

    search_ms = timed(lambda q: index.search(seg.query_tokens(q), 5), questions)
    paged_ms = timed(library.ask, questions)
    first_page = answer_module.FIRST_PAGE
    answer_module.FIRST_PAGE = answer_module.MAX_HITS
    try:
        all_hits_ms = timed(library.ask, questions)
    finally:
        answer_module.FIRST_PAGE = first_page

    print(
        f"{len(questions)} questions, top {config.retrieval.top_k}, per article "
        f"{config.answers.max_per_article}"
    )
    rows = [
        ("segment + index search, top 5", search_ms),
        ("Library.ask (pages of hits)", paged_ms),
        ("Library.ask (all hits at once, reference)", all_hits_ms),
    ]
    for name, values in rows:
        print(
            f"  {name:44s} median {statistics.median(values):7.2f} ms   p95 {pct(values, 0.95):7.2f} ms"
        )
    print(
        f"  ratio all-hits / pages: median {statistics.median(all_hits_ms) / statistics.median(paged_ms):.1f}x, "
        f"p95 {pct(all_hits_ms, 0.95) / pct(paged_ms, 0.95):.1f}x"
    )
    library.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
