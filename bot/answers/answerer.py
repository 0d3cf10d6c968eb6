"""Questions in, quotes out: the ``Answerer`` and its ``Answer`` / ``AnswerSet`` records.

``Answerer.ask`` turns a question into the paragraphs that answer it, each reduced to an
excerpt (the best-matching sentence or two, see ``bot.answers.excerpt``) with the question's
words highlighted, credited to its article — or into a reason to quote nothing. Every
``AnswerSet`` has a ``status``:

* ``answered``: quotes (or one metadata answer), each with a ``confidence`` in [0, 1]
  (``bot.answers.confidence``) of at least ``retrieval.min_confidence``; nothing below it is
  ever returned;
* ``not_found``: nothing confident (``related`` names the closest articles, for the reply);
  with ``within_article`` set, that article holds no answer (offer to search everything).
  A follow-up inside one article needs only ``WITHIN_ARTICLE_FACTOR`` × the threshold: the
  reader chose the article, what is left to judge is the paragraph;
* ``chitchat``: greetings, thanks, remarks to the bot — no quote;
* ``other_language``: a question without Chinese characters found nothing confident;
* ``unclear_article``: a question about an article's credits that names no article well
  enough (never the credits of another article).

Selection of quotes (documented policy, tested):

* the index is asked for the best paragraphs (in pages of growing size) scoring at least
  ``retrieval.min_score`` and ``MIN_RELATIVE_SCORE`` × the question's best score; the best
  ``RERANK_DEPTH`` are re-ranked by evidence (``confidence.rerank``). The order of the
  answers does not depend on ``offset``; ``more`` tells whether another
  confident quote exists beyond the page, so "More" stops when none is left;
* only body paragraphs are quoted; a hit on a heading, on a doc id the article does not hold,
  or on a fragment (``MIN_QUOTE_CHARS``: captions, bylines, lines broken at removed links) is
  skipped; when the question has words of two or more characters, a paragraph must contain
  one of them;
* different articles are preferred: the k-th quote of one article competes with
  ``score × DIVERSITY_DECAY**k``; at most ``per_article`` quotes per article;
* one story, one quote: a paragraph near-identical to a chosen one (character-3-gram Jaccard
  at least ``answers.duplicate_similarity``, or an excerpt repeating a chosen excerpt) is not
  quoted again; when it comes from another article, that article is listed in the chosen
  answer's ``also_in``.

Metadata questions (记者是谁 / 谁写的 / 谁拍的 / 什么时候发布的 / 来源是哪里 / who wrote this?, see
``bot.answers.metadata``) count only when the question points at an article or says nothing
else. The article: ``within_article`` when given; else the article the rest of the question
names — its title or text must hold ``ARTICLE_MATCH_MIN`` of that rest's weight; else, when
the rest names nothing, the only article in scope; else ``unclear_article``.
"""

from __future__ import annotations

import heapq
import re
from collections import OrderedDict, deque
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..config import AnswersConfig, RetrievalConfig
from ..errors import QuestionError
from ..models import Article, Paragraph

# CHAR_MARK prefixes the segmenter's character tokens (bigrams): search only, never highlighted.
from ..search.segment import CHAR_MARK, CJK_CHAR
from .confidence import (
    RERANK_DEPTH,
    Evidence,
    answer_type_evidence,
    asked_type,
    cover,
    evidence_terms,
    idf_of,
    is_chitchat,
    question_weights,
    rerank,
)
from .excerpt import Excerpt, containment, jaccard, select_excerpt, shingles, standalone_terms
from .metadata import (  # noqa: F401
    format_metadata,
    metadata_fields,
    points_at_article,
    question_language,
    rest_of_metadata_question,
)
from .records import Answer, AnswerSet, ArticleLookup

if TYPE_CHECKING:  # pragma: no cover - typing only
    from ..search.base import SearchIndex
    from ..search.segment import Segmenter

