"""Segmentation: text → the tokens the index stores and the question is matched with.

One pipeline for both sides, so a question meets the paragraphs on equal terms:

1. ``normalize``: ``bot.cleaning.normalize_chars`` (radicals, full-width forms, spaces),
   OpenCC t2s (traditional questions find simplified articles) and lowercase;
2. jieba segmentation with HMM *off* (deterministic dictionary-only cuts; HMM guesses new
   words differently in a question and in a paragraph, which costs matches), plain ``cut``;
3. stopwords (function words, question words), punctuation and whitespace dropped;
4. character bigrams of every run of CJK characters, as ``CHAR_MARK``-prefixed tokens: they
   match names jieba does not know (cut into single characters) and words cut differently in
   question and paragraph (亏损 / 亏了 share nothing, 财年亏 / 年亏损 do). On the question side a
   bigram lying wholly inside a stopword (什么, 多少) is dropped;
5. ``doc_tokens`` adds the article's title to each paragraph: its words twice, its bigrams
   once, so a paragraph also matches through the words of its headline.

Measured on news (antiterror_train in 200-character passages) and Wikipedia (CMRC trial,
DRCD dev) together, see bench/README.md: words + bigrams + title beat search-mode sub-words
with single-character tokens (the previous pipeline) on all three sets.

Engines: ``rjieba`` (jieba-rs, ~20× faster) when importable, else a private
``jieba.Tokenizer`` (never the global one). With HMM off both give identical tokens for the
same dictionary and user words (tests/test_segment.py checks this on real paragraphs).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from importlib import resources
from itertools import chain
from pathlib import Path
from typing import Any

import opencc

from ..config import SegmentationConfig
from ..errors import ConfigError
from ..ingest.cleaning import normalize_chars

# Prefix of character tokens (bigrams, single characters): keeps 知道 (two characters side by
# side) apart from 知道 (the word), so words still score as words.
# ·: jieba cuts it off as punctuation, so no word token can start with it.
CHAR_MARK = "\u00b7"

# A question of at most this many words also asks for the characters of its words.
SHORT_QUERY_WORDS = 2
# Bump when the pipeline changes in a way settings do not show (part of ``signature``).
_TOKENIZER_VERSION = 3  # 3: bigrams, plain cut, title tokens; 2: normalize_chars drops controls
# The title's words count this many times in each of its paragraphs (its bigrams once).
TITLE_WORD_WEIGHT = 2
_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]{2,}")
CJK_CHAR = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# A Latin word followed by a number, as written: a product or model name (mate 60, a380).
_MODEL_NAME = re.compile(r"(?<![a-z0-9])[a-z]+[ \-]?[0-9]+[a-z0-9]*(?![a-z0-9])")
# Question words after which a one-character word is the answer's unit (多少钱, 几个人).
_QUESTION_WORDS = frozenset({"多少", "几", "几个", "多", "哪", "哪个", "什么", "何"})
# A question word jieba keeps together with its measure word (几栋, 几名, 多少钱): on the
# question side it asks for the answer's figure and says nothing the paragraph must hold
# (几乎 "almost" and 几何 "geometry" are words).
_QUESTION_UNIT = re.compile(r"几[^\W\d乎何]|多少[^\W\d]")
# Particles that only mark aspect on a verb (亏了, 去过, 看着).
_ASPECT_PARTICLES = frozenset("了过着")
_USER_DICT_LINE = re.compile(r"^(.+?)(?: ([0-9]+))?(?: ([a-z]+))?$")  # as jieba's load_userdict


def load_stopwords(extra: Iterable[str] = ()) -> frozenset[str]:
    """The built-in stopword list (bot/resources/stopwords.txt) plus ``extra``."""
    text = resources.files("bot").joinpath("resources/stopwords.txt").read_text(encoding="utf-8")
    words = {w for line in text.splitlines() if not line.startswith("#") for w in line.split()}
    return frozenset(words | {w.strip().lower() for w in extra if w.strip()})


def _has_word_character(token: str) -> bool:
    return any(c.isalnum() for c in token)


class _JiebaEngine:
    """The reference engine: a private jieba.Tokenizer, HMM off."""

    name = "jieba"

    def __init__(self) -> None:
        import jieba

        jieba.setLogLevel(60)  # its "Building prefix dict" chatter on stderr
        self._tokenizer = jieba.Tokenizer()

    def add_word(self, word: str, freq: int | None) -> None:
        self._tokenizer.add_word(word, freq)

    def suggest_freq(self, word: str) -> int:
        return int(self._tokenizer.suggest_freq(word, tune=False))

    def cut(self, text: str) -> list[str]:
        return self._tokenizer.lcut(text, HMM=False)

    def cut_for_search(self, text: str) -> list[str]:
        return self._tokenizer.lcut_for_search(text, HMM=False)

    def is_word(self, word: str) -> bool:
        self._tokenizer.check_initialized()
        return bool(self._tokenizer.FREQ.get(word))


class _RjiebaEngine:
    """The fast engine: a private rjieba.Jieba (jieba-rs, same dictionary), HMM off."""

    name = "rjieba"

    def __init__(self) -> None:
        import rjieba

        self._jieba = rjieba.Jieba()

    def add_word(self, word: str, freq: int | None) -> None:
        self._jieba.add_word(word, freq, None)

    def suggest_freq(self, word: str) -> int:
        return int(self._jieba.suggest_freq(word))

    def cut(self, text: str) -> list[str]:
        return self._jieba.cut(text, False)

    def cut_for_search(self, text: str) -> list[str]:
        return self._jieba.cut_for_search(text, False)

    def is_word(self, word: str) -> bool:
        return bool(self._jieba.has_word(word))


def _make_engine(name: str | None) -> _JiebaEngine | _RjiebaEngine:
    if name == "jieba":
        return _JiebaEngine()
    if name == "rjieba":
        return _RjiebaEngine()
    try:
        return _RjiebaEngine()
    except ImportError:
        return _JiebaEngine()


class _AlignedTable(dict):
    """A ``str.translate`` table filled on first use: code point → the character normalised
    on its own (kept as is when that gives nothing or several characters). Translating in C
    is what makes ``aligned`` cheap enough to run over every candidate paragraph."""

    LIMIT = 100_000

    def __init__(self, normalize: Callable[[str], str]):
        super().__init__()
        self._normalize = normalize

    def __missing__(self, code: int) -> str:
        char = chr(code)
        mapped = self._normalize(char)
        if len(mapped) != 1:
            mapped = char.lower() if len(char.lower()) == 1 else char
        if len(self) < self.LIMIT:
            self[code] = mapped
        return mapped


class Segmenter:
    """Normalisation + jieba + stopwords; the one tokenizer of index and questions.

    ``engine`` ("rjieba" / "jieba", default: rjieba when installed), ``search_mode``
    (cut_for_search rather than cut), ``char_tokens`` (single characters, index side),
    ``query_chars`` ("short": a short question's characters; "single": the characters of
    one-character question words; "all"; "none") and ``bigrams`` exist for the differential
    test and the quality benchmark; the defaults are the measured best (bench/README.md).
    """

    def __init__(
        self,
        *,
        user_words: Iterable[str] = (),
        user_dict_file: str | Path | None = None,
        extra_stopwords: Iterable[str] = (),
        engine: str | None = None,
        search_mode: bool = False,
        char_tokens: bool = False,
        query_chars: str = "short",
        bigrams: bool = True,
        user_word_freqs: dict[str, int] | None = None,
    ) -> None:
        if query_chars not in ("short", "single", "all", "none"):
            raise ValueError(f"query_chars must be short, single, all or none, not {query_chars!r}")
        self._t2s = opencc.OpenCC("t2s.json")
        self._aligned_chars = _AlignedTable(self.normalize)
        # extra stopwords go through the same normalisation as the text they are compared with
        self.stopwords = load_stopwords(self.normalize(w).strip() for w in extra_stopwords)
        self.search_mode = search_mode
        self.char_tokens = char_tokens
        self.bigrams = bigrams
        self._engine = _make_engine(engine)
        self.engine = self._engine.name
        self.query_chars = query_chars
        # A piece of jieba's cut → the tokens it gives. Pieces repeat a lot: looking them up
        # (C-level map over a dict) is what makes segmentation run at several MB/s.
        self._analysed = _PieceCache(self._analyse)
        self._words_of = _PieceCache(lambda piece: self._analysed[piece][0])
        self._index_tokens_of = _PieceCache(
            lambda piece: (
                sum(self._analysed[piece], ()) if self.char_tokens else self._analysed[piece][0]
            )
        )
        #: user words as added (normalised) with their frequency: lets another engine be given
        #: exactly the same dictionary (the differential test does this).
        self.user_word_freqs: dict[str, int] = {}
        entries: list[tuple[str, int | None]] = [(w, None) for w in user_words]
        if user_dict_file is not None:
            entries += _read_user_dict(Path(user_dict_file))
        given = user_word_freqs or {}
        for word, freq in entries:
            word = self.normalize(word).strip()
            if not word:
                continue
            if freq is None:
                freq = given.get(word)
            if freq is None:
                freq = self._engine.suggest_freq(word)
            self._engine.add_word(word, freq)
            self.user_word_freqs[word] = freq

    @classmethod
    def from_config(cls, config: SegmentationConfig, *, base_dir: Path | None = None) -> Segmenter:
        dict_file = config.user_dict_file
        if dict_file is not None and base_dir is not None and not Path(dict_file).is_absolute():
            dict_file = str(base_dir / dict_file)
        return cls(
            user_words=config.user_words,
            user_dict_file=dict_file,
            extra_stopwords=config.extra_stopwords,
        )

    # -- normalisation -------------------------------------------------------------------

    def normalize(self, text: str) -> str:
        """normalize_chars + OpenCC t2s + lowercase (may change the length)."""
        return self._t2s.convert(normalize_chars(text)).lower()

    def aligned(self, text: str) -> str:
        """``text`` normalised character by character, same length: position i of the result
        is character i of ``text`` normalised (for finding query words in an excerpt).
        A character that normalises to nothing or to several characters is kept as is."""
        return text.translate(self._aligned_chars)

    # -- tokens --------------------------------------------------------------------------

    def words(self, text: str) -> list[str]:
        """Normalised, segmented, stopwords/punctuation/space dropped; no character tokens."""
        return list(chain.from_iterable(map(self._words_of.__getitem__, self._cut(text))))

    def tokens(self, text: str) -> list[str]:
        """Index side: the words, (``char_tokens``) the CJK characters of the kept words that
        are not stopwords themselves, and (``bigrams``) the character bigrams, as
        ``CHAR_MARK`` tokens (order is irrelevant to BM25)."""
        normalized = self.normalize(text)
        pieces = self._engine.cut(normalized)
        tokens = list(chain.from_iterable(map(self._index_tokens_of.__getitem__, pieces)))
        if self.bigrams:
            tokens += _bigrams(normalized)
        return tokens

    def doc_tokens(self, text: str, title: str | None = None) -> list[str]:
        """A paragraph's index tokens with its article's title: title words
        ``TITLE_WORD_WEIGHT`` times, title bigrams once (measured, bench/README.md)."""
        tokens = self.tokens(text)
        if title:
            title_tokens = self.tokens(title)
            words = [t for t in title_tokens if not t.startswith(CHAR_MARK)]
            tokens += title_tokens + words * (TITLE_WORD_WEIGHT - 1)
        return tokens

    def title_tokens(self, title: str | None) -> list[str]:
        """What ``doc_tokens`` adds for a title (for callers that segment it once)."""
        return self.doc_tokens("", title)

    def query_tokens(self, text: str) -> list[str]:
        """Question side: the words; (``bigrams``) the bigrams not inside a stopword; and
        (``char_tokens``) for a short question (at most ``SHORT_QUERY_WORDS`` words) also
        their characters, so 知 finds 知道."""
        normalized = self.normalize(text)
        pieces = self._engine.cut(normalized)
        analysed: list[tuple[tuple[str, ...], tuple[str, ...]]] = [
            ((), ()) if _QUESTION_UNIT.fullmatch(piece) else self._analysed[piece]
            for piece in pieces
        ]
        words = [w for piece_words, _ in analysed for w in piece_words]
        if self.bigrams:
            words += self._query_bigrams(normalized, pieces)
        mode = self.query_chars
        if (
            not self.char_tokens
            or mode == "none"
            or (mode == "short" and len(words) > SHORT_QUERY_WORDS)
        ):
            return words
        if mode == "single":
            chars = [
                c
                for piece_words, piece_chars in analysed
                if len(piece_chars) == 1 and len(piece_words) == 1 and len(piece_words[0]) == 1
                for c in piece_chars
            ]
        else:  # "all", or a short question
            chars = [c for _, piece_chars in analysed for c in piece_chars]
        return words + chars

    def evidence_words(self, text: str) -> list[str]:
        """The words a paragraph must hold to answer the question ``text``: its words, with
        an aspect particle dropped (亏了 → 亏: the article says 亏损) and without the measure
        right after a question word (钱 in 多少钱, 人 in 几个人: the answer's unit, not its
        subject); and model names whole (``mate 60``, ``iphone 12``)."""
        words = [piece for piece in self._evidence_pieces(text) if piece]
        # a model name is its letters and its number together: Mate 60 is not Mate 40, although
        # "60" alone is found in nearly any text
        names = [m.group() for m in _MODEL_NAME.finditer(self.normalize(text))]
        return words + [name for name in names if name not in words]

    def content_bigrams(self, text: str) -> list[str]:
        """The bigrams (``CHAR_MARK`` tokens) of the runs of ``evidence_words`` standing side
        by side: none touching a stopword or punctuation (有什 in 有什么作用), so what a
        paragraph must hold for a question's content, whereas search also uses the others."""
        return [bigram for bigram, _ in self.content_bigram_spans(text)]

    def content_bigram_spans(self, text: str) -> list[tuple[str, tuple[str, ...]]]:
        """``content_bigrams`` with the words each spans: one word (民宅 → 民宅), or the two
        it joins (民宅|火灾 → 宅火), whose weight may then be bounded by theirs."""
        spans: list[tuple[str, tuple[str, ...]]] = []
        run: list[str] = []
        for piece in self._evidence_pieces(text) + [""]:
            if piece and all(map(CJK_CHAR.match, piece)):
                run.append(piece)
                continue
            owner = [n for n, word in enumerate(run) for _ in word]  # word index of each char
            joined = "".join(run)
            for i in range(len(joined) - 1):
                first, second = owner[i], owner[i + 1]
                words = (run[first],) if first == second else (run[first], run[second])
                spans.append((CHAR_MARK + joined[i : i + 2], words))
            run = []
        return spans

    def _evidence_pieces(self, text: str) -> list[str]:
        """jieba's pieces of ``text`` as ``evidence_words`` keeps them, "" where one is left
        out (a break between runs)."""
        pieces: list[str] = []
        after_question_word = False
        for piece in self._engine.cut(self.normalize(text)):
            if _QUESTION_UNIT.fullmatch(piece):
                after_question_word = True  # 几个 人: a one-character unit may still follow
                pieces.append("")
                continue
            if piece in self.stopwords or not _has_word_character(piece):
                after_question_word = piece in _QUESTION_WORDS
                pieces.append("")
                continue
            if after_question_word and len(piece) == 1:
                after_question_word = False
                pieces.append("")
                continue
            after_question_word = False
            if len(piece) == 2 and piece[1] in _ASPECT_PARTICLES and CJK_CHAR.match(piece[0]):
                pieces += [piece[0], ""]
                continue
            pieces.append(piece)
        return pieces

    def _query_bigrams(self, normalized: str, pieces: list[str]) -> list[str]:
        """The bigrams of a question, without those lying inside one stopword (什么, 多少):
        a question word says nothing about the paragraph that answers it."""
        inside_stopword: set[int] = set()
        position = 0
        for piece in pieces:
            if len(piece) > 1 and (piece in self.stopwords or _QUESTION_UNIT.fullmatch(piece)):
                inside_stopword.update(range(position, position + len(piece) - 1))
            position += len(piece)
        if not inside_stopword:
            return _bigrams(normalized)
        return [
            CHAR_MARK + run.group()[i : i + 2]
            for run in _CJK_RUN.finditer(normalized)
            for i in range(len(run.group()) - 1)
            if run.start() + i not in inside_stopword
        ]

    def _cut(self, text: str) -> list[str]:
        return self._engine.cut(self.normalize(text))

    def _analyse(self, piece: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """What a piece of jieba's cut contributes: (its words, its character tokens)."""
        if piece in self.stopwords or not _has_word_character(piece):
            return (), ()
        words = [piece]
        if self.search_mode:
            # jieba's cut_for_search: the dictionary 2- and 3-grams of a long word, then the word
            grams = [piece[i : i + 2] for i in range(len(piece) - 1)] if len(piece) > 2 else []
            grams += [piece[i : i + 3] for i in range(len(piece) - 2)] if len(piece) > 3 else []
            words = [
                g for g in grams if g not in self.stopwords and self._engine.is_word(g)
            ] + words
        # One-character words get their character token too: measured better (CMRC recall@1
        # 0.9731 vs 0.9701) than leaving them out, at ~10% more tokens. HMM-off jieba cuts
        # unknown names into single characters, and this weights those matches up.
        chars = [CHAR_MARK + c for c in piece if CJK_CHAR.match(c) and c not in self.stopwords]
        return tuple(words), tuple(chars)

    @property
    def signature(self) -> str:
        """Changes whenever the same text would give other tokens (settings, stopwords, user
        words): store it with a persisted index and rebuild the index when it differs."""
        import hashlib

        state = json.dumps(
            [
                _TOKENIZER_VERSION,
                self.search_mode,
                self.char_tokens,
                self.query_chars,
                self.bigrams,
                TITLE_WORD_WEIGHT,
                sorted(self.stopwords),
                sorted(self.user_word_freqs.items()),
            ],
            ensure_ascii=False,
        )
        return hashlib.sha256(state.encode()).hexdigest()[:16]


def _bigrams(normalized: str) -> list[str]:
    """The character bigrams of every run of two or more CJK characters."""
    return [
        CHAR_MARK + run[i : i + 2]
        for run in _CJK_RUN.findall(normalized)
        for i in range(len(run) - 1)
    ]


class _PieceCache(dict):
    """piece → tokens, computed on first sight; bounded (it is only a shortcut)."""

    def __init__(self, compute: Callable[[str], Any], limit: int = 300_000):
        super().__init__()
        self._compute = compute
        self._limit = limit

    def __missing__(self, piece: str) -> Any:
        tokens = self._compute(piece)
        if len(self) >= self._limit:
            self.clear()
        self[piece] = tokens
        return tokens


def _read_user_dict(path: Path) -> list[tuple[str, int | None]]:
    """jieba user-dictionary lines: ``word [freq] [tag]``."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(
            f"cannot read {path} ({exc.__class__.__name__})", key="segmentation.user_dict_file"
        ) from None
    entries: list[tuple[str, int | None]] = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        match = _USER_DICT_LINE.match(line)
        if match is None:  # pragma: no cover - the pattern matches any non-empty line
            continue
        word, freq = match.group(1).strip(), match.group(2)
        entries.append((word, int(freq) if freq else None))
    return entries
