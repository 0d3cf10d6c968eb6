"""How sure an answer is: a confidence in [0, 1] from evidence that means the same across
questions and corpora, and the questions that are no questions (greetings, chit-chat).

Raw BM25 grows with the corpus (idf) and with the question's length, so it cannot be one
threshold. The confidence is a logistic function of shares and flags instead:

* ``word_cover``: the share of the question's word weight (idf) the paragraph holds, read
  with its title and its article's first paragraph (news paragraphs leave out what the lead
  said: 双胞胎幼崽 after 大熊猫双胞胎); ``bigram_cover``: the same for the bigrams of the
  question's content (names jieba
  cuts apart, words cut differently; not those touching a question word, see
  ``evidence_terms``). A word the corpus never holds (a name it does not mention) weighs the
  most (the idf of a term in no paragraph), so a paragraph about something else covers
  little of the question;
* ``relative_score``: the paragraph's BM25 score over the best score of the question;
* ``article_cover``: ``word_cover`` over the whole article (a paragraph answering 体重多少 in
  an article whose other paragraphs say 大熊猫).

``answer_type`` (多少/几 ask for a number, 什么时候/何时/哪年 for a time: +1 when the paragraph
holds such a thing, -1 when not) is kept in the evidence and used by the re-ranking
(``rerank``), which puts the paragraph holding the figure first; fitted into the confidence
its weight came out nil, so it has none there.

The weights are a logistic regression of "the first answer is the right article" on the
relevance dev set (``eval --relevance``; the rarest missing word's weight was tried and
dropped: no gain); so a confidence reads as the chance the quote answers the question. The
per-threshold curve is in bench/README.md.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, TypeVar

from ..search.segment import CHAR_MARK, CJK_CHAR

if TYPE_CHECKING:  # pragma: no cover - typing only
    from ..search.segment import Segmenter


class _Scored(Protocol):
    @property
    def score(self) -> float: ...


H = TypeVar("H", bound=_Scored)

#: Logistic weights (fitted with ``eval --relevance``, see bench/README.md).
WEIGHTS = {
    "word_cover": 0.81,
    "bigram_cover": 4.57,
    "relative_score": 1.85,
    "article_cover": 0.99,
}
BIAS = -7.04

_NUMBER_QUESTION = re.compile(
    r"(多少|几[个名人位次天年月日岁家项条辆架座所%]|几成|多大|多长|多高|多远|多久|百分之|比例|"
    r"\bhow (many|much|long|old)\b)"
)
_TIME_QUESTION = re.compile(
    r"(什么时候|何时|哪年|哪一年|哪天|哪一天|几月|几号|几点|什么时间|哪个月|\bwhen\b)"
)
# A figure: digits, a run of two or more numerals (一百五十, 三十), or one numeral with a
# measure word or unit after it (三人, 两辆, 五成).
_NUMBER = re.compile(
    r"[0-9０-９]|[零〇一二两三四五六七八九十百千万亿]{2,}|"
    r"[一二两三四五六七八九十百千万亿][个名人位次天年月日岁家项条辆架座所余多成倍克吨米元斤亩层度分秒]"
)
_TIME = re.compile(
    r"[0-9０-９]{1,4}\s*[年月日时点号]|[一二三四五六七八九十]+[月日号时点]|"
    r"(今|昨|前|明|当|次|同|本|上|下)[天日年月周]|凌晨|上午|下午|晚上|早上|中午|傍晚|深夜|"
    r"(星期|周)[一二三四五六日天]"
)


@dataclass(frozen=True)
class Evidence:
    word_cover: float
    bigram_cover: float
    relative_score: float
    answer_type: int
    article_cover: float = 0.0

    def confidence(self) -> float:
        """The logistic of the weighted evidence, in [0, 1]."""
        z = BIAS + sum(weight * float(getattr(self, name)) for name, weight in WEIGHTS.items())
        return 1.0 / (1.0 + math.exp(-z))

    def to_json(self) -> dict[str, float]:
        return {name: round(float(value), 4) for name, value in self.__dict__.items()}


def asked_type(normalized_question: str) -> str | None:
    """ "number", "time" or None: what kind of thing the question asks for."""
    if _TIME_QUESTION.search(normalized_question):
        return "time"
    if _NUMBER_QUESTION.search(normalized_question):
        return "number"
    return None


def answer_type_evidence(asked: str | None, excerpt_view: str) -> int:
    """+1 when the excerpt holds what the question asks for, -1 when not, 0 when unknown."""
    if asked is None:
        return 0
    pattern = _TIME if asked == "time" else _NUMBER
    return 1 if pattern.search(excerpt_view) else -1


def cover(terms: dict[str, float], view: str) -> float:
    """The share of the terms' weight found in ``view`` (0 without terms)."""
    total = sum(terms.values())
    if total <= 0:
        return 0.0
    return sum(weight for term, weight in terms.items() if term in view) / total