#: Weight of an article's k-th quote: score × DIVERSITY_DECAY**k (see module docstring).
DIVERSITY_DECAY = 0.5
#: Shingle size for near-duplicate detection.
SHINGLE = 3
#: First page of hits asked from the index; grows ×4 while more could be confident.
FIRST_PAGE = 64
MAX_HITS = 20_000
#: Hits weighed for one question at most (in ranking order): a question nothing answers
#: confidently stops there instead of weighing thousands of weak matches.
MAX_EXAMINED = 40
#: Hits scoring below this share of the question's best score are never quoted: they bound
#: how far "More" pages go and how many paragraphs a question without answer examines.
MIN_RELATIVE_SCORE = 0.25
#: A follow-up inside one article (``within_article``) needs this share of the confidence
#: threshold: the reader chose the article, so what is left to judge is the paragraph.
WITHIN_ARTICLE_FACTOR = 0.5
#: A metadata question's article must hold this share of the weight of the words naming it.
ARTICLE_MATCH_MIN = 0.6
#: Articles examined as the one a metadata question names.
ARTICLE_CANDIDATES = 10
#: Normalised article texts kept for the article-wide evidence.
ARTICLE_VIEWS = 4096
#: Closest articles named in a "not found" answer.
RELATED_ARTICLES = 3
#: A paragraph with fewer word characters (letters, digits, ideographs) than
#: MIN_QUOTE_CHARS, or fewer than MIN_UNENDED_CHARS and no sentence end (。！？!?…), is a
#: fragment — a caption ("郭帆（电影《流浪地球》导演）"), "作者｜任正非", a line broken at a
#: removed link ("在马拉多纳去世之后，他的") — and cannot stand alone as a quote.
MIN_QUOTE_CHARS = 10
MIN_UNENDED_CHARS = 30
_SENTENCE_END_RE = re.compile(r"[。！？!?…]")
_LATIN_RE = re.compile(r"[A-Za-z]")


def _is_fragment(text: str) -> bool:
    chars = sum(map(str.isalnum, text))
    return chars < MIN_QUOTE_CHARS or (
        chars < MIN_UNENDED_CHARS and not _SENTENCE_END_RE.search(text)
    )


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


@dataclass(frozen=True)
class _Query:
    """The question's evidence weights (words and bigrams → idf) and the asked answer type."""

    words: dict[str, float]
    bigrams: dict[str, float]
    asked: str | None


@dataclass(frozen=True)
class _ArticleView:
    """An article normalised for looking terms up: title, paragraphs by id, all of it."""

    title: str
    paragraphs: dict[str, str]
    whole: str


@dataclass(frozen=True)
class _Ranked:
    """A hit in ranking order: ``score`` ranks it (BM25 + evidence), ``raw`` is its BM25."""

    doc_id: str
    score: float
    group: str
    raw: float


@dataclass
class _Candidate:
    article: Article
    paragraph: Paragraph
    score: float
    _shingles: frozenset[str] | None = None
    excerpt: Excerpt | None = None
    _excerpt_shingles: frozenset[str] | None = None
    evidence: Evidence | None = None
    also_in: list[Article] = field(default_factory=list)
    view: str | None = None


