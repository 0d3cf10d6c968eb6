"""Questions in, quotes out: the ``Answerer`` and its ``Answer`` / ``AnswerSet`` records.

``Answerer.ask`` turns a question into the paragraphs that answer it, each reduced to an
excerpt (the best-matching sentence or two, see ``bot.excerpt``) with the question's words
highlighted, and credited to its article. Questions about an article itself — who wrote it,
when it was published, where it comes from — are answered from the article's metadata.

Selection of quotes (documented policy, tested):

* the index is asked for every paragraph scoring at least ``retrieval.min_score`` (in pages
  of growing size), so the order of the answers does not depend on ``offset`` and "More"
  pages never repeat or skip a quote;
* only body paragraphs are quoted (``Paragraph.kind == "paragraph"``); a hit on a heading,
  on a doc id the article does not hold, or on a fragment (``MIN_QUOTE_CHARS``: captions,
  bylines, lines broken at removed links) is skipped;
* when the question has words of two or more characters, a paragraph must contain one of
  them: a hit on a lone character (上; 水 inside 水平 through the index's character
  fallback) is no answer to 火星上有水吗;
* different articles are preferred: the k-th quote of one article (k = 0, 1, …) competes
  with ``score × DIVERSITY_DECAY**k`` — a second paragraph of the same article comes before
  another article's first only when it scores more than twice as high; at most
  ``per_article`` (default ``answers.max_per_article``) quotes per article;
* a paragraph whose character-3-gram Jaccard similarity with an already chosen one is at
  least ``answers.duplicate_similarity`` (the same wire story in two outlets) is dropped, and
  so is one whose excerpt would repeat a chosen excerpt (that share of its 3-grams already
  shown) — pages that re-use a paragraph of another are common in the NetEase crawl;
* ``offset`` skips that many quotes of this order, ``top`` (default ``retrieval.top_k``)
  bounds how many are returned.

Metadata questions (记者是谁 / 谁写的 / 什么时候发布的 / 来源是哪里 / 哪家媒体 / who wrote this?,
traditional variants too — matched on the normalised question) give one ``kind="metadata"``
answer such as ``记者：严薇、郭欣欣`` (labels in the question's script or English; unknown
values are ``未注明``, never guessed). A metadata phrase counts only when the question points
at an article (这篇/文章/报道/this/it …) or says nothing else, so "华为哪年发布了新手机" stays a
content question. The article: ``within_article`` when given; else the best hit for the rest
of the question's words; else the only article in scope — known when the lookup offers
``article_ids(scopes) -> Collection[str]`` (or is a Mapping); else no answer.
"""

from __future__ import annotations

import heapq
import re
import unicodedata
from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Collection, Literal, Mapping, Protocol, Sequence

from ..config import AnswersConfig, RetrievalConfig
from ..errors import QuestionError
from .excerpt import Excerpt, containment, jaccard, select_excerpt, shingles, standalone_terms
from ..models import Article, Paragraph

# CHAR_MARK prefixes the segmenter's character-fallback tokens: search-only, never highlighted.
from ..search.segment import CHAR_MARK

if TYPE_CHECKING:  # pragma: no cover - typing only
    from ..search.base import SearchIndex
    from ..search.segment import Segmenter

#: Weight of an article's k-th quote: score × DIVERSITY_DECAY**k (see module docstring).
DIVERSITY_DECAY = 0.5
#: Shingle size for near-duplicate detection.
SHINGLE = 3
#: First page of hits asked from the index; grows ×4 while every hit still passes min_score.
FIRST_PAGE = 64
MAX_HITS = 20_000
#: A paragraph with fewer word characters (letters, digits, ideographs) than
#: MIN_QUOTE_CHARS, or fewer than MIN_UNENDED_CHARS and no sentence end (。！？!?…), is a
#: fragment — a caption ("郭帆（电影《流浪地球》导演）"), "作者｜任正非", a line broken at a
#: removed link ("在马拉多纳去世之后，他的") — and cannot stand alone as a quote.
MIN_QUOTE_CHARS = 10
MIN_UNENDED_CHARS = 30
_SENTENCE_END_RE = re.compile(r"[。！？!?…]")


