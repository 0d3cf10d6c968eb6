"""Retrieval quality on the three QA sets, news and Wikipedia together: recall@1/3/5 and
MRR@10 of every segmenter variant (the bot's re-ranking included), beside a reference run
(plain jieba.lcut_for_search + rank_bm25.BM25Okapi + the same stopwords) in the same process.

    .venv/bin/python bench/bench_quality.py [--quick]

Data: ../shared/data/antiterror_train.json (news, contexts cut into ~200-character passages
at sentence ends), cmrc2018_trial.json and DRCD_dev.json (the DRCD contexts are converted to
simplified before indexing; its questions stay traditional). Exits 0 with a message when the
data is missing. The reference row is printed for the sets of whole contexts only.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

from bot.evaluation import evaluate_squad  # noqa: E402
from bot.search.segment import Segmenter, load_stopwords  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
SETS = [  # (label, file, convert contexts to simplified, chunk, target recall@1)
    ("antiterror train, ~200-character passages", "antiterror_train.json", False, 200, 0.72),
    ("CMRC trial", "cmrc2018_trial.json", False, None, 0.975),
    ("DRCD dev (contexts t2s, questions traditional)", "DRCD_dev.json", True, None, 0.93),
]
VARIANTS = {
    # name: Segmenter keyword arguments
    "default: cut words + bigrams (+ title)": {},
    "words only, no bigrams": {"bigrams": False},
    "search mode + bigrams": {"search_mode": True},
    "previous default: search mode, char tokens, no bigrams": {
        "search_mode": True,
        "char_tokens": True,
        "bigrams": False,
    },
    "default, jieba.Tokenizer engine instead of rjieba": {"engine": "jieba"},
}


def reference_recall_at_1(path: Path, convert: bool) -> tuple[float, float]:
    """Plain jieba.lcut_for_search (HMM on, no normalisation) + BM25Okapi + our stopwords."""
    import jieba
    import numpy as np
    import opencc
    from rank_bm25 import BM25Okapi

    jieba.setLogLevel(60)
    stopwords = load_stopwords()
    t2s = opencc.OpenCC("t2s.json")

    def tokens(text: str) -> list[str]:
        return [
            w
            for w in jieba.lcut_for_search(text)
            if w.strip() and w not in stopwords and any(c.isalnum() for c in w)
        ]

    data = json.loads(path.read_text(encoding="utf-8"))["data"]
    paragraphs = [p for article in data for p in article["paragraphs"]]
    corpus = [tokens(t2s.convert(p["context"]) if convert else p["context"]) for p in paragraphs]
    bm25 = BM25Okapi(corpus)
    hits = total = 0
    times = []
    for number, paragraph in enumerate(paragraphs):
        for qa in paragraph["qas"]:
            started = time.perf_counter()
            scores = bm25.get_scores(tokens(qa["question"]))
            best = int(np.argmax(scores))
            times.append((time.perf_counter() - started) * 1000)
            hits += best == number
            total += 1
    return hits / total, statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="default variant and reference only")
    args = parser.parse_args()
    missing = [name for _, name, _, _, _ in SETS if not (DATA / name).exists()]
    if missing:
        print(f"bench_quality: data not found in {DATA} ({', '.join(missing)}); nothing measured.")
        return 0
    variants = dict(list(VARIANTS.items())[:1]) if args.quick else VARIANTS
    for label, name, convert, chunk, target in SETS:
        path = DATA / name
        print(f"\n== {label}: {name}  (target recall@1 >= {target})")
        ref_r1 = float("nan")
        if chunk is None:  # the reference pools whole contexts only
            ref_r1, ref_ms = reference_recall_at_1(path, convert)
            print(
                f"   reference (jieba.lcut_for_search HMM on + BM25Okapi + stopwords): "
                f"recall@1 {ref_r1:.4f}, median query {ref_ms:.2f} ms"
            )
        for variant, kwargs in variants.items():
            segmenter = Segmenter(**kwargs)
            report = evaluate_squad(
                [path], segmenter=segmenter, chunk=chunk, convert_contexts_to_simplified=convert
            )
            r = report.recall
            verdict = "meets target" if r[1] >= target else "BELOW target"
            print(
                f"   {variant:55s} r@1 {r[1]:.4f}  r@3 {r[3]:.4f}  r@5 {r[5]:.4f}  "
                f"mrr@10 {report.mrr_at_10:.4f}  median {report.median_query_ms:.2f} ms "
                f"({r[1] - ref_r1:+.4f} vs reference; {verdict})"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
