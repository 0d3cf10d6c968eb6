"""Excerpts, highlights and near-duplicate detection: the pure text work behind answers.

Nothing here knows about the index or Telegram. Text is always the article's own characters;
matching happens on an *aligned* copy (same length, char-by-char normalised: simplified,
lower-case, full-width folded — see ``Segmenter.aligned``) so that a traditional-character
question finds words in a simplified article and the offsets found in the aligned copy are
valid offsets into the original.

Sentences end at 。！？；… (and ASCII ! ? ;); closing quotes and brackets that follow the
terminator stay with their sentence (``他说：“好。”`` is one sentence). A sentence longer than
the excerpt budget is cut at clause boundaries (，、：, and the like) and the cut is marked
with ``…``; only a single clause longer than the budget is cut mid-clause.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass

Span = tuple[int, int]
Aligner = Callable[[str], str]

#: Characters that end a sentence.
SENTENCE_END = "。！？；…!?;"
#: Characters that close a quotation or bracket; kept with the sentence they follow.
CLOSERS = "”’」』）)】》〉\"'"
#: Characters after which a long sentence may be cut.
CLAUSE_END = "，、：,:"
#: Marks a cut.
ELLIPSIS = "…"
#: Punctuation dropped from the end of a cut clause before the ellipsis is added.
_TRAILING_PUNCT = "，、：,:；; "

_CLAUSE_RE = re.compile("[^" + re.escape(CLAUSE_END) + "]*(?:[" + re.escape(CLAUSE_END) + "]+)?")


def _identity(text: str) -> str:
    return text.lower()


def _spans(regex: re.Pattern[str], text: str) -> list[Span]:
    spans: list[Span] = []
    for match in regex.finditer(text):
        start, end = match.span()
        if end > start:
            spans.append((start, end))
    return spans


#: Quotation marks and brackets whose content stays in one sentence (她说：“好！走吧。”).
OPENERS = "“‘「『（("
CLOSING = "”’」』）)"
#: A quotation still open after this many characters is taken as unbalanced (broken text)
#: and no longer holds sentences together.
MAX_QUOTE_CHARS = 150


def split_sentences(text: str) -> list[Span]:
    """The sentences of ``text`` as (start, end) spans covering all of it, in order.

    A terminator inside a quotation (“…”, 「…」, （…）) does not end the sentence, so a quoted
    remark is never split in half; a run of terminators (……, ？！) and the closing marks
    after it stay with the sentence. Whitespace between sentences belongs to the sentence it
    precedes; callers strip.
    """
    spans: list[Span] = []
    n = len(text)
    start = 0
    depth = 0
    opened_at = 0
    i = 0
    while i < n:
        ch = text[i]
        if ch in OPENERS:
            if depth == 0:
                opened_at = i
            depth += 1
        elif ch in CLOSING:
            depth = max(0, depth - 1)
        elif ch in SENTENCE_END:
            j = i + 1
            while j < n and text[j] in SENTENCE_END:
                j += 1
            while j < n and text[j] in CLOSERS:
                if text[j] in CLOSING:
                    depth = max(0, depth - 1)
                j += 1
            if depth and j - opened_at > MAX_QUOTE_CHARS:
                depth = 0  # an unbalanced quotation mark: stop honouring it
            if depth == 0:
                spans.append((start, j))
                start = j
            i = j
            continue
        i += 1
    if start < n:
        spans.append((start, n))
    return spans


def split_clauses(text: str) -> list[Span]:
    """Clauses of one sentence: spans ending after a clause mark (，、：, :)."""
    return _spans(_CLAUSE_RE, text)


def merge_spans(spans: Iterable[Span]) -> list[Span]:
    """Sorted, with overlapping or touching spans merged; empty spans dropped."""
    merged: list[list[int]] = []
    for start, end in sorted(s for s in spans if s[1] > s[0]):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(a, b) for a, b in merged]


def term_spans(aligned_text: str, terms: Iterable[str]) -> list[Span]:
    """Every occurrence of every term (already normalised) in the aligned text, merged."""
    spans: list[Span] = []
    for term in set(terms):
        if not term or not term.strip():
            continue
        start = aligned_text.find(term)
        while start != -1:
            spans.append((start, start + len(term)))
            start = aligned_text.find(term, start + 1)
    return merge_spans(spans)


def highlight_spans(
    excerpt: str,
    terms: Iterable[str],
    aligned: Aligner | None = None,
    standalone: Collection[str] = (),
) -> list[Span]:
    """Offsets in ``excerpt`` of the question's words (merged, sorted).

    ``aligned`` must return a same-length normalised copy (``Segmenter.aligned``); if it
    breaks that promise, matching falls back to plain lower-casing so offsets stay valid.
    """
    view = (aligned or _identity)(excerpt)
    if len(view) != len(excerpt):
        view = excerpt.lower()
    return term_spans(view, maximal_terms(terms, view, standalone))


def standalone_terms(terms: Iterable[str], question: str) -> set[str]:
    """The terms that are words of the (normalised) question in their own right, not only
    parts of a longer question word: in 江北新区和天府新区, 新区 is (江北 + 新区); in
    两江新区和天府新区 it is only part of 两江新区 and 天府新区."""
    terms = [t for t in dict.fromkeys(terms) if t]
    found = set()
    for t in terms:
        rest = question
        for u in terms:
            if len(u) > len(t) and t in u:
                rest = rest.replace(u, "\x00")
        if t in rest:
            found.add(t)
    return found


def maximal_terms(terms: Iterable[str], view: str, standalone: Collection[str] = ()) -> list[str]:
    """The terms worth highlighting in ``view``.

    * a sub-word (新区, from the question's 两江新区) is dropped when a longer question word
      containing it occurs in the text, so stray sub-word matches (创新区) are not marked;
      when the longer word is absent, the sub-words still are; terms in ``standalone``
      (question words in their own right, see ``standalone_terms``) are always kept;
    * one-character words (上, 2) are marked only when no longer word occurs at all — they
      are then the only reason the paragraph matched.
    """
    terms = [t for t in dict.fromkeys(terms) if t and t.strip()]
    present = [t for t in terms if t in view]
    kept = [
        t
        for t in present
        if t in standalone or not any(len(u) > len(t) and t in u for u in present)
    ]
    if any(len(t) > 1 for t in kept):
        kept = [t for t in kept if len(t) > 1]
    return kept


#: A neighbouring sentence joins the excerpt for its own matches from this score on (one
#: two-character word, or two one-character ones).
NEIGHBOUR_SCORE = 2.0


def term_weight(term: str) -> float:
    """How much finding ``term`` counts: longer words are more specific; cap at 4."""
    return float(min(len(term), 4))


def _score(view: str, terms: Sequence[str]) -> float:
    """Distinct terms found in ``view``, weighted by length, plus a little per repeat."""
    score = 0.0
    for term in terms:
        count = view.count(term)
        if count:
            score += term_weight(term) + 0.1 * min(count - 1, 3)
    return score


@dataclass(frozen=True)
class Excerpt:
    text: str
    highlights: list[Span]
    start: int  # where the kept text starts in the paragraph (before any ellipsis)
    end: int


def _strip_span(text: str, span: Span) -> Span:
    start, end = span
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _clean_terms(terms: Iterable[str]) -> list[str]:
    seen: list[str] = []
    for term in terms:
        term = term.strip()
        if term and term not in seen:
            seen.append(term)
    return seen


def select_excerpt(
    paragraph: str,
    terms: Iterable[str],
    *,
    max_chars: int,
    aligned: Aligner | None = None,
    min_chars: int | None = None,
    standalone: Collection[str] = (),
) -> Excerpt:
    """The sentence(s) of ``paragraph`` that best match ``terms``, at most ``max_chars`` long.

    1. Score each sentence by the (normalised) terms it contains; take the best (earliest
       on ties; the first sentence when nothing matches).
    2. Grow the excerpt with adjacent sentences that also match, then — while it is shorter
       than ``min_chars`` (default 40 % of ``max_chars``) — with the preceding, else the
       following sentence, as long as the whole still fits in ``max_chars``.
    3. A best sentence longer than ``max_chars`` is cut at clause boundaries around its best
       clause, each cut marked with ``…`` (the marks count towards ``max_chars``).
    Highlights are offsets into the returned text (see ``highlight_spans``).
    """
    terms = _clean_terms(terms)
    cut = _select(paragraph, terms, max_chars=max_chars, aligned=aligned, min_chars=min_chars)
    return Excerpt(
        cut.text, highlight_spans(cut.text, terms, aligned, standalone), cut.start, cut.end
    )


def _select(
    paragraph: str,
    terms: list[str],
    *,
    max_chars: int,
    aligned: Aligner | None,
    min_chars: int | None,
) -> Excerpt:
    if max_chars < 8:
        raise ValueError("max_chars must be at least 8")
    terms = _clean_terms(terms)
    align = aligned or _identity
    view = align(paragraph)
    if len(view) != len(paragraph):
        view = paragraph.lower()
    if min_chars is None:
        min_chars = int(max_chars * 0.4)

    sentences = [
        s for s in (_strip_span(paragraph, sp) for sp in split_sentences(paragraph)) if s[1] > s[0]
    ]
    if not sentences:
        return Excerpt("", [], 0, 0)
    scores = [_score(view[a:b], terms) for a, b in sentences]
    best = max(range(len(sentences)), key=lambda i: (scores[i], -i))

    b_start, b_end = sentences[best]
    if b_end - b_start > max_chars:
        return _cut_sentence(paragraph, view, (b_start, b_end), terms, max_chars, align)

    lo = hi = best

    def width(a: int, b: int) -> int:
        return sentences[b][1] - sentences[a][0]

    # adjacent sentences that match too (a word, not just a stray character), best first
    while True:
        options = []
        if lo > 0 and scores[lo - 1] >= NEIGHBOUR_SCORE and width(lo - 1, hi) <= max_chars:
            options.append((scores[lo - 1], 1, lo - 1))
        if (
            hi + 1 < len(sentences)
            and scores[hi + 1] >= NEIGHBOUR_SCORE
            and width(lo, hi + 1) <= max_chars
        ):
            options.append((scores[hi + 1], 0, hi + 1))
        if not options:
            break
        _, _, pick = max(options)
        lo, hi = min(lo, pick), max(hi, pick)
    # context for a short excerpt: the preceding sentence, else the following one
    while width(lo, hi) < min_chars:
        if lo > 0 and width(lo - 1, hi) <= max_chars:
            lo -= 1
        elif hi + 1 < len(sentences) and width(lo, hi + 1) <= max_chars:
            hi += 1
        else:
            break
    start, end = sentences[lo][0], sentences[hi][1]
    text = paragraph[start:end]
    return Excerpt(text, [], start, end)


def _cut_sentence(
    paragraph: str, view: str, sentence: Span, terms: Sequence[str], max_chars: int, align: Aligner
) -> Excerpt:
    """Clauses around the best clause of an over-long sentence, cuts marked with …."""
    s_start, s_end = sentence
    clauses = [(s_start + a, s_start + b) for a, b in split_clauses(paragraph[s_start:s_end])]
    clauses = [c for c in (_strip_span(paragraph, c) for c in clauses) if c[1] > c[0]]
    scores = [_score(view[a:b], terms) for a, b in clauses]
    best = max(range(len(clauses)), key=lambda i: (scores[i], -i))

    def render(lo: int, hi: int) -> tuple[str, int, int]:
        start, end = clauses[lo][0], clauses[hi][1]
        body = paragraph[start:end]
        prefix = ELLIPSIS if start > s_start else ""
        if end < s_end:
            body = body.rstrip(_TRAILING_PUNCT) + ELLIPSIS
        return prefix + body, start, end

    def fits(lo: int, hi: int) -> bool:
        return len(render(lo, hi)[0]) <= max_chars

    if not fits(best, best):
        return _hard_cut(paragraph, view, clauses[best], (s_start, s_end), terms, max_chars, align)
    lo = hi = best
    # grow towards the sentence start first (the subject usually comes first), then the end
    while True:
        grown = False
        if lo > 0 and fits(lo - 1, hi):
            lo -= 1
            grown = True
        elif hi + 1 < len(clauses) and fits(lo, hi + 1):
            hi += 1
            grown = True
        if not grown:
            break
    text, start, end = render(lo, hi)
    return Excerpt(text, [], start, end)


def _hard_cut(
    paragraph: str,
    view: str,
    clause: Span,
    sentence: Span,
    terms: Sequence[str],
    max_chars: int,
    align: Aligner,
) -> Excerpt:
    """A window of one over-long clause around its first matched term."""
    c_start, c_end = clause
    spans = term_spans(view[c_start:c_end], terms)
    anchor = c_start + (spans[0][0] if spans else 0)
    budget = max_chars - 2  # room for an ellipsis on each side
    start = max(c_start, anchor - budget // 4)
    end = min(c_end, start + budget)
    start = max(c_start, end - budget)
    prefix = ELLIPSIS if start > sentence[0] else ""
    suffix = ELLIPSIS if end < sentence[1] else ""
    text = prefix + paragraph[start:end] + suffix
    return Excerpt(text, [], start, end)


def shorten(excerpt: str, highlights: Sequence[Span], max_chars: int) -> tuple[str, list[Span]]:
    """Cut an excerpt to ``max_chars`` (ellipsis included), keeping the first highlight in view.

    Used by the renderer when a quote must shrink to fit a message. Highlights are clipped to
    the kept text and shifted to its offsets.
    """
    if len(excerpt) <= max_chars:
        return excerpt, list(highlights)
    if max_chars < 2:
        return ELLIPSIS[:max_chars], []
    anchor = highlights[0][0] if highlights else 0
    budget = max_chars - 2
    start = max(0, anchor - budget // 4)
    end = min(len(excerpt), start + budget)
    start = max(0, end - budget)
    prefix = ELLIPSIS if start > 0 else ""
    suffix = ELLIPSIS if end < len(excerpt) else ""
    text = prefix + excerpt[start:end] + suffix
    shift = len(prefix) - start
    clipped = []
    for a, b in highlights:
        a, b = max(a, start), min(b, end)
        if b > a:
            clipped.append((a + shift, b + shift))
    return text, clipped


# -- near duplicates ----------------------------------------------------------------------

_NOISE_RE = re.compile(r"[\s\W_]+", re.UNICODE)


def shingles(text: str, n: int = 3) -> frozenset[str]:
    """Character n-grams of the text with whitespace and punctuation removed."""
    compact = _NOISE_RE.sub("", text)
    if len(compact) <= n:
        return frozenset([compact]) if compact else frozenset()
    return frozenset(compact[i : i + n] for i in range(len(compact) - n + 1))


def containment(part: frozenset[str], whole: frozenset[str]) -> float:
    """Share of ``part``'s shingles found in ``whole`` (1.0: all of it is repeated there)."""
    if not part:
        return 1.0 if not whole else 0.0
    return len(part & whole) / len(part)


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a and not b:
        return 1.0
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)
