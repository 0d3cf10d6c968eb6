"""Index speed and size: build (segmentation included), save, load, query latency, memory.

    .venv/bin/python bench/bench_index.py                     # 100k and 1M paragraphs
    .venv/bin/python bench/bench_index.py --sizes 100000      # one size
    .venv/bin/python bench/bench_index.py --reference-queries 0   # skip BM25Okapi

Corpus: the paragraphs of ../shared/data/news_articles.jsonl, replicated "with small changes"
until the wanted size (see bench/README.md: each copy shuffles the sentences of a paragraph
and swaps two neighbouring characters, so copies are not identical documents). Queries: real
CMRC 2018 questions and sentences drawn from the corpus. The reference run (at sizes <= 100k)
is rank_bm25.BM25Okapi.get_scores + sort on the same query tokens, in the same process;
its top-5 scores are compared with the index's.

Times are wall clock and, beside them, CPU time (process/thread time): the machine is shared,
and CPU time is what a query costs when it does not wait for a core.

Load time and memory are measured in a fresh subprocess that only loads the saved index and
answers the queries (what the bot does at start-up). Exits 0 with a message when the data is
missing.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

DATA = ROOT.parent / "shared" / "data"
NEWS = DATA / "news_articles.jsonl"
CMRC = DATA / "cmrc2018_trial.json"
_SENTENCE_END = re.compile(r"(?<=[。！？；])")
_CJK = re.compile(r"[\u4e00-\u9fff]")


def base_paragraphs() -> list[tuple[str, str]]:
    """(article id, paragraph text) of the news corpus, in order."""
    out = []
    with NEWS.open(encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            for paragraph in record["text"].split("\n"):
                if paragraph.strip():
                    out.append((str(record["id"]), paragraph.strip()))
    return out


def vary(text: str, rng: random.Random) -> str:
    """A copy with small changes: sentences shuffled, two neighbouring CJK characters swapped."""
    sentences = [s for s in _SENTENCE_END.split(text) if s]
    rng.shuffle(sentences)
    chars = list("".join(sentences))
    cjk = [i for i in range(len(chars) - 1) if _CJK.match(chars[i]) and _CJK.match(chars[i + 1])]
    if cjk:
        i = rng.choice(cjk)
        chars[i], chars[i + 1] = chars[i + 1], chars[i]
    return "".join(chars)


class Corpus:
    """``size`` paragraphs: the base ones, then varied copies. Held as one UTF-8 blob with
    offsets (a tenth of the memory of a million str objects), generated before timing."""

    def __init__(self, size: int, base: list[tuple[str, str]]):
        rng = random.Random(20260101)
        parts: list[bytes] = []
        offsets = [0]
        for n in range(size):
            copy, i = divmod(n, len(base))
            text = base[i][1]
            data = (vary(text, rng) if copy else text).encode("utf-8")
            parts.append(data)
            offsets.append(offsets[-1] + len(data))
        self.blob = b"".join(parts)
        self.offsets = offsets
        self.base = base
        self.size = size

    @property
    def megabytes(self) -> float:
        return len(self.blob) / 1e6

    def __iter__(self):
        """(doc id, group, text) of every paragraph."""
        blob, offsets, base, n_base = self.blob, self.offsets, self.base, len(self.base)
        for n in range(self.size):
            copy, i = divmod(n, n_base)
            article = base[i][0]
            yield (
                f"{article}~{copy}#{i}",
                f"{article}~{copy}",
                blob[offsets[n] : offsets[n + 1]].decode("utf-8"),
            )


def queries(base: list[tuple[str, str]], count: int) -> list[tuple[str, str]]:
    """(kind, text): half CMRC questions, half sentences drawn from the corpus."""
    rng = random.Random(7)
    out: list[tuple[str, str]] = []
    if CMRC.exists():
        data = json.loads(CMRC.read_text(encoding="utf-8"))["data"]
        questions = [qa["question"] for a in data for p in a["paragraphs"] for qa in p["qas"]]
        out += [("cmrc", q) for q in rng.sample(questions, min(count // 2, len(questions)))]
    while len(out) < count:
        _, text = rng.choice(base)
        sentences = [s for s in _SENTENCE_END.split(text) if 8 <= len(s) <= 40]
        if sentences:
            out.append(("sentence", rng.choice(sentences)))
    return out


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def peak_rss_mb() -> float:
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss over exec from the parent
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def serve(directory: str, query_file: str) -> None:
    """Subprocess: load the index, answer the queries; print one JSON line of figures."""
    from bot.search.bm25 import load_index
    from bot.search.segment import Segmenter

    segmenter = Segmenter()
    texts = json.loads(Path(query_file).read_text(encoding="utf-8"))
    segmenter.query_tokens("预热")  # the first call loads nothing, but keep the timing honest
    rss_before = rss_mb()
    loads = []
    for _ in range(3):
        started = time.perf_counter()
        index = load_index(Path(directory))
        loads.append(time.perf_counter() - started)
        if _ < 2:
            del index
    rss_loaded = rss_mb()
    for text in texts[:20]:  # warm-up: first searches allocate the scratch arrays
        index.search(segmenter.query_tokens(text), 5)
    times, cpu_times = [], []
    for text in texts:
        started, cpu_started = time.perf_counter(), time.thread_time()
        index.search(segmenter.query_tokens(text), 5)
        times.append((time.perf_counter() - started) * 1000)
        cpu_times.append((time.thread_time() - cpu_started) * 1000)
    print(
        json.dumps(
            {
                "load_s": loads,
                "rss_before_mb": rss_before,
                "rss_loaded_mb": rss_loaded,
                "rss_after_queries_mb": rss_mb(),
                "peak_rss_mb": peak_rss_mb(),
                "median_ms": statistics.median(times),
                "p95_ms": percentile(times, 95),
                "max_ms": max(times),
                "cpu_median_ms": statistics.median(cpu_times),
                "cpu_p95_ms": percentile(cpu_times, 95),
                "docs": len(index),
            }
        )
    )


def bench_size(size: int, base, query_list, reference_queries: int, workdir: Path) -> None:
    from bot.search.base import IndexDoc
    from bot.search.bm25 import build_index
    from bot.search.segment import Segmenter

    print(f"\n== {size:,} paragraphs")
    docs = Corpus(size, base)
    megabytes = docs.megabytes
    segmenter = Segmenter()
    started, cpu_started = time.perf_counter(), time.process_time()
    index = build_index(
        IndexDoc(doc_id, segmenter.tokens(text), "shared", group) for doc_id, group, text in docs
    )
    build_s, build_cpu_s = time.perf_counter() - started, time.process_time() - cpu_started
    print(
        f"build (segmentation + indexing, one process): {build_s:.1f} s for {megabytes:.1f} MB of text = "
        f"{megabytes / build_s:.2f} MB/s wall, {megabytes / build_cpu_s:.2f} MB/s of CPU time "
        f"(target >= 3)  [{index.n_postings:,} postings, {index.vocabulary_size:,} terms]"
    )
    directory = workdir / f"index-{size}"
    started = time.perf_counter()
    index.save(directory, meta={"bench": size})
    disk = sum(p.stat().st_size for p in directory.iterdir()) / 1e6
    print(
        f"save: {time.perf_counter() - started:.2f} s, {disk:.0f} MB on disk; "
        f"build process peak RSS {peak_rss_mb():.0f} MB"
    )

    texts = [text for _, text in query_list]
    token_lists = [segmenter.query_tokens(t) for t in texts]
    for text in texts[:20]:
        index.search(segmenter.query_tokens(text), 5)
    with_segmentation, retrieval_only = [], []
    for text, tokens in zip(texts, token_lists, strict=False):
        started = time.perf_counter()
        index.search(segmenter.query_tokens(text), 5)
        with_segmentation.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        index.search(tokens, 5)
        retrieval_only.append((time.perf_counter() - started) * 1000)
    print(
        f"query, top 5, {len(texts)} queries (in the building process): segmentation + retrieval "
        f"median {statistics.median(with_segmentation):.2f} ms, p95 {percentile(with_segmentation, 95):.2f} ms; "
        f"retrieval only median {statistics.median(retrieval_only):.2f} ms"
    )
    for kind in sorted({k for k, _ in query_list}):
        chosen = [t for (k, _), t in zip(query_list, with_segmentation, strict=False) if k == kind]
        print(
            f"   {kind:8s} queries: median {statistics.median(chosen):.2f} ms, p95 {percentile(chosen, 95):.2f} ms"
        )

    if reference_queries and size <= 100_000:
        compare_with_reference(index, docs, segmenter, token_lists[:reference_queries])
    del index, docs

    query_file = workdir / "queries.json"
    query_file.write_text(json.dumps(texts, ensure_ascii=False), encoding="utf-8")
    result = subprocess.run(
        [sys.executable, __file__, "--serve", str(directory), str(query_file)],
        capture_output=True,
        text=True,
        check=True,
    )
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    loads = figures["load_s"]
    print(
        f"fresh process: load {loads[0]:.3f} s first, {statistics.median(loads):.3f} s median of 3 "
        f"(target <= 1 s); RSS {figures['rss_before_mb']:.0f} MB before load, "
        f"{figures['rss_loaded_mb']:.0f} MB loaded, {figures['rss_after_queries_mb']:.0f} MB after queries, "
        f"peak {figures['peak_rss_mb']:.0f} MB (target <= 1500)"
    )
    print(
        f"fresh process: query (segmentation + retrieval, top 5) median {figures['median_ms']:.2f} ms, "
        f"p95 {figures['p95_ms']:.2f} ms, max {figures['max_ms']:.1f} ms wall; CPU time median "
        f"{figures['cpu_median_ms']:.2f} ms, p95 {figures['cpu_p95_ms']:.2f} ms "
        f"(targets at 1M: <= 5 / <= 15)"
    )
    shutil.rmtree(directory, ignore_errors=True)


def compare_with_reference(index, docs, segmenter, token_lists) -> None:
    import numpy as np
    from rank_bm25 import BM25Okapi

    started = time.perf_counter()
    reference = BM25Okapi([segmenter.tokens(text) for _, _, text in docs])
    print(
        f"reference BM25Okapi built in {time.perf_counter() - started:.1f} s (segmentation included)"
    )
    ids = [doc_id for doc_id, _, _ in docs]
    ours, theirs = [], []
    worst = 0.0
    for tokens in token_lists:
        started = time.perf_counter()
        scores = reference.get_scores(tokens)
        order = np.argsort(-scores, kind="stable")[:5]
        theirs.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        hits = index.search(tokens, 5)
        ours.append((time.perf_counter() - started) * 1000)
        expected = [scores[i] for i in order if scores[i] != 0]
        worst = max([worst] + [abs(h.score - e) for h, e in zip(hits, expected, strict=False)])
        assert [ids[i] for i in order[: len(hits)]] == [h.doc_id for h in hits] or np.allclose(
            [h.score for h in hits], expected[: len(hits)], atol=1e-6
        )
    ratio = statistics.median(theirs) / statistics.median(ours)
    print(
        f"side by side, same {len(token_lists)} query token lists, top 5: BM25Okapi.get_scores + sort "
        f"median {statistics.median(theirs):.1f} ms vs index {statistics.median(ours):.3f} ms = "
        f"{ratio:.0f}x faster (target >= 200x); largest top-5 score difference {worst:.2e}"
    )


def main() -> int:
    if len(sys.argv) == 4 and sys.argv[1] == "--serve":
        serve(sys.argv[2], sys.argv[3])
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--queries", type=int, default=400)
    parser.add_argument(
        "--reference-queries",
        type=int,
        default=60,
        help="queries also run through BM25Okapi (sizes <= 100k only)",
    )
    args = parser.parse_args()
    if not NEWS.exists():
        print(f"bench_index: {NEWS} not found; nothing measured.")
        return 0
    base = base_paragraphs()
    query_list = queries(base, args.queries)
    print(
        f"base corpus: {len(base):,} paragraphs; {len(query_list)} queries "
        f"({sum(k == 'cmrc' for k, _ in query_list)} CMRC questions, the rest corpus sentences)"
    )
    with tempfile.TemporaryDirectory(prefix="bench-index-") as tmp:
        for size in args.sizes:
            bench_size(size, base, query_list, args.reference_queries, Path(tmp))
    return 0


if __name__ == "__main__":
    sys.exit(main())