# -- chit-chat ----------------------------------------------------------------------------

# Greetings, thanks, laughter, acknowledgements and requests to the bot itself: a message made
# only of these (and punctuation, particles, emoji) asks nothing of the news corpus.
_CHAT_PIECES = re.compile(
    r"(你好|您好|大家好|哈喽|哈啰|嗨|嘿|喂|早上好|早安|上午好|中午好|下午好|晚上好|晚安|早|在吗|在不在|有人吗|"
    r"谢谢|多谢|感谢|谢了|谢啦|辛苦了|不客气|没关系|对不起|抱歉|不好意思|再见|拜拜|回头见|"
    r"哈+|呵+|嘿嘿|嘻嘻|笑死|笑死我了|好笑|太好了|厉害|牛|好的|好吧|好|行|嗯+|哦+|噢+|啊+|呀|吧|啦|了|呢|吗|嘛|"
    r"ok|okay|hi|hello|hey|thanks|thank you|thx|bye|lol|haha|yes|no|"
    r"我|你|的|是|很|真|太|呀|哇|耶|也|都|啊)+"
)
_BOT_DIRECTED = re.compile(
    r"^(你|您)(是谁|叫什么|叫啥|是什么|是机器人|是人|几岁|多大|会什么|能做什么|能干什么|喜欢|住在|在干嘛|在做什么|"
    r"吃饭了|好吗|怎么样|是男|是女|有名字)|"
    r"(讲|说|来)(个|一个|段)(笑话|故事)|(唱|来)(首|一首)歌|陪我|聊聊天|聊天吧|我(好|很|真)?(无聊|开心|难过|累|饿|困)|"
    r"^收到|^祝.{0,12}快乐|^(好|真|太)?(累|困|饿|无聊)(啊|呀|了|死了)*$|段子|"
    r"^(who|what) are you\b|^what('s| is) your name|^how are you"
)
_NOISE = re.compile(r"[\W_]+")


def is_chitchat(normalized_question: str) -> bool:
    """True for a greeting, thanks, laughter or a remark to the bot itself, which no news
    paragraph answers (rules on forms, not on any corpus)."""
    text = normalized_question.strip()
    if _BOT_DIRECTED.search(text):
        return True
    bare = _NOISE.sub("", text)
    return not bare or not _CHAT_PIECES.sub("", bare)


# -- re-ranking ---------------------------------------------------------------------------

#: The best hits re-ranked by evidence, and the weight of their cover in it (measured on
#: antiterror_train chunked at 200, CMRC trial and DRCD dev together, bench/README.md).
RERANK_DEPTH = 10
RERANK_WEIGHT = 3.0
#: ... and of the answer type: × (1 + this) when the paragraph holds what the question asks
#: for (a number, a time). Only ever a gain, so no re-ranked hit falls below its BM25 score
#: (unseen hits never outrank a seen one).
RERANK_TYPE_WEIGHT = 0.5


def idf_of(index: object) -> Callable[[Sequence[str]], list[float]]:
    """The index's ``term_idf`` (BM25Index has one), else equal weights for every term."""
    weigh = getattr(index, "term_idf", None)
    if callable(weigh):
        return weigh
    return lambda tokens: [1.0] * len(tokens)