# -- records ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Answer:
    kind: Literal["quote", "metadata"]
    article: Article
    paragraph_id: str | None
    score: float
    excerpt: str                       # plain text, article's own characters
    highlights: list[tuple[int, int]] = field(default_factory=list)  # offsets into excerpt
    paragraph: str | None = None       # the whole paragraph (quotes only)

    def to_json(self) -> dict[str, Any]:
        """The ``ask --json`` answer object (a stable contract for tests and benchmarks)."""
        a = self.article
        return {
            "kind": self.kind,
            "article_id": a.id,
            "paragraph_id": self.paragraph_id,
            "score": round(float(self.score), 6),
            "excerpt": self.excerpt,
            "highlights": [[int(s), int(e)] for s, e in self.highlights],
            "paragraph": self.paragraph,
            "title": a.title,
            "source": a.source,
            "reporters": list(a.reporters),
            "contributors": [{"name": c.name, "role": c.role} for c in a.contributors],
            "date": a.date,
            "url": a.url,
        }


@dataclass(frozen=True)
class AnswerSet:
    question: str
    answers: list[Answer] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"question": self.question, "answers": [a.to_json() for a in self.answers]}

    def __bool__(self) -> bool:
        return bool(self.answers)

    def __len__(self) -> int:
        return len(self.answers)


class ArticleLookup(Protocol):
    def get(self, article_id: str) -> Article | None: ...


# -- metadata questions ---------------------------------------------------------------------

MetaField = Literal["reporters", "date", "source"]

# Matched against the question after Segmenter.normalize (simplified, lower-case, ASCII).
_WH = r"(哪里|哪儿|哪家|哪一家|哪个|哪位|哪些|哪|什么地方|什么|何处|何)"
# A question that is nothing but the field's name: "记者？", "本文作者", "来源".
_BARE = r"^[\W_]*(这篇|本篇|本文|该文|此文|文章|报道|新闻|的|\s)*{}[\W_]*$"
_META_PATTERNS: dict[str, list[str]] = {
    "reporters": [
        r"(记者|作者|撰稿人|撰稿|笔者|执笔人?|采写者?)(分别|都|们)?(是|为|叫|有)?(谁|哪位|哪个|哪些|什么人|什么名字|何人|哪几位)",
        r"(哪位|哪个|哪些|哪几位|什么)(记者|作者|撰稿人)",
        r"谁(写|撰写|采写|报道|执笔|撰稿)",
        r"署名",
        r"\bwho\b.*\b(wrote|written|writes|authored|reported|reporters?|authors?|writers?|byline)\b",
        r"\b(authors?|reporters?|writers?|byline)\s*(of|\?|$)",
        _BARE.format("(记者|作者|撰稿人|署名|采写)"),
    ],
    "date": [
        r"(什么时候|何时|哪天|哪一天|哪年|几号|几月几[日号]|什么时间|什么日子|什么日期)"
        r"(发布|发表|发的|发出|刊发|刊登|刊出|出的|写的|报道|登的|上线|更新)",
        r"(发布|发表|刊发|刊登|出版|报道|发稿)(的)?(时间|日期|于何时|于哪天)",
        r"(发|登|刊|写)(的|于|在)?(哪天|哪一天|什么时候|何时)",
        r"\bwhen\b.*\b(published|written|posted|released|dated|came out|come out|appeared?)\b",
        r"\b(publication|publishing|publish|release|post)\s+(date|time)\b",
        r"\bwhat\s+(date|day)\b",
        _BARE.format("(日期|发布日期|发布时间|发表时间|发表日期|时间)"),
    ],
    "source": [
        r"(来源|出处)(是|为|于)?" + _WH,
        r"来源是",
        r"(哪家|哪个|哪一家|什么|哪些)(媒体|报纸|报社|网站|新闻网|通讯社|杂志|电视台|刊物|报刊|平台|出版物)",
        r"(出自|来自|转自|转载自|摘自)" + _WH,
        r"\b(what|which)\b.*\b(source|outlet|newspaper|publication|paper|media)\b",
        r"\bwhere\b.*\b(from|published)\b",
        r"\bsource\s*(of|\?|$)",
        _BARE.format("(来源|出处|媒体)"),
    ],
}
_META_RES = {k: [re.compile(p) for p in v] for k, v in _META_PATTERNS.items()}

