"""Questions about an article itself: who wrote it (记者是谁 / 谁写的), who took its photos
(谁拍的), when it was published, where it comes from — patterns matched on the normalised
question (simplified, lower-case), traditional variants and English too — and the answer
line built from the article's credits, labelled in the reader's language."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import Literal

from ..models import Article
from ..texts import role_label, t

# -- metadata questions ---------------------------------------------------------------------

MetaField = Literal["reporters", "photographers", "date", "source"]

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
    "photographers": [
        r"谁(拍|拍摄|摄)的?",
        r"(摄影|摄影师|摄影记者|拍摄者|摄像|图片作者)(分别|都|们)?(是|为|叫|有)?(谁|哪位|哪个|哪些|什么人|何人)",
        r"\bwho\b.*\b(photographed|took the (photo|picture)s?|photographer)\b",
        r"\bphotographers?\s*(of|\?|$)",
        _BARE.format("(摄影|摄影师|摄影记者)"),
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
    r"这张|那张|照片|图片|"
    r"\bthis\b|\bthat\b|\bit\b|\barticle\b|\bstory\b|\breport\b|\bpiece\b|\bnews\b)"
)
_FILLER_RE = re.compile(
    r"(这篇|那篇|本篇|该篇|此篇|这则|那则|这条|那条|本文|该文|此文|原文|文章|报道|新闻|稿子|稿件|消息|"
    r"这张|那张|照片|图片|请问|一下|告诉我|\b(this|that|it|the|article|story|report|piece|news|"
    r"is|was|of|a|an|please|tell|me)\b)"
)


def metadata_fields(normalized_question: str) -> list[str]:
    """The metadata fields a (normalised) question asks about, in a fixed order."""
    q = normalized_question
    return [name for name, regexes in _META_RES.items() if any(r.search(q) for r in regexes)]


def _is_cjk(ch: str) -> bool:
    return "CJK" in unicodedata.name(ch, "")


def question_language(question: str, aligned: str) -> str:
    """'en' without CJK characters; 'zh-hant' when t2s changes one of them; else 'zh-hans'."""
    cjk = [(a, b) for a, b in zip(question, aligned, strict=False) if _is_cjk(a)]
    if not cjk:
        return "en" if re.search(r"[A-Za-z]", question) else "zh-hans"
    return "zh-hant" if any(a != b for a, b in cjk) else "zh-hans"


def format_metadata(article: Article, fields: Sequence[str], lang: str = "zh-hans") -> str:
    """``记者：严薇、郭欣欣`` / ``发布时间：2020-04-12 16:25:33`` / ``来源：…``, one line each,
    labels (contributor roles too) in the reader's language (``bot.texts``).

    Unknown values are said to be unknown (``记者：未注明``), never guessed.
    """

    def label(key: str) -> str:
        return t("meta_" + key, lang)

    sep, colon, join, unknown = label("sep"), label("colon"), label("join"), label("unknown")
    lines = []
    for name in fields:
        if name == "reporters":
            value = sep.join(r for r in article.reporters if r.strip()) or unknown
            line = label("reporters") + colon + value
            roles: dict[str, list[str]] = {}
            for c in article.contributors:
                if c.name.strip():
                    roles.setdefault(c.role.strip() or "?", []).append(c.name)
            for role, names in roles.items():
                line += join + role_label(role, lang) + colon + sep.join(names)
        elif name == "photographers":
            value = sep.join(p for p in article.photographers if p.strip()) or unknown
            line = label("photographers") + colon + value
        elif name == "date":
            value = (
                (article.date.replace("T", " ") if article.date else None)
                or article.date_text
                or unknown
            )
            line = label("date") + colon + value
        else:
            line = label("source") + colon + (article.source or unknown)
        lines.append(line)
    return "\n".join(lines)


def points_at_article(normalized_question: str) -> bool:
    """True when the question points at an article (这篇/文章/报道/this/it …)."""
    return bool(_REFERENT_RE.search(normalized_question))


def rest_of_metadata_question(normalized_question: str) -> str:
    """The question without its metadata phrases and fillers: the words naming the article."""
    rest = normalized_question
    for regexes in _META_RES.values():
        for regex in regexes:
            rest = regex.sub(" ", rest)
    return _FILLER_RE.sub(" ", rest)