def evidence_terms(
    segmenter: Segmenter, question: str, weigh: Callable[[Sequence[str]], list[float]]
) -> tuple[dict[str, float], dict[str, float]]:
    """(words → idf, bigrams → weight) a paragraph must hold to answer ``question``: its
    words (``Segmenter.evidence_words``: 亏了 counts as 亏, 钱 of 多少钱 not at all) and the
    bigrams of its content (``Segmenter.content_bigram_spans``: not those touching a question
    word or particle — 有什 says nothing of the answer). A bigram joining two words weighs at
    most the lighter of them: that 项目 and 预计 never stand side by side in the corpus makes
    目预 unseen, not telling."""
    words, _ = question_weights(segmenter.evidence_words(question), weigh, CHAR_MARK)
    spans = segmenter.content_bigram_spans(question)
    _, bigrams = question_weights([bigram for bigram, _ in spans], weigh, CHAR_MARK)
    joined = {b[len(CHAR_MARK) :]: pair for b, pair in spans if len(pair) == 2}
    piece_weight = dict(
        zip(*_unique_weights([w for pair in joined.values() for w in pair], weigh), strict=True)
    )
    for bigram, pair in joined.items():
        bigrams[bigram] = min(bigrams[bigram], *(piece_weight[w] for w in pair))
    # words without CJK characters (names in Latin letters, codes, numbers) have no bigrams:
    # they count as they are, or a paragraph without them would cover all the bigrams
    bigrams.update({w: weight for w, weight in words.items() if not CJK_CHAR.search(w)})
    return words, bigrams


def _unique_weights(
    terms: Sequence[str], weigh: Callable[[Sequence[str]], list[float]]
) -> tuple[list[str], list[float]]:
    unique = list(dict.fromkeys(terms))
    return unique, list(weigh(unique))


def question_weights(
    tokens: Sequence[str], weigh: Callable[[Sequence[str]], list[float]], mark: str
) -> tuple[dict[str, float], dict[str, float]]:
    """(words → idf, bigrams without ``mark`` → idf) of a question's tokens."""
    unique = list(dict.fromkeys(tokens))
    weights = dict(zip(unique, weigh(unique), strict=True))
    words = {t: w for t, w in weights.items() if not t.startswith(mark)}
    bigrams = {t[len(mark) :]: w for t, w in weights.items() if t.startswith(mark)}
    return words, bigrams


def rerank(
    hits: Sequence[H],
    view_of: Callable[[H], str | None],
    words: dict[str, float],
    bigrams: dict[str, float],
    asked: str | None = None,
) -> list[tuple[H, float]]:
    """(hit, ranking score), best first: the best ``RERANK_DEPTH`` hits have their BM25
    score multiplied by 1 + ``RERANK_WEIGHT`` × the mean of their word and bigram cover (a
    paragraph holding more of the question's weight beats one repeating a single term; equal
    covers keep the BM25 order and ratios) and by 1 + ``RERANK_TYPE_WEIGHT`` when they hold
    the ``asked`` answer type; the others keep their BM25 score, which no re-ranked hit falls
    below. ``view_of`` gives a hit's normalised text and title (None: no gain)."""
    if not hits or hits[0].score <= 0:
        return [(hit, hit.score) for hit in hits]
    ranked: list[tuple[int, H, float]] = []
    for order, hit in enumerate(hits):
        score = hit.score
        if order < RERANK_DEPTH:
            view = view_of(hit)
            if view is not None:
                score *= 1 + RERANK_WEIGHT * (cover(words, view) + cover(bigrams, view)) / 2
                score *= 1 + RERANK_TYPE_WEIGHT * max(0, answer_type_evidence(asked, view))
        ranked.append((order, hit, score))
    ranked.sort(key=lambda item: (-item[2], item[0]))
    return [(hit, score) for _, hit, score in ranked]