# A metadata phrase only makes a metadata question when the question points at an article
# (这篇文章 … / this / it) or holds nothing else: "华为哪年发布了新手机" stays a content question.
_REFERENT_RE = re.compile(
    r"(这篇|那篇|本篇|该篇|此篇|这则|那则|这条|那条|本文|该文|此文|原文|文章|报道|新闻|稿子|稿件|消息|"
    r"\bthis\b|\bthat\b|\bit\b|\barticle\b|\bstory\b|\breport\b|\bpiece\b|\bnews\b)")
_FILLER_RE = re.compile(
    r"(这篇|那篇|本篇|该篇|此篇|这则|那则|这条|那条|本文|该文|此文|原文|文章|报道|新闻|稿子|稿件|消息|"
    r"请问|一下|告诉我|\b(this|that|it|the|article|story|report|piece|news|"
    r"is|was|of|a|an|please|tell|me)\b)")

_META_LABELS = {
    "zh-hans": {"reporters": "记者", "date": "发布时间", "source": "来源", "unknown": "未注明",
                "sep": "、", "colon": "：", "join": "；"},
    "zh-hant": {"reporters": "記者", "date": "發布時間", "source": "來源", "unknown": "未註明",
                "sep": "、", "colon": "：", "join": "；"},
    "en": {"reporters": "Reporters", "date": "Published", "source": "Source", "unknown": "not stated",
           "sep": ", ", "colon": ": ", "join": "; "},
}


def metadata_fields(normalized_question: str) -> list[str]:
    """The metadata fields a (normalised) question asks about, in a fixed order."""
    q = normalized_question
    return [name for name, regexes in _META_RES.items() if any(r.search(q) for r in regexes)]


def _is_cjk(ch: str) -> bool:
    return "CJK" in unicodedata.name(ch, "")


def question_language(question: str, aligned: str) -> str:
    """'en' without CJK characters; 'zh-hant' when t2s changes one of them; else 'zh-hans'."""
    cjk = [(a, b) for a, b in zip(question, aligned) if _is_cjk(a)]
    if not cjk:
        return "en" if re.search(r"[A-Za-z]", question) else "zh-hans"
    return "zh-hant" if any(a != b for a, b in cjk) else "zh-hans"


def format_metadata(article: Article, fields: Sequence[str], lang: str = "zh-hans") -> str:
    """``记者：严薇、郭欣欣`` / ``发布时间：2020-04-12 16:25:33`` / ``来源：…``, one line each.

    Unknown values are said to be unknown (``记者：未注明``), never guessed.
    """
    labels = _META_LABELS.get(lang, _META_LABELS["zh-hans"])
    lines = []
    for name in fields:
        if name == "reporters":
            value = labels["sep"].join(r for r in article.reporters if r.strip()) or labels["unknown"]
            line = labels["reporters"] + labels["colon"] + value
            roles: dict[str, list[str]] = {}
            for c in article.contributors:
                if c.name.strip():
                    roles.setdefault(c.role.strip() or "?", []).append(c.name)
            for role, names in roles.items():
                line += labels["join"] + role + labels["colon"] + labels["sep"].join(names)
        elif name == "date":
            value = (article.date.replace("T", " ") if article.date else None) \
                or article.date_text or labels["unknown"]
            line = labels["date"] + labels["colon"] + value
        else:
            line = labels["source"] + labels["colon"] + (article.source or labels["unknown"])
        lines.append(line)
    return "\n".join(lines)


def _is_fragment(text: str) -> bool:
    chars = sum(map(str.isalnum, text))
    return chars < MIN_QUOTE_CHARS or (chars < MIN_UNENDED_CHARS
                                       and not _SENTENCE_END_RE.search(text))