class Answerer:
    """Answers questions from a search index over paragraphs, quoting the articles.

    ``articles`` needs only ``get(article_id)``. For metadata questions without a clear
    article, the answerer also uses ``articles.article_ids(scopes)`` when the lookup offers
    it (or the keys of a ``Mapping``) to notice a corpus of exactly one article. The index's
    ``term_idf`` (when it has one) weighs the question's words for the confidence.
    """

    def __init__(
        self,
        index: SearchIndex,
        segmenter: Segmenter,
        articles: ArticleLookup,
        retrieval: RetrievalConfig,
        answers: AnswersConfig,
    ):
        self.index = index
        self.segmenter = segmenter
        self.articles = articles
        self.retrieval = retrieval
        self.config = answers
        self._views: OrderedDict[str, tuple[Article, _ArticleView]] = OrderedDict()

    # -- public ----------------------------------------------------------------------------

    def ask(
        self,
        question: str,
        *,
        top: int | None = None,
        per_article: int | None = None,
        scopes: Collection[str] | None = None,
        within_article: str | None = None,
        offset: int = 0,
        min_confidence: float | None = None,
    ) -> AnswerSet:
        """The confident answers to ``question`` (see the module docstring).

        ``within_article``: a follow-up — only that article is searched; ``min_confidence``
        overrides ``retrieval.min_confidence`` (0 gives the best answers whatever their
        confidence: evaluation only)."""
        if not isinstance(question, str) or not question.strip():
            raise QuestionError("the question is empty")
        top = self.retrieval.top_k if top is None else top
        per_article = self.config.max_per_article if per_article is None else per_article
        if top < 1 or per_article < 1 or offset < 0:
            raise QuestionError("top and per_article must be >= 1 and offset >= 0")
        if isinstance(scopes, str):
            scopes = [scopes]
        scopes = None if scopes is None else list(scopes)
        threshold = self.retrieval.min_confidence if min_confidence is None else min_confidence
        if within_article is not None and re.search("[\ud800-\udfff]", within_article):
            within_article = None  # a lone surrogate names no stored article
        if within_article and min_confidence is None:
            threshold *= WITHIN_ARTICLE_FACTOR
        normalized = self.segmenter.normalize(question)
        lang = question_language(question, self.segmenter.aligned(question))

        def result(answers: list[Answer], status: str = "", **extra: Any) -> AnswerSet:
            return AnswerSet(
                question,
                answers,
                status=status,
                language=lang,
                within_article=within_article,
                **extra,
            )

        fields = metadata_fields(normalized)
        if fields:
            rest = rest_of_metadata_question(normalized)
            rest_tokens = (
                [t for t in self.segmenter.query_tokens(rest) if len(t) > 1] if rest.strip() else []
            )
            names_something = any(not t.startswith(CHAR_MARK) for t in rest_tokens)
            if points_at_article(normalized) or not names_something:
                answer, status = self._metadata_answer(
                    lang, fields, rest_tokens, scopes, within_article
                )
                if answer is None or offset > 0:
                    return result([], status or "not_found")
                return result([answer])

        if is_chitchat(normalized):
            return result([], "chitchat")
        tokens = self.segmenter.query_tokens(question)
        if not tokens:
            return result([], self._nothing_status(question))
        terms = self._terms(tokens, normalized)
        query = self._query(question, normalized)
        groups = [within_article] if within_article else None
        chosen, hits = self._best(
            tokens, scopes, groups, per_article, offset + top + 1, terms, query, threshold
        )
        page = chosen[offset : offset + top]
        if not page:
            related = self._related(hits) if offset == 0 else []
            return result([], self._nothing_status(question), related=related)
        return result([self._quote(c, terms) for c in page], more=len(chosen) > offset + top)

    @staticmethod
    def _nothing_status(question: str) -> str:
        """other_language for a question without Chinese characters, else not_found."""
        if not CJK_CHAR.search(question) and _LATIN_RE.search(question):
            return "other_language"
        return "not_found"

    # -- confidence ------------------------------------------------------------------------

    def _idf(self, tokens: Sequence[str]) -> list[float]:
        return list(idf_of(self.index)(tokens))

    def _query(self, question: str, normalized: str) -> _Query:
        """The evidence weights (``evidence_terms``) and the answer type asked for."""
        words, bigrams = evidence_terms(self.segmenter, question, self._idf)
        return _Query(words, bigrams, asked_type(normalized))

    def _view(self, cand: _Candidate) -> str:
        """The paragraph and its title, normalised, as the question's terms are looked up."""
        if cand.view is None:
            views = self._article_views(cand.article)
            text = views.paragraphs.get(cand.paragraph.id)
            if text is None:  # pragma: no cover - a candidate's paragraph is its article's
                text = self.segmenter.aligned(cand.paragraph.text)
            cand.view = text + "\n" + views.title
        return cand.view

    def evidence(self, cand: _Candidate, query: _Query, best_score: float) -> Evidence:
        """The evidence a candidate answers the question (cached on the candidate)."""
        if cand.evidence is None:
            views = self._article_views(cand.article)
            # a news paragraph leaves out what its lead said (双胞胎幼崽 after 大熊猫双胞胎):
            # the paragraph is judged with its title and the article's first paragraph
            lead = next(iter(views.paragraphs.values()), "")
            view = self._view(cand) + "\n" + lead
            relative = cand.score / best_score if best_score > 0 else 0.0
            cand.evidence = Evidence(
                word_cover=cover(query.words, view),
                bigram_cover=cover(query.bigrams, view),
                relative_score=min(1.0, relative),
                answer_type=answer_type_evidence(query.asked, view),
                article_cover=cover(query.words, self._article_views(cand.article).whole),
            )
        return cand.evidence

    def _article_views(self, article: Article) -> _ArticleView:
        """The article's title and paragraphs normalised (``Segmenter.aligned``), kept for the
        ``ARTICLE_VIEWS`` articles used last. Kept with the article object they were made
        from: another object (the article edited and loaded again) is normalised anew."""
        cached = self._views.get(article.id)
        if cached is not None and cached[0] is article:
            self._views.move_to_end(article.id)
            return cached[1]
        aligned = self.segmenter.aligned
        paragraphs = {p.id: aligned(p.text) for p in article.paragraphs}
        title = aligned(article.title or "")
        views = _ArticleView(title, paragraphs, "\n".join([title, *paragraphs.values()]))
        self._views[article.id] = (article, views)
        if len(self._views) > ARTICLE_VIEWS:
            self._views.popitem(last=False)
        return views

    # -- quotes ----------------------------------------------------------------------------

    def _best(
        self,
        tokens: Sequence[str],
        scopes: list[str] | None,
        groups: list[str] | None,
        per_article: int,
        want: int,
        terms: _Terms,
        query: _Query,
        threshold: float,
    ) -> tuple[list[_Candidate], list[Any]]:
        """The ``want`` best confident quotable paragraphs, asking the index for as few hits
        as will do (most questions are settled by the first 64), and the hits seen."""
        k = max(FIRST_PAGE, RERANK_DEPTH)  # the re-ranked head is always seen whole
        cache: dict[Any, Any] = {}  # article id → Article, (doc id,) → _Candidate

        def view_of(hit: Any) -> str | None:
            cand = self._candidate(hit, cache)
            return None if cand is None else self._view(cand)

        while True:
            hits = self.index.search(tokens, k, scopes=scopes, groups=groups)
            if not hits:
                return [], []
            best = hits[0].score
            floor = max(self.retrieval.min_score, best * MIN_RELATIVE_SCORE)
            more_beyond = len(hits) == k and k < MAX_HITS and hits[-1].score >= floor
            # re-ranked by evidence (ranking score), each keeping its BM25 score (raw)
            usable = [
                _Ranked(h.doc_id, score, h.group, h.score)
                for h, score in rerank(hits, view_of, query.words, query.bigrams, query.asked)
                if h.score >= floor and h.score > 0
            ]
            chosen = self._diversify(
                usable,
                per_article,
                want,
                terms,
                query,
                threshold,
                best,
                cache,
                floor=hits[-1].score if more_beyond else None,
            )
            if chosen is not None:
                return chosen, hits
            k = min(k * 4, MAX_HITS)

    def _related(self, hits: Sequence[Any]) -> list[Article]:
        """The articles of the best hits, whatever their confidence (for "not found")."""
        related: list[Article] = []
        cache: dict[Any, Any] = {}
        for hit in hits:
            if hit.group not in cache:
                cache[hit.group] = self.articles.get(hit.group)
                article = cache[hit.group]
                if article is not None:
                    related.append(article)
            if len(related) >= RELATED_ARTICLES:
                break
        return related

    def _candidate(self, hit: Any, cache: dict[Any, Any]) -> _Candidate | None:
        """The hit as a quotable body paragraph, or None (unknown article, heading, empty);
        ``cache`` keeps articles (by id) and candidates (by ``(doc id,)``) of a question."""
        key = (hit.doc_id,)
        if key in cache:
            return cache[key]
        if hit.group not in cache:
            cache[hit.group] = self.articles.get(hit.group)
        article = cache[hit.group]
        cand = None
        paragraph = article.paragraph(hit.doc_id) if article is not None else None
        # headings are never quoted on their own; a fragment is nothing a reader could take
        # as an answer
        if (
            paragraph is not None
            and paragraph.kind == "paragraph"
            and not _is_fragment(paragraph.text)
        ):
            cand = _Candidate(article, paragraph, float(getattr(hit, "raw", hit.score)))
        cache[key] = cand
        return cand

    def _has_a_word(self, cand: _Candidate, terms: _Terms) -> bool:
        """A question with words of two or more characters is answered only by paragraphs
        holding at least one of them: a paragraph that matched on bigrams of other words
        does not answer 火星上有水吗."""
        long_words = [w for w in terms.words if len(w) > 1]
        if not long_words:
            return True
        view = self._view(cand)
        paragraph = view[: len(cand.paragraph.text)]  # the view without its title
        return any(w in paragraph for w in long_words)

    def _signature(self, cand: _Candidate) -> frozenset[str]:
        if cand._shingles is None:
            cand._shingles = shingles(self.segmenter.normalize(cand.paragraph.text), SHINGLE)
        return cand._shingles

    def _excerpt(self, cand: _Candidate, terms: _Terms) -> Excerpt:
        if cand.excerpt is None:
            cand.excerpt = select_excerpt(
                cand.paragraph.text,
                terms.words,
                max_chars=self.config.excerpt_chars,
                aligned=self.segmenter.aligned,
                standalone=terms.standalone,
            )
        return cand.excerpt

    def _excerpt_signature(self, cand: _Candidate, terms: _Terms) -> frozenset[str]:
        if cand._excerpt_shingles is None:
            cand._excerpt_shingles = shingles(
                self.segmenter.normalize(self._excerpt(cand, terms).text), SHINGLE
            )
        return cand._excerpt_shingles

    def _duplicate_of(
        self, cand: _Candidate, chosen: Sequence[_Candidate], terms: _Terms
    ) -> _Candidate | None:
        """The chosen candidate ``cand`` repeats (same paragraph, near-identical text or an
        excerpt already shown), or None."""
        threshold = self.config.duplicate_similarity
        mine = self._signature(cand)
        shown = None
        for other in chosen:
            if other.paragraph.id == cand.paragraph.id:
                return other
            if jaccard(mine, self._signature(other)) >= threshold:
                return other
            if shown is None:
                shown = self._excerpt_signature(cand, terms)
            if containment(shown, self._excerpt_signature(other, terms)) >= threshold:
                return other
        return None

    def _diversify(
        self,
        hits: Sequence,
        per_article: int,
        want: int,
        terms: _Terms,
        query: _Query,
        threshold: float,
        best_score: float,
        cache: dict[Any, Any],
        floor: float | None = None,
    ) -> list[_Candidate] | None:
        """Greedy over the hits (best first): repeatedly take the article whose best remaining
        hit has the highest effective score (score × DIVERSITY_DECAY ** quotes already taken
        from that article; ties: the earlier hit), skipping headings, capped articles,
        paragraphs below the confidence threshold and near-duplicates (whose other articles
        are credited on the quote they repeat); at most ``MAX_EXAMINED`` hits are weighed.
        Articles are loaded only for hits that reach
        the top, so a question matching thousands of paragraphs costs few look-ups.

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
        examined = 0
        while len(chosen) < want:
            if not heap:
                return None if floor is not None else chosen
            if examined >= MAX_EXAMINED:
                return chosen  # the same cut whatever the page size: pages stay consistent
            key, _, group = heapq.heappop(heap)
            if floor is not None and -key < floor:
                return None
            examined += 1
            queue = queues[group]
            _, hit = queue.popleft()
            cand = self._candidate(hit, cache)
            if (
                cand is not None
                and self._has_a_word(cand, terms)
                and self.evidence(cand, query, best_score).confidence() >= threshold
            ):
                original = self._duplicate_of(cand, chosen, terms)
                if original is None:
                    chosen.append(cand)
                    taken[group] = taken.get(group, 0) + 1
                elif original.article.id != cand.article.id and all(
                    a.id != cand.article.id for a in original.also_in
                ):
                    original.also_in.append(cand.article)
            count = taken.get(group, 0)
            if queue and count < per_article:
                order, head = queue[0]
                heapq.heappush(heap, (-head.score * DIVERSITY_DECAY**count, order, group))
        return chosen

    def _quote(self, cand: _Candidate, terms: _Terms) -> Answer:
        excerpt = self._excerpt(cand, terms)
        confidence = cand.evidence.confidence() if cand.evidence is not None else 0.0
        return Answer(
            kind="quote",
            article=cand.article,
            paragraph_id=cand.paragraph.id,
            score=cand.score,
            excerpt=excerpt.text,
            highlights=excerpt.highlights,
            paragraph=cand.paragraph.text,
            confidence=confidence,
            also_in=list(cand.also_in),
            evidence=cand.evidence,
        )

    @staticmethod
    def _terms(tokens: Sequence[str], normalized_question: str) -> _Terms:
        """The question's words to find in excerpts (already normalised by the segmenter),
        and which of them are words in their own right (not only parts of longer ones)."""
        sequence = [
            t.strip()
            for t in tokens
            if t.strip()
            and not t.startswith(CHAR_MARK)  # bigrams: search only
            and any(ch.isalnum() for ch in t)
        ]
        words = list(dict.fromkeys(sequence))
        # names jieba splits into characters (薛 + 领): consecutive one-character question
        # words that stand side by side in the question also count as one word, so the
        # name is marked whole wherever it occurs
        for joined in _joined_runs(sequence, normalized_question):
            if joined not in words:
                words.append(joined)
        return _Terms(words, frozenset(standalone_terms(words, normalized_question)))

    # -- metadata --------------------------------------------------------------------------

    def _metadata_answer(
        self,
        lang: str,
        fields: Sequence[str],
        rest_tokens: Sequence[str],
        scopes: list[str] | None,
        within: str | None,
    ) -> tuple[Answer | None, str]:
        """(the metadata answer, "") or (None, the status saying why there is none)."""
        article: Article | None = None
        confidence = 1.0
        if within:
            article = self.articles.get(within)
        if article is None and any(not t.startswith(CHAR_MARK) for t in rest_tokens):
            article, confidence = self._named_article(rest_tokens, scopes)
            if article is None:
                return None, "unclear_article"
        if article is None:
            ids = self._article_ids(scopes)
            if ids is not None and len(ids) == 1:
                article = self.articles.get(next(iter(ids)))
        if article is None:
            return None, "unclear_article"
        return Answer(
            kind="metadata",
            article=article,
            paragraph_id=None,
            score=0.0,
            excerpt=format_metadata(article, fields, lang),
            highlights=[],
            paragraph=None,
            confidence=confidence,
        ), ""

    def _named_article(
        self, tokens: Sequence[str], scopes: list[str] | None
    ) -> tuple[Article | None, float]:
        """The article the words name: of the articles of the best hits, the one whose title
        (or title and best-matching paragraph) holds the largest share of the words' weight,
        if that share reaches ARTICLE_MATCH_MIN; the share is the answer's confidence.
        Bigrams touching a one-character stopword (了马, 的告) name nothing and are left out."""
        stop = self.segmenter.stopwords
        unique = [
            t
            for t in dict.fromkeys(tokens)
            if not (t.startswith(CHAR_MARK) and any(c in stop for c in t[len(CHAR_MARK) :]))
        ]
        words, bigrams = question_weights(unique, self._idf, CHAR_MARK)
        best: tuple[float, Article | None] = (0.0, None)
        seen: dict[str, tuple[Article, _ArticleView] | None] = {}
        for hit in self.index.search(unique, FIRST_PAGE, scopes=scopes):
            if hit.group not in seen:
                if len(seen) >= ARTICLE_CANDIDATES:
                    break
                article = self.articles.get(hit.group)
                if article is None:
                    seen[hit.group] = None
                    continue
                views = self._article_views(article)
                seen[hit.group] = (article, views)
                share = self._match_share(words, bigrams, views.title)
                if share > best[0]:
                    best = (share, article)
            entry = seen[hit.group]
            if entry is None:
                continue
            article, views = entry
            text = views.paragraphs.get(hit.doc_id)
            if text is not None:
                share = self._match_share(words, bigrams, views.title + "\n" + text)
                if share > best[0]:
                    best = (share, article)
        share, found = best
        return (found, share) if share >= ARTICLE_MATCH_MIN else (None, share)

    @staticmethod
    def _match_share(words: dict[str, float], bigrams: dict[str, float], view: str) -> float:
        word_share = cover(words, view)
        return (word_share + (cover(bigrams, view) if bigrams else word_share)) / 2

    def _article_ids(self, scopes: list[str] | None) -> Collection[str] | None:
        """The ids of the articles in scope, when the lookup can tell; None when it cannot."""
        lister = getattr(self.articles, "article_ids", None)
        if callable(lister):
            return list(lister(scopes))
        if isinstance(self.articles, Mapping):
            return list(self.articles.keys())
        return None