def _joined_runs(words: Sequence[str], question: str) -> list[str]:
    """Runs of consecutive one-character words that stand joined in the question — names
    jieba does not know come out as characters: ["薛", "领", "认为"] in 薛领认为 → ["薛领"]."""
    runs: list[str] = []
    run = ""
    for word in list(words) + [""]:
        if len(word) == 1 and run and run + word in question:
            run += word
            continue
        if len(run) > 1:
            runs.append(run)
        run = word if len(word) == 1 else ""
    return runs


# -- the answerer ---------------------------------------------------------------------------

@dataclass(frozen=True)
class _Terms:
    words: list[str]
    standalone: frozenset[str]


@dataclass
class _Candidate:
    article: Article
    paragraph: Paragraph
    score: float
    _shingles: frozenset[str] | None = None
    excerpt: Excerpt | None = None
    _excerpt_shingles: frozenset[str] | None = None


class Answerer:
    """Answers questions from a search index over paragraphs, quoting the articles.

    ``articles`` needs only ``get(article_id)``. For metadata questions without a clear
    article, the answerer also uses ``articles.article_ids(scopes)`` when the lookup offers
    it (or the keys of a ``Mapping``) to notice a corpus of exactly one article.
    """

    def __init__(self, index: "SearchIndex", segmenter: "Segmenter", articles: ArticleLookup,
                 retrieval: RetrievalConfig, answers: AnswersConfig):
        self.index = index
        self.segmenter = segmenter
        self.articles = articles
        self.retrieval = retrieval
        self.config = answers

    # -- public ----------------------------------------------------------------------------

    def ask(self, question: str, *, top: int | None = None, per_article: int | None = None,
            scopes: Collection[str] | None = None, within_article: str | None = None,
            offset: int = 0) -> AnswerSet:
        if not isinstance(question, str) or not question.strip():
            raise QuestionError("the question is empty")
        top = self.retrieval.top_k if top is None else top
        per_article = self.config.max_per_article if per_article is None else per_article
        if top < 1 or per_article < 1 or offset < 0:
            raise QuestionError("top and per_article must be >= 1 and offset >= 0")
        if isinstance(scopes, str):
            scopes = [scopes]
        scopes = None if scopes is None else list(scopes)

        normalized = self.segmenter.normalize(question)
        fields = metadata_fields(normalized)
        if fields:
            rest = self._rest_of_metadata_question(normalized)
            # words naming the article; lone characters left over (里, 写) name nothing
            rest_tokens = [t for t in self.segmenter.query_tokens(rest)
                           if len(t) > 1 and not t.startswith(CHAR_MARK)] if rest.strip() else []
            if _REFERENT_RE.search(normalized) or not rest_tokens:
                answer = self._metadata_answer(question, fields, rest_tokens, scopes, within_article)
                if answer is None or offset > 0:
                    return AnswerSet(question, [])
                return AnswerSet(question, [answer])

        tokens = self.segmenter.query_tokens(question)
        if not tokens:
            return AnswerSet(question, [])
        terms = self._terms(tokens, normalized)
        chosen = self._choose(tokens, terms, scopes, within_article, per_article, offset + top)
        page = chosen[offset:offset + top]
        return AnswerSet(question, [self._quote(c, terms) for c in page])

    # -- quotes ----------------------------------------------------------------------------

    def _best(self, tokens: Sequence[str], scopes: list[str] | None, groups: list[str] | None,
              per_article: int, want: int, terms: "_Terms") -> list[_Candidate]:
        """The ``want`` best quotable paragraphs, asking the index for as few hits as will do.

        Starts with a small page of hits and widens it only when the choice could depend on
        hits beyond the page: most questions are settled by the first 64, and building
        thousands of hits for a common word cost more than the search itself.
        """
        k = FIRST_PAGE
        min_score = self.retrieval.min_score
        while True:
            hits = self.index.search(tokens, k, scopes=scopes, groups=groups)
            more_beyond = len(hits) == k and k < MAX_HITS and hits[-1].score >= min_score
            usable = [h for h in hits if h.score >= min_score and h.score > 0]
            chosen = self._diversify(usable, per_article, want, terms,
                                     floor=hits[-1].score if more_beyond else None)
            if chosen is not None:
                return chosen
            k = min(k * 4, MAX_HITS)

    def _candidate(self, hit, cache: dict[str, Article | None]) -> _Candidate | None:
        """The hit as a quotable body paragraph, or None (unknown article, heading, empty)."""
        if hit.group not in cache:
            cache[hit.group] = self.articles.get(hit.group)
        article = cache[hit.group]
        if article is None:
            return None
        paragraph = article.paragraph(hit.doc_id)
        if paragraph is None or paragraph.kind != "paragraph":
            return None  # headings are never quoted on their own
        if _is_fragment(paragraph.text):
            return None  # nothing a reader could take as an answer
        return _Candidate(article, paragraph, float(hit.score))

    def _first_candidate(self, hits: Sequence) -> _Candidate | None:
        cache: dict[str, Article | None] = {}
        for hit in hits:
            cand = self._candidate(hit, cache)
            if cand is not None:
                return cand
        return None

    def _choose(self, tokens: Sequence[str], terms: "_Terms", scopes: list[str] | None,
                within: str | None, per_article: int, want: int) -> list[_Candidate]:
        chosen: list[_Candidate] = []
        if within:
            chosen = self._best(tokens, scopes, [within], per_article, want, terms)
        if not chosen:  # nothing in that article (or none given): the whole scope
            chosen = self._best(tokens, scopes, None, per_article, want, terms)
        return chosen

    def _has_a_word(self, cand: _Candidate, terms: "_Terms") -> bool:
        """A question with words of two or more characters is answered only by paragraphs
        holding at least one of them: a paragraph that matched on a lone character (上, or
        水 inside 水平 through the character fallback) does not answer 火星上有水吗."""
        long_words = [w for w in terms.words if len(w) > 1]
        if not long_words:
            return True
        view = self.segmenter.aligned(cand.paragraph.text)
        return any(w in view for w in long_words)

    def _signature(self, cand: _Candidate) -> frozenset[str]:
        if cand._shingles is None:
            cand._shingles = shingles(self.segmenter.normalize(cand.paragraph.text), SHINGLE)
        return cand._shingles

    def _excerpt(self, cand: _Candidate, terms: "_Terms") -> Excerpt:
        if cand.excerpt is None:
            cand.excerpt = select_excerpt(cand.paragraph.text, terms.words,
                                          max_chars=self.config.excerpt_chars,
                                          aligned=self.segmenter.aligned,
                                          standalone=terms.standalone)
        return cand.excerpt

    def _excerpt_signature(self, cand: _Candidate, terms: "_Terms") -> frozenset[str]:
        if cand._excerpt_shingles is None:
            cand._excerpt_shingles = shingles(
                self.segmenter.normalize(self._excerpt(cand, terms).text), SHINGLE)
        return cand._excerpt_shingles

    def _is_duplicate(self, cand: _Candidate, chosen: Sequence[_Candidate],
                      terms: "_Terms") -> bool:
        threshold = self.config.duplicate_similarity
        mine = self._signature(cand)
        shown = None
        for other in chosen:
            if other.paragraph.id == cand.paragraph.id:
                return True
            if jaccard(mine, self._signature(other)) >= threshold:
                return True
            if shown is None:
                shown = self._excerpt_signature(cand, terms)
            if containment(shown, self._excerpt_signature(other, terms)) >= threshold:
                return True
        return False

    def _diversify(self, hits: Sequence, per_article: int, want: int,
                   terms: "_Terms", floor: float | None = None) -> list[_Candidate] | None:
        """Greedy over the hits (best first): repeatedly take the article whose best remaining
        hit has the highest effective score (score × DIVERSITY_DECAY ** quotes already taken
        from that article; ties: the earlier hit), skipping headings, capped articles and
        near-duplicates. Articles are loaded only for hits that reach the top, so a question
        matching thousands of paragraphs costs about ``want`` article look-ups.

        ``floor``: the hits are only the best page and unseen ones score at most this. The
        choice is then certain only while the next pick's effective score is at least the
        floor (an unseen hit ties behind every seen one); None asks for a wider page."""
        queues: dict[str, deque[tuple[int, Any]]] = {}
        for order, hit in enumerate(hits):
            queues.setdefault(hit.group, deque()).append((order, hit))
        heap = [(-q[0][1].score, q[0][0], group) for group, q in queues.items()]
        heapq.heapify(heap)
        taken: dict[str, int] = {}
        chosen: list[_Candidate] = []
        cache: dict[str, Article | None] = {}
        while len(chosen) < want:
            if not heap:
                return None if floor is not None else chosen
            key, _, group = heapq.heappop(heap)
            if floor is not None and -key < floor:
                return None
            queue = queues[group]
            _, hit = queue.popleft()
            cand = self._candidate(hit, cache)
            if cand is not None and self._has_a_word(cand, terms) \
                    and not self._is_duplicate(cand, chosen, terms):
                chosen.append(cand)
                taken[group] = taken.get(group, 0) + 1
            count = taken.get(group, 0)
            if queue and count < per_article:
                order, head = queue[0]
                heapq.heappush(heap, (-head.score * DIVERSITY_DECAY ** count, order, group))
        return chosen

    def _quote(self, cand: _Candidate, terms: "_Terms") -> Answer:
        excerpt = self._excerpt(cand, terms)
        return Answer(kind="quote", article=cand.article, paragraph_id=cand.paragraph.id,
                      score=cand.score, excerpt=excerpt.text, highlights=excerpt.highlights,
                      paragraph=cand.paragraph.text)

    @staticmethod
    def _terms(tokens: Sequence[str], normalized_question: str) -> "_Terms":
        """The question's words to find in excerpts (already normalised by the segmenter),
        and which of them are words in their own right (not only parts of longer ones)."""
        sequence = [t.strip() for t in tokens
                    if t.strip() and not t.startswith(CHAR_MARK)  # char fallback: search only
                    and any(ch.isalnum() for ch in t)]
        words = list(dict.fromkeys(sequence))
        # names jieba splits into characters (薛 + 领): consecutive one-character question
        # words that stand side by side in the question also count as one word, so the
        # name is marked whole wherever it occurs
        for joined in _joined_runs(sequence, normalized_question):
            if joined not in words:
                words.append(joined)
        return _Terms(words, frozenset(standalone_terms(words, normalized_question)))

    # -- metadata --------------------------------------------------------------------------

    @staticmethod
    def _rest_of_metadata_question(normalized: str) -> str:
        rest = normalized
        for regexes in _META_RES.values():
            for regex in regexes:
                rest = regex.sub(" ", rest)
        return _FILLER_RE.sub(" ", rest)

    def _metadata_answer(self, question: str, fields: Sequence[str], rest_tokens: Sequence[str],
                         scopes: list[str] | None, within: str | None) -> Answer | None:
        article: Article | None = None
        score = 0.0
        # an id holding a lone surrogate names no stored article (and the store cannot even
        # encode it to look): unknown, as any other id not found
        if within and not re.search("[\ud800-\udfff]", within):
            article = self.articles.get(within)
        if article is None and rest_tokens:
            hits = self.index.search(rest_tokens, FIRST_PAGE, scopes=scopes)
            cand = self._first_candidate(
                [h for h in hits if h.score >= self.retrieval.min_score and h.score > 0])
            if cand is not None:
                article, score = cand.article, cand.score
        if article is None:
            ids = self._article_ids(scopes)
            if ids is not None and len(ids) == 1:
                article = self.articles.get(next(iter(ids)))
        if article is None:
            return None
        lang = question_language(question, self.segmenter.aligned(question))
        return Answer(kind="metadata", article=article, paragraph_id=None, score=score,
                      excerpt=format_metadata(article, fields, lang), highlights=[],
                      paragraph=None)

    def _article_ids(self, scopes: list[str] | None) -> Collection[str] | None:
        """The ids of the articles in scope, when the lookup can tell; None when it cannot."""
        lister = getattr(self.articles, "article_ids", None)
        if callable(lister):
            return list(lister(scopes))
        if isinstance(self.articles, Mapping):
            return list(self.articles.keys())
        return None
