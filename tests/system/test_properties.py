"""Property-based tests: bad input gets a clear answer, never a crash.

Three targets, each fed arbitrary and hostile input by hypothesis:

1. the article parser (``parse_bytes``, ``parse_text``): returns Articles that keep the
   output invariants, or raises ``ArticleError`` with a non-empty one-line message;
2. the question path (``Library.ask`` over the bundled corpus, then ``render_html`` /
   ``render_plain``): returns an AnswerSet or raises ``QuestionError``, and every reply is
   valid Telegram HTML;
3. the renderer (``render_html`` / ``render_plain`` over Articles/AnswerSets built from
   arbitrary strings): valid Telegram HTML, and article text is shown as text, never markup.

Example counts come from the hypothesis profile (tests/conftest.py): "dev" 300 per property,
"ci" (CI=true) 10,000. The huge-input tests (1 MB) pin a few examples of their own.

Every message is checked twice: by the renderer's own ``check_telegram_html`` and by
``strict_telegram_html`` below, written independently from the Bot API documentation
(Telegram's tags and attributes only, balanced and properly nested, ``&lt; &gt; &amp;
&quot;`` as the only entities, http(s) links, valid Unicode, 1..4096 UTF-16 code units,
some visible text).
"""

from __future__ import annotations

import dataclasses
import html
import json
import re
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.answers.answerer import Answer, AnswerSet
from bot.answers.markup import MAX_MESSAGE_UNITS, check_telegram_html
from bot.answers.render import render_html, render_plain
from bot.config import load_config
from bot.errors import ArticleError, QuestionError
from bot.ingest.parsing import parse_bytes, parse_text
from bot.library import Library
from bot.models import Article, Contributor, Paragraph, chat_scope

REPO = Path(__file__).resolve().parents[2]
MB = 1_000_000

#: Examples per property from the profile (tests/conftest.py: dev 300, ci 10,000). The main
#: property of each target runs that many; the side properties of a target run a share of it
#: (``scaled``) so the CI run stays within its time budget.
EXAMPLES = settings().max_examples


def scaled(share: float) -> settings:
    return settings(max_examples=max(50, int(EXAMPLES * share)))


# ------------------------------------------------------------------------------------------
# The strict validator
# ------------------------------------------------------------------------------------------

#: Telegram's HTML parse mode (https://core.telegram.org/bots/api#html-style): tag → the
#: attributes it may carry.
TELEGRAM_TAGS = {
    "b": set(),
    "strong": set(),
    "i": set(),
    "em": set(),
    "u": set(),
    "ins": set(),
    "s": set(),
    "strike": set(),
    "del": set(),
    "tg-spoiler": set(),
    "span": {"class"},
    "a": {"href"},
    "code": {"class"},
    "pre": set(),
    "blockquote": {"expandable"},
    "tg-emoji": {"emoji-id"},
}
_TAG = re.compile(r'<(/?)([a-z][a-z0-9-]*)((?:\s+[a-z-]+(?:="[^"<>]*")?)*)\s*>')
_ATTR = re.compile(r'\s+([a-z-]+)(?:="([^"<>]*)")?')
_ENTITY = re.compile(r"&(?:lt|gt|amp|quot);")


def _check_text(text: str, where: str) -> None:
    if ">" in text:
        raise AssertionError(f"raw '>' in {where}: {text!r:.80}")
    for amp in re.finditer("&", text):
        if not _ENTITY.match(text, amp.start()):
            raise AssertionError(
                f"bare '&' or other entity in {where}: {text[amp.start() :][:12]!r}"
            )


def strict_telegram_html(message: str) -> str:
    """Raise AssertionError unless ``message`` is valid Telegram HTML; returns the visible text."""
    assert isinstance(message, str), type(message)
    try:
        message.encode("utf-8")  # lone surrogates cannot be sent (nor stored, nor logged)
    except UnicodeEncodeError as exc:
        raise AssertionError(f"message is not valid Unicode: {exc}") from None
    units = len(message.encode("utf-16-le")) // 2
    assert 1 <= units <= MAX_MESSAGE_UNITS, f"{units} UTF-16 units"
    stack: list[str] = []
    visible: list[str] = []
    pos = 0
    while True:
        lt = message.find("<", pos)
        chunk = message[pos:] if lt == -1 else message[pos:lt]
        _check_text(chunk, "text")
        visible.append(html.unescape(chunk))
        if lt == -1:
            break
        tag = _TAG.match(message, lt)
        if not tag:
            raise AssertionError(f"raw '<' or malformed tag: {message[lt : lt + 30]!r}")
        closing, name, attrs = tag.groups()
        if name not in TELEGRAM_TAGS:
            raise AssertionError(f"<{name}> is not a Telegram tag")
        if closing:
            assert not attrs.strip(), f"</{name}> with attributes"
            assert stack and stack[-1] == name, f"</{name}> closes {stack}"
            stack.pop()
        else:
            seen = {}
            for attr in _ATTR.finditer(attrs):
                key, value = attr.groups()
                assert key in TELEGRAM_TAGS[name], f"attribute {key} on <{name}>"
                assert key not in seen, f"attribute {key} twice"
                if value is not None:
                    _check_text(value, f"attribute {key}")
                seen[key] = value
            if name == "a":
                href = html.unescape(seen.get("href") or "")
                assert re.match(r"https?://\S", href, re.IGNORECASE), f"href {href!r}"
                assert not re.search(r"[\s\x00-\x1f\x7f]", href), f"href {href!r}"
            assert name not in stack, f"<{name}> nested in itself: {stack}"
            if stack and stack[-1] in ("code", "pre"):
                assert stack[-1] == "pre" and name == "code", f"<{name}> inside <{stack[-1]}>"
            stack.append(name)
        pos = tag.end()
    assert not stack, f"unclosed {stack}"
    seen_text = "".join(visible)
    assert seen_text.strip(), "no visible text"
    return seen_text


def assert_valid_reply(message: str) -> str:
    strict = strict_telegram_html(message)
    check_telegram_html(message)  # the renderer's own validator agrees
    return strict


def blockquotes(message: str) -> list[str]:
    """The visible text of each <blockquote> of a message."""
    return [
        html.unescape(re.sub(r"</?b>", "", inner))
        for inner in re.findall(r"<blockquote>(.*?)</blockquote>", message, re.S)
    ]


@pytest.mark.parametrize(
    "message",
    [
        "",
        " \n ",
        "<b></b>",
        "x" * 4097,
        "两" * 4096 + "x",
        "😀" * 2049,
        "a\ud800b",
        "<b>x",
        "x</b>",
        "<b>x</i>",
        "<b><i>x</b></i>",
        "<script>x</script>",
        "<p>x</p>",
        "<br>",
        "a & b",
        "&nbsp;x",
        "&#39;x",
        "&amp",
        "x > y",
        "x < y",
        "<b x</b>",
        '<b class="c">x</b>',
        '<a href="javascript:alert(1)">x</a>',
        "<a>x</a>",
        '<a href="https://x.cn/ y">x</a>',
        '<a href="https://a.cn/"><a href="https://b.cn/">x</a></a>',
        "<blockquote><blockquote>x</blockquote></blockquote>",
        "<code><b>x</b></code>",
        '<a href="https://x.cn/" href="https://y.cn/">x</a>',
        "</blockquote>x",
    ],
)
def test_the_strict_validator_refuses_what_telegram_refuses(message):
    with pytest.raises(AssertionError):
        strict_telegram_html(message)


def test_the_renderers_validator_refuses_a_lone_surrogate_with_a_value_error():
    # it raised UnicodeEncodeError, which callers catching ValueError (tests/conftest.py) miss
    with pytest.raises(ValueError):
        check_telegram_html("a\ud800b")


@pytest.mark.parametrize(
    "message",
    [
        "x",
        "两" * 4096,
        "😀" * 2048,
        "<b>粗</b> &lt;b&gt; &amp;amp; &quot;",
        "<blockquote>引文</blockquote>\n— 来源",
        '<a href="https://x.cn/?a=1&amp;b=&quot;2&quot;">标题</a>',
        "<pre><code>x</code></pre>",
        "<blockquote expandable><b>x</b></blockquote>",
        "\u202e👨‍👩‍👧\u0301",
    ],
)
def test_the_strict_validator_accepts_valid_telegram_html(message):
    assert strict_telegram_html(message)


# ------------------------------------------------------------------------------------------
# Strategies
# ------------------------------------------------------------------------------------------

EMOJI = ["😀", "👨‍👩‍👧", "🇨🇳", "👍🏽", "❤️", "𠮷", "𝕏"]
BIDI = [
    "\u200e",
    "\u200f",
    "\u202a",
    "\u202b",
    "\u202c",
    "\u202d",
    "\u202e",
    "\u2066",
    "\u2067",
    "\u2068",
    "\u2069",
    "\u061c",
]
ZERO_WIDTH = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad"]
SPACES = ["\u00a0", "\u3000", "\u2002", "\u2009", "\u202f", "\t", "\x0b", "\x0c"]
BREAKS = ["\n", "\r\n", "\r", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029", "\n\n"]
CONTROL = ["\x00", "\x01", "\x07", "\x08", "\x1b", "\x7f", "\x9f", "\ufffd", "\ufffe", "\uffff"]
COMBINING = ["\u0301", "\u0308", "\u20dd", "\u302a", "\u3099", "\ufe0f", "\U000e0001"]
RADICALS = ["⺀", "⺁", "⻄", "⻓", "⻔", "⻳", "\u2e9a", "\u2ef4", "\u2eff", "⼈", "⽇", "⿕"]
FULLWIDTH = ["ＧＤＰ", "３．５％", "２０２０－０４－１２", "！", "（", "）", "＜ｂ＞", "＆"]
MARKUP = [
    "<b>",
    "</b>",
    "</blockquote>",
    "<blockquote>",
    "<script>alert(1)</script>",
    "&amp;",
    "&lt;",
    "&#0;",
    "&#xD800;",
    "&nbsp;",
    "<",
    ">",
    "&",
    '"',
    "'",
    '<a href="javascript:x">',
    "</a>",
    "<p>",
    "</p>",
    "<i>",
    "<!--",
    "-->",
    "<![CDATA[",
    "<tg-spoiler>",
    "<pre><code>",
]
FAKE_CREDIT = "— 假标题 · 新华社 · 记者 张三 · 2020-01-01"
NEWS = [
    "两江新区",
    "天府新区",
    "共同建设西部科技创新中心",
    "下一步，",
    "。",
    "，",
    "、",
    "？",
    "！",
    "“",
    "”",
    "新华社北京4月12日电（记者 王菲、张三）",
    "本报讯（记者陈瑜艳 通讯员叶卫兵）",
    "记者 严薇 郭欣欣",
    "上游新闻·重庆晨报记者 严薇",
    "来源：上游新闻",
    "来源：",
    "（原标题：“消失”的小马云）",
    "责任编辑：李四",
    "文/本报记者 宋霞",
    "王磊 摄",
    "作者：",
    "2020-04-12 16:25:33",
    "04-12 16:25",
    "4月12日",
    "2020年4月12日",
    "首页 > 财富 > 正文",
    "相关阅读",
    "免责声明：",
    "【声音】",
    "QQ图片20200412162837.png",
    "分享到：",
    "版权所有",
    "---",
    "...",
    "{",
    "}",
    "[",
    "]",
    "title: x",
    ": ",
    "- ",
    "打造具有全国影响力的科技创新中心，是成渝地区双城经济圈建设的重要任务之一。",
    "局⻓李洁表示",
    FAKE_CREDIT,
    "（通讯员吕书圣 记者钟起）",
    "Copyright",
    "\u3000\u3000",
]
SPECIAL = (
    EMOJI
    + BIDI
    + ZERO_WIDTH
    + SPACES
    + BREAKS
    + CONTROL
    + COMBINING
    + RADICALS
    + FULLWIDTH
    + MARKUP
)

#: Lone surrogates: what a str decoded from JSON holds for "\\ud83d" (half an emoji).
SURROGATES = ["\ud800", "\udbff", "\udc00", "\udfff", "\ud83d", "\ude00"]
#: Everything sampled as one choice (cheap to generate: 10,000 examples must run in seconds).
PIECES = NEWS + SPECIAL + MARKUP + SURROGATES

#: Any character, plus lone surrogates and the special ones.
any_char = st.one_of(st.characters(), st.sampled_from(SURROGATES + SPECIAL))


def any_chars(max_size: int) -> st.SearchStrategy[str]:
    return st.one_of(st.text(max_size=max_size), st.lists(any_char, max_size=max_size).map("".join))


#: Text made of pieces of news, markup, odd characters and arbitrary ones.
piece = st.one_of(
    st.sampled_from(PIECES),
    st.text(max_size=4),
    st.text(st.characters(min_codepoint=0x4E00, max_codepoint=0x4F00), min_size=1, max_size=8),
)
messy_text = st.lists(piece, max_size=16).map("".join)
#: Plain strings of any characters (no lone surrogates): what a decoded file can hold.
unicode_text = st.lists(
    st.one_of(st.sampled_from(NEWS + SPECIAL), st.text(max_size=4)), max_size=16
).map("".join)

ENCODINGS = [
    "utf-8",
    "utf-8-sig",
    "gbk",
    "gb18030",
    "big5",
    "latin-1",
    "utf-16",
    "utf-16-le",
    "utf-16-be",
    "utf-32",
    "cp1252",
    "shift_jis",
]


@st.composite
def encoded(draw, text_strategy=unicode_text) -> bytes:
    text = draw(text_strategy)
    codec = draw(st.sampled_from(ENCODINGS))
    return text.encode(codec, errors=draw(st.sampled_from(["replace", "ignore"])))


json_scalar = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), any_chars(10), st.sampled_from(NEWS)
)
json_value = st.recursive(
    json_scalar,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.one_of(
                st.sampled_from(["text", "id", "title", "reporters", "date"]), st.text(max_size=5)
            ),
            inner,
            max_size=3,
        )
    ),
    max_leaves=6,
)
RECORD_KEYS = [
    "id",
    "title",
    "source",
    "date",
    "date_iso",
    "url",
    "section",
    "original_title",
    "reporters",
    "editors",
    "photographers",
    "contributors",
    "paragraphs",
]
json_record = st.one_of(
    st.fixed_dictionaries(
        {"text": st.one_of(messy_text, messy_text, json_value)},
        optional={
            key: st.one_of(json_value, messy_text, st.lists(messy_text, max_size=3))
            for key in RECORD_KEYS
        },
    ),
    json_value,
)


@st.composite
def json_file(draw) -> tuple[bytes, str]:
    """A .json/.jsonl file of records with right and wrong types; lone surrogates escaped."""
    records = draw(st.lists(json_record, max_size=4))
    ascii_only = draw(st.booleans())
    kind = draw(st.sampled_from(["json-list", "json-one", "jsonl", "sniffed"]))
    dumps = lambda value: json.dumps(value, ensure_ascii=ascii_only)  # noqa: E731
    if kind == "json-list":
        text, name = dumps(records), "records.json"
    elif kind == "json-one":
        text, name = dumps(records[0] if records else None), "record.json"
    elif kind == "jsonl":
        text, name = "\n".join(dumps(r) for r in records), "records.jsonl"
    else:
        text, name = "\n".join(dumps(r) for r in records), "records.dat"
    return text.encode("utf-8", errors="surrogatepass"), name


yaml_value = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(allow_nan=False),
        st.text(st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), max_size=8),
        st.dates(),
    ),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(["title", "id", "reporters", "date", "url", "source"]),
            inner,
            max_size=3,
        )
    ),
    max_leaves=6,
)


@st.composite
def front_matter_file(draw) -> tuple[bytes, str]:
    """Markdown with front matter: mappings with wrong types, lists, scalars, broken YAML."""
    kind = draw(st.sampled_from(["dump", "dump", "garbage"]))
    if kind == "dump":
        head = yaml.safe_dump(draw(yaml_value), allow_unicode=True)
    else:
        head = draw(
            st.lists(
                st.sampled_from(
                    [
                        "title: [",
                        "- a",
                        "? x",
                        ": y",
                        "&a [*a]",
                        "!!python/object:os.system",
                        "title: {",
                        "'",
                        '"',
                        "\t",
                        "key: value",
                        "id: !!binary aGVsbG8=",
                        "%YAML 1.1",
                        "---",
                    ]
                )
                | messy_text,
                max_size=5,
            ).map("\n".join)
        )
    body = draw(messy_text)
    end = draw(st.sampled_from(["---", "...", "--- ", ""]))
    text = f"---\n{head}\n{end}\n{body}"
    return text.encode("utf-8", errors="surrogatepass"), draw(
        st.sampled_from(["a.md", "a.txt", "a"])
    )


TAGS = [
    "<html>",
    "<body>",
    "</body>",
    "<p>",
    "</p>",
    '<div class="article-content">',
    "</div>",
    "<article>",
    "</article>",
    "<br>",
    "<br/>",
    "<script>",
    "</script>",
    "<style>",
    "<nav>",
    "<h1>",
    "</h1>",
    "<title>",
    "</title>",
    "<table><tr><td>",
    "<li>",
    "<!--",
    "-->",
    "<![CDATA[",
    "]]>",
    "<?xml version='1.0' encoding='utf-8'?>",
    "<!DOCTYPE html>",
    '<meta property="og:title" content="标题<b>">',
    '<meta name="author" content="记者 张三">',
    '<meta property="article:published_time" content="2020-13-45T99:99">',
    '<link rel="canonical" href="javascript:alert(1)">',
    '<meta property="og:url" content="">',
    '<div itemprop="articleBody">',
    "<p",
    "<",
    ">",
    "</",
    "&",
    "&#0;",
    "&#xD800;",
    "&nbsp;",
    "&amp;",
    "<svg><p>",
    '<div class="share">',
    "<img src=x onerror=alert(1)>",
    "<a href=x>",
]


@st.composite
def html_file(draw) -> tuple[bytes, str]:
    pieces = draw(st.lists(st.one_of(st.sampled_from(TAGS), piece), max_size=30))
    codec = draw(st.sampled_from(["utf-8", "utf-8", "gb18030", "utf-16"]))
    data = "".join(pieces).encode(codec, errors="surrogatepass" if codec == "utf-8" else "replace")
    return data, draw(st.sampled_from(["page.html", "page.htm", "page.xhtml", "page.txt", "page"]))


NAMES = st.sampled_from(
    [
        "a.txt",
        "a.TXT",
        "a.text",
        "a.html",
        "a.htm",
        "a.xhtml",
        "a.md",
        "a.markdown",
        "a.json",
        "a.jsonl",
        "a",
        "a.bin",
        "a.png",
        ".txt",
        "目录/文章 1.txt",
        "a.tar.gz",
    ]
)


@st.composite
def any_file(draw) -> tuple[bytes, str]:
    """Bytes of every kind, named in every way: binary as .txt, GBK/Big5/UTF-16/latin-1 text,
    BOMs with the wrong encoding, JSON with wrong types, front matter, broken HTML."""
    kind = draw(st.integers(0, 7))
    if kind == 0:
        return draw(st.binary(max_size=300)), draw(NAMES)
    if kind == 1:
        prefix = draw(
            st.sampled_from(
                [
                    b"",
                    b"\xef\xbb\xbf",
                    b"\xff\xfe",
                    b"\xfe\xff",
                    b"\xff\xfe\x00\x00",
                    b"\x89PNG\r\n\x1a\n",
                    b"%PDF-1.4\n",
                    b"PK\x03\x04",
                ]
            )
        )
        return prefix + draw(st.one_of(encoded(), st.binary(max_size=100))), draw(NAMES)
    if kind == 2:
        return draw(encoded()), draw(NAMES)
    if kind == 3:
        return draw(messy_text).encode("utf-8", errors="surrogatepass"), draw(NAMES)
    if kind == 4:
        return draw(json_file())
    if kind == 5:
        return draw(front_matter_file())
    if kind == 6:
        return draw(html_file())
    return draw(encoded(messy_text.map(lambda t: t.encode("utf-8", "ignore").decode()))), draw(
        NAMES
    )


# ------------------------------------------------------------------------------------------
# Parser invariants
# ------------------------------------------------------------------------------------------

_RADICAL_BLOCK = re.compile("[\u2e80-\u2eff]")
#: Zero-width characters (ZWSP, ZWNJ, ZWJ, word joiner, BOM/ZWNBSP, soft hyphen).
_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_SURROGATE = re.compile("[\ud800-\udfff]")
#: Control characters (line breaks included: a paragraph is one line of text).
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def assert_article_invariants(article: Article) -> None:
    assert isinstance(article, Article)
    assert isinstance(article.id, str) and article.id.strip()
    assert article.paragraphs, "an article without paragraphs"
    assert article.body, "an article without a quotable paragraph"
    for position, p in enumerate(article.paragraphs):
        # ids <article id>#<n>: unique and increasing, n counting every paragraph from 0
        assert p.id == f"{article.id}#{position}", (p.id, position)
        assert p.position == position
        assert p.kind in ("paragraph", "heading")
        assert isinstance(p.text, str) and p.text, f"empty paragraph {p.id}"
        assert p.text == p.text.strip(), f"whitespace around {p.text!r}"
        assert not _RADICAL_BLOCK.search(p.text), f"CJK radical left in {p.text!r}"
        assert not _ZERO_WIDTH.search(p.text), f"zero-width character left in {p.text!r}"
        assert not _CONTROL.search(p.text), f"control character left in {p.text!r}"
    # what the parser returns can be stored (SQLite/JSON, UTF-8) and read back unchanged
    data = json.dumps(article.to_json(), ensure_ascii=False)
    data.encode("utf-8")
    assert Article.from_json(json.loads(data)) == article
    for name in article.reporters + article.editors + article.photographers:
        assert isinstance(name, str) and name.strip()
    for contributor in article.contributors:
        assert isinstance(contributor, Contributor) and contributor.name.strip()


def assert_clear_error(exc: ArticleError) -> None:
    message = str(exc)
    assert message.strip(), "an ArticleError without a message"
    assert len(message.splitlines()) == 1, f"not one line: {message!r}"
    message.encode("utf-8")  # printable on stderr / in a Telegram reply


def parse_or_refuse(data: bytes, name: str, **kwargs) -> list[Article] | None:
    try:
        articles = parse_bytes(data, name=name, **kwargs)
    except ArticleError as exc:
        assert_clear_error(exc)
        return None
    assert isinstance(articles, list) and articles
    for article in articles:
        assert_article_invariants(article)
    return articles


# -- target 1: the parser -------------------------------------------------------------------


@given(any_file())
# lone surrogate in a JSON record (a scraper cut an emoji in half): crashed in sha1's encode
@example((b'{"text": "\\ud83d\\u4e2d\\u6587\\u6bb5\\u843d\\u3002"}', "a.json"))
@example(
    (
        b'{"text": "\\u4e2d\\u6587\\u6bb5\\u843d\\u3002", "id": "\\udc00", "url": "\\ud800"}',
        "a.json",
    )
)
# a record id with a line break made the error message two lines
@example((b'{"id": "x\\ny", "text": 5}', "a.json"))
# only a zero-width title left: the fallback paragraph was empty
@example(('---\ntitle: "\\u200b"\n---\n来源：新华社'.encode(), "a.md"))
# an XHTML page with its XML declaration: lxml refused the str, the article was lost
@example(
    (
        '<?xml version="1.0" encoding="utf-8"?><html><body><p>两江新区和天府新区将共同建设西部科技创新中心。</p>'
        "</body></html>".encode(),
        "a.xhtml",
    )
)
# U+2E80 (REPEAT) and unassigned code points of the radicals block were left in paragraphs
@example(("⺀测试\u2e9a段落\u2eff内容。".encode(), "a.txt"))
# JSON and YAML nested thousands deep: RecursionError escaped json.loads / yaml.safe_load
@example((b"[" * 100_000 + b"]" * 100_000, "a.json"))
@example((b'{"text": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "a.jsonl"))
@example((b'{"a":' * 50_000 + b"1" + b"}" * 50_000, "a"))
@example((b"---\ntitle: " + b"[" * 5_000 + b"]" * 5_000 + b"\n---\nbody text.", "a.md"))
@example((b"---\ntitle: " + b"{a: " * 3_000 + b"1" + b"}" * 3_000 + b"\n---\nbody text.", "a.md"))
# U+2028 inside an HTML paragraph (only text files are split at it) stayed in the paragraph
@example(("两江新区\u2028<".encode(), "page.html"))
# control characters in a page's text: lxml raised ValueError setting them as text
@example(
    (
        b"<html><body><p>\xe4\xb8\xa4\xe6\xb1\x9f</p><script>x</script>\x1f\xe6\x96\xb0\xe5\x8c\xba</body></html>",
        "a.html",
    )
)
@example((b"", "a.txt"))
@example((b"\x00" * 10, "a.txt"))
@example(("中文新聞段落，記者報道。".encode("big5"), "a.txt"))
@example(("两江新区和天府新区将共同建设西部科技创新中心。".encode("gbk"), "a.txt"))
@example(("两江新区和天府新区将共同建设西部科技创新中心。".encode("utf-16"), "a.txt"))
@example(("café crème brûlée".encode("latin-1"), "a.txt"))
@example((b"---\n- a\n- b\n---\nbody text.", "a.md"))
@example((b'[1, null, {"text": 5}]', "a.json"))
def test_parse_bytes_returns_articles_or_a_clear_error(file):
    data, name = file
    first = parse_or_refuse(data, name)
    # deterministic: the same bytes give the same articles (ids, paragraphs, credits)
    second = parse_or_refuse(data, name)
    assert first == second


@scaled(0.05)
@given(
    st.binary(min_size=1, max_size=200).flatmap(
        lambda data: st.tuples(st.just(data), st.integers(0, len(data) - 1))
    )
)
def test_parse_bytes_refuses_files_over_max_bytes(case):
    data, limit = case
    with pytest.raises(ArticleError) as caught:
        parse_bytes(data, name="big.txt", max_bytes=limit)
    assert_clear_error(caught.value)
    assert "too large" in str(caught.value)


metadata_value = st.one_of(st.none(), messy_text, st.lists(messy_text, max_size=3), json_value)
metadata = st.one_of(
    st.none(),
    st.dictionaries(st.sampled_from(RECORD_KEYS + ["text", "junk"]), metadata_value, max_size=4),
)


@scaled(0.15)
@given(text=messy_text, meta=metadata, is_html=st.booleans())
@example(text="来源：新华社", meta={"title": "\u200b"}, is_html=False)
@example(text="正文内容很多很多。", meta={"id": "\ud800"}, is_html=False)
@example(text="\ud83d两江新区和天府新区将共同建设西部科技创新中心。", meta=None, is_html=False)
# a zero-width reporter name became an empty name
@example(
    text="两江新区和天府新区将共同建设西部科技创新中心。",
    meta={"reporters": "\u200b"},
    is_html=False,
)
@example(
    text="两江新区和天府新区将共同建设西部科技创新中心。",
    meta={"reporters": ["\u200b", "严薇"]},
    is_html=True,
)
# a title-only record whose title held a carriage return quoted it with the \r (found in CI)
@example(text="", meta={"title": "0\r0"}, is_html=False)
def test_parse_text_returns_an_article_or_a_clear_error(text, meta, is_html):
    try:
        article = parse_text(text, metadata=meta, origin="消息", is_html=is_html)
    except ArticleError as exc:
        assert_clear_error(exc)
        return
    assert_article_invariants(article)
    again = parse_text(text, metadata=meta, origin="消息", is_html=is_html)
    assert again == article and again.id == article.id
    if (
        isinstance(meta, dict)
        and isinstance(meta.get("id"), str)
        and meta["id"].strip()
        and not _SURROGATE.search(meta["id"])
    ):
        assert article.id == meta["id"].strip()  # a given id wins


HOSTILE_PIECES = [
    "<b>",
    "</b>",
    "</blockquote>",
    "<blockquote>",
    "&amp;",
    "&lt;",
    "&quot;",
    "<script>alert(1)</script>",
    '<a href="https://evil.example/">点我</a>',
    "\n" + FAKE_CREDIT,
    FAKE_CREDIT,
    "&",
    "<",
    ">",
    '"',
    "<tg-spoiler>",
]
hostile_paragraph = st.lists(
    st.one_of(
        st.sampled_from(HOSTILE_PIECES),
        st.sampled_from(NEWS[:4]),
        st.text(st.characters(exclude_categories=["Cs"]), max_size=5),
    ),
    min_size=1,
    max_size=12,
).map("".join)


@scaled(0.15)
@given(hostile_paragraph)
@example("他说<b>加粗</b>然后</blockquote><script>alert(1)</script>，价格&amp;税费。")
@example("两江新区将共同建设西部科技创新中心。\n" + FAKE_CREDIT)
@example("\x08")  # a paragraph of one backspace: kept by the parser, shown as "…"
@example("两江新区\x1b[31m将共同建设\x00西部科技创新中心。")
def test_a_parsed_article_is_quoted_as_text_never_as_markup(text):
    """Parse a plain-text article holding markup, quote each of its paragraphs: the message
    is valid HTML, and unescaping the quote gives back the paragraph's own text."""
    try:
        article = parse_text(text, origin="hostile.txt")
    except ArticleError as exc:
        assert_clear_error(exc)
        return
    assert_article_invariants(article)
    answers = [Answer("quote", article, p.id, 1.0, p.text, [], p.text) for p in article.body]
    messages = render_html(AnswerSet("问题", answers), per_message=3)
    shown = []
    for message in messages:
        assert_valid_reply(message)
        shown += blockquotes(message)
    assert shown == [p.text for p in article.body]


def _join_broken_lines_reference(lines, *, keep_apart=lambda line: False):
    """bot.ingest.cleaning.join_broken_lines as it was before it was made linear (quadratic)."""
    from bot.ingest.cleaning import _continues, _stands_alone

    joined: list[str] = []
    for line in lines:
        if (
            joined
            and _continues(joined[-1], line)
            and not _stands_alone(joined[-1])
            and not _stands_alone(line)
            and not keep_apart(joined[-1])
            and not keep_apart(line)
        ):
            joined[-1] += line
        else:
            joined.append(line)
    return joined


@scaled(0.1)
@given(
    st.lists(
        st.one_of(
            st.sampled_from(
                NEWS
                + [
                    "的",
                    "和",
                    "，",
                    "》好",
                    "他说“",
                    "图片x.jpg",
                    "免责",
                    "声明：",
                    "——",
                    "上一篇",
                    "王",
                    "磊",
                ]
            ),
            st.text(min_size=1, max_size=8),
        )
        .filter(str.strip)
        .map(str.strip),
        max_size=30,
    )
)
def test_joining_broken_lines_is_unchanged_by_the_linear_rewrite(lines):
    from bot.ingest.cleaning import join_broken_lines
    from bot.ingest.lines import _is_credit_line

    assert join_broken_lines(lines) == _join_broken_lines_reference(lines)
    assert join_broken_lines(lines, keep_apart=_is_credit_line) == _join_broken_lines_reference(
        lines, keep_apart=_is_credit_line
    )


def _drop_chrome_reference(root) -> None:
    """bot.ingest.webpage._drop_chrome as it was before it was made linear (quadratic)."""
    from bot.ingest.webpage import _CHROME_TAGS, _has_chrome_word

    doomed = [el for el in root.iter(*_CHROME_TAGS)]
    doomed += [
        el
        for el in root.iter()
        if isinstance(el.tag, str) and el.tag not in ("html", "body") and _has_chrome_word(el)
    ]
    doomed += [el for el in root.iter() if not isinstance(el.tag, str)]
    for el in doomed:
        parent = el.getparent()
        if parent is not None:
            if el.tail and el.tail.strip():
                previous = el.getprevious()
                if previous is not None:
                    previous.tail = (previous.tail or "") + el.tail
                else:
                    parent.text = (parent.text or "") + el.tail
            parent.remove(el)


@scaled(0.1)
@given(
    st.lists(
        st.one_of(
            st.sampled_from(
                TAGS
                + [
                    '<span class="share">',
                    "</span>",
                    "<nav>",
                    "</nav>",
                    '<div class="related">',
                    "<aside>",
                    "</aside>",
                ]
            ),
            st.sampled_from(NEWS),
            st.text(max_size=3),
        ),
        max_size=25,
    ).map("".join)
)
@example("<div><p>开头</p><script></script>两江新区<!--x--> 新区<nav>菜单</nav>尾巴</div>")
def test_dropping_page_chrome_is_unchanged_by_the_linear_rewrite(markup):
    from unittest import mock

    from bot.ingest import webpage

    page = webpage.parse_page(markup)
    with mock.patch.object(webpage, "_drop_chrome", _drop_chrome_reference):
        assert webpage.parse_page(markup) == page


@pytest.mark.parametrize(
    "make",
    [
        lambda n: (
            "<html><body><div><p>开头</p>"
            + "<script></script>两江新区建设。" * n
            + "</div></body></html>"
        ),
        lambda n: "<p>开头</p>" + "<!--x-->两江。" * n,
        lambda n: "<p>开头</p>" + '<span class="share">x</span>两江。' * n,
    ],
    ids=["script-tails", "comment-tails", "chrome-class-tails"],
)
def test_a_megabyte_page_of_dropped_chrome_parses(make):
    """Every dropped element (script, comment, share widget) with text after it: each tail
    was appended to one growing string, quadratic (1.5 MB took 44 s). Its time is measured
    by bench/bench_parse.py (adversarial inputs), not here."""
    markup = make(MB // 40)
    [article] = parse_bytes(markup.encode(), name="page.html")
    assert_article_invariants(article)
    assert "两江" in article.body[-1].text


@pytest.mark.parametrize("unit", ["两江新区，\n", "的\n", "他说“\n", "》好\n"])
def test_a_megabyte_of_broken_lines_parses(unit):
    """Lines that all continue each other (ending in ，, opening a quote, function words)
    are joined into one paragraph; that was quadratic: 1.28 MB of `两江新区，` lines took 93 s
    (a DoS through /add). Its time is measured by bench/bench_parse.py, not here."""
    data = (unit * (MB // len(unit.encode()))).encode()
    [article] = parse_bytes(data, name="broken.txt")
    assert_article_invariants(article)
    assert len(article.body) == 1 and len(article.body[0].text) > MB // 6


@pytest.mark.parametrize("use", ["", "reporters: *a11\n", "title: *a11\n"])
def test_front_matter_alias_bombs_are_not_expanded(use):
    """A 700-byte Markdown file whose front matter nests YAML aliases nine wide, twelve deep
    (9¹² strings if copied out): at eight levels the old parser took 14 s and 1.1 GB, so
    expanding these twelve would exhaust the machine's memory long before finishing."""
    lines = ["---", "a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 12)]
    data = (
        "\n".join(lines)
        + "\n"
        + use
        + "---\n正文内容，两江新区和天府新区将共同建设西部科技创新中心。"
    ).encode()
    articles = parse_or_refuse(data, "bomb.md")
    if use:
        assert articles is None  # a list of lists is no title or reporter list: refused
    else:
        assert articles and articles[0].body[0].text.startswith("正文内容")


def test_an_xhtml_page_with_an_xml_declaration_is_read():
    # lxml refuses a str opening with an encoding declaration: the page used to give
    # "no article text left after cleaning"
    page = (
        '<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html><html xmlns="http://www.w3.org/1999/xhtml">'
        "<head><title>川渝创新</title></head><body><p>两江新区和天府新区将共同建设西部科技创新中心。</p>"
        "</body></html>"
    )
    [article] = parse_bytes(page.encode(), name="page.xhtml")
    assert [p.text for p in article.body] == ["两江新区和天府新区将共同建设西部科技创新中心。"]
    assert article.title == "川渝创新"


# -- huge inputs (few examples) ---------------------------------------------------------------

NEWS_PARAGRAPH = "下一步，两江新区、天府新区将依托两江协同创新区和成都科学城等创新平台，共同建设西部科技创新中心。"


@settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    kind=st.sampled_from(
        [
            "paragraphs",
            "one-line",
            "html",
            "unclosed",
            "angles",
            "binary",
            "json",
            "jsonl",
            "front-matter",
            "spaces",
            "emoji",
        ]
    ),
    name=st.sampled_from(["big.txt", "big.html", "big.json", "big.jsonl", "big.md", "big"]),
)
@example(kind="paragraphs", name="big.txt")
@example(kind="jsonl", name="big.jsonl")
@example(kind="html", name="big.html")
@example(kind="binary", name="big.txt")
@example(kind="emoji", name="big.txt")
def test_one_megabyte_files_are_parsed_or_refused(kind, name):
    data = {
        "paragraphs": ("\n".join([NEWS_PARAGRAPH] * 12_000)).encode()[:MB],
        "one-line": (NEWS_PARAGRAPH * 12_000).encode()[:MB],
        "html": ("<html><body>" + ("<p>" + NEWS_PARAGRAPH + "</p>") * 8_000).encode()[:MB],
        "unclosed": ("<div><p>" + NEWS_PARAGRAPH).encode() * 5_000,
        "angles": b"<" * MB,
        "binary": bytes(range(256)) * (MB // 256),
        "json": json.dumps({"text": NEWS_PARAGRAPH * 9_000, "title": "<b>" * 1000}).encode(),
        "jsonl": (
            "\n".join(json.dumps({"text": NEWS_PARAGRAPH, "id": str(i)}) for i in range(6_000))
        ).encode(),
        "front-matter": ("---\ntitle: " + "长" * 300_000 + "\n---\n" + NEWS_PARAGRAPH).encode(),
        "spaces": ("\u3000 \u200b\n" * 200_000).encode(),
        "emoji": ("👨‍👩‍👧\u202e" * 50_000).encode(),
    }[kind]
    assert len(data) >= MB // 2
    parse_or_refuse(data, name)


# ------------------------------------------------------------------------------------------
# Target 2: the question path
# ------------------------------------------------------------------------------------------

CHAT = chat_scope(-100)
HOSTILE_ARTICLE = (
    "黑客<b>加粗</b>然后</blockquote><script>alert(1)</script>，价格&amp;税费 &lt;5&gt; “引号”，"
    "量子计算实验室将与华中科技大学合作。\n\n"
    '量子通信网络由光谷实验室建设，首批投入资金三亿元。<a href="https://evil.example/">点此</a>'
    "\n" + FAKE_CREDIT + "\n\n"
    "光谷实验室负责人表示，<tg-spoiler>超导量子芯片</tg-spoiler>研究已经开始&nbsp;，明年完成。"
)


#: Ids of the library fixture's articles, for ``within_article`` (known once it is opened).
KNOWN_IDS: dict[str, str] = {}


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    """One Library over the bundled corpus (opened once: it costs time), plus one chat article
    whose text is full of markup and a fake attribution line."""
    config = load_config(REPO / "config.yaml")
    config = dataclasses.replace(config, data_dir=str(tmp_path_factory.mktemp("props") / "data"))
    library = Library.open(config)
    assert not library.problems, library.problems
    article = parse_text(
        HOSTILE_ARTICLE,
        metadata={
            "title": "<i>假</i>标题 & </a>",
            "source": '<a href="javascript:x">来源</a>',
            "url": 'https://example.com/a?x=1&y="2"',
        },
        origin="hostile.txt",
    )
    KNOWN_IDS["hostile"] = library.add_article(article, CHAT).id
    KNOWN_IDS["shared"] = library.list_articles("shared")[0].id
    yield library
    library.close()


QUESTION_WORDS = [
    "两江新区",
    "天府新区",
    "共同建设",
    "什么",
    "西部科技创新中心",
    "重庆高新区",
    "AI City",
    "记者是谁",
    "这篇文章的记者是谁？",
    "什么时候发布的？",
    "来源是哪里",
    "who wrote this?",
    "量子",
    "光谷实验室",
    "加粗",
    "script",
    "blockquote",
    "<b>",
    "&amp;",
    "华中科技大学",
    "兩江新區",
    "天府新區",
    "？",
    "?",
    " ",
    "的",
    "了",
    "上",
    "水",
]
question_text = st.lists(
    st.one_of(st.sampled_from(QUESTION_WORDS), st.sampled_from(SPECIAL), any_chars(5)), max_size=12
).map("".join)


@given(
    question=question_text,
    top=st.one_of(st.none(), st.integers(-1, 8)),
    per_article=st.one_of(st.none(), st.integers(-1, 3)),
    offset=st.integers(-1, 6),
    scopes=st.sampled_from([None, ["shared"], [CHAT], ["shared", CHAT], [], ["chat:0"], "shared"]),
    within=st.one_of(
        st.none(), st.sampled_from(["a", "", "\ud800", "nope#1", "hostile", "shared"])
    ),
    lang=st.sampled_from(["zh-hans", "zh-hant", "en", "xx"]),
    per_message=st.integers(1, 4),
)
@example(
    question="两江\ud800新区",
    top=None,
    per_article=None,
    offset=0,
    scopes=None,
    within=None,
    lang="zh-hans",
    per_message=3,
)  # crashed in OpenCC (UnicodeEncodeError)
@example(
    question="\udfff",
    top=None,
    per_article=None,
    offset=0,
    scopes=None,
    within=None,
    lang="en",
    per_message=3,
)  # the no-answer reply held the lone surrogate
@example(
    question="记者是谁",
    top=None,
    per_article=None,
    offset=0,
    scopes=None,
    within="\ud800",
    lang="zh-hans",
    per_message=1,
)  # the store could not encode the id to look it up
@example(
    question="这篇文章的记者是谁？",
    top=None,
    per_article=None,
    offset=0,
    scopes=None,
    within="hostile",
    lang="zh-hant",
    per_message=1,
)
@example(
    question="加粗 script 量子",
    top=5,
    per_article=2,
    offset=0,
    scopes=[CHAT],
    within=None,
    lang="zh-hans",
    per_message=1,
)
@example(
    question="\x00",
    top=None,
    per_article=None,
    offset=0,
    scopes=None,
    within=None,
    lang="zh-hans",
    per_message=3,
)
@example(
    question="记者是谁",
    top=None,
    per_article=None,
    offset=0,
    scopes="shared",
    within="a",
    lang="zh-hans",
    per_message=1,
)  # scopes given as one string met the follow-up scope check
def test_questions_get_answers_or_a_question_error_and_valid_replies(
    library, question, top, per_article, offset, scopes, within, lang, per_message
):
    within = KNOWN_IDS.get(within, within)
    try:
        answers = library.ask(
            question,
            scopes=scopes,
            top=top,
            per_article=per_article,
            within_article=within,
            offset=offset,
        )
    except QuestionError as exc:
        assert str(exc).strip()
        return
    assert isinstance(answers, AnswerSet)
    assert len(answers.answers) <= (top if top is not None else library.config.retrieval.top_k)
    messages = render_html(answers, lang=lang, per_message=per_message)
    assert messages
    quoted = []
    for message in messages:
        assert_valid_reply(message)
        assert message.count("<blockquote>") <= per_message
        quoted += blockquotes(message)
    quotes = [a for a in answers.answers]
    assert len(quoted) == len(quotes)
    for shown, answer in zip(quoted, quotes, strict=False):
        # the article's own characters, as text (hostile markup included), never markup
        assert shown == answer.excerpt or not answer.excerpt.strip()
        assert all(0 <= a < b <= len(answer.excerpt) for a, b in answer.highlights)
        if answer.kind == "quote":
            # a quote is a body paragraph of its article, and the excerpt is cut from it
            paragraph = answer.article.paragraph(answer.paragraph_id)
            assert paragraph is not None and paragraph.kind == "paragraph"
            assert answer.paragraph == paragraph.text and answer.excerpt.strip()
            for part in answer.excerpt.split("…"):
                assert part.strip() in paragraph.text
    plain = render_plain(answers, lang=lang)
    assert isinstance(plain, str) and plain.strip()


def test_the_hostile_article_is_quoted_as_text(library):
    answers = library.ask("加粗 script 量子 光谷实验室", scopes=[CHAT])
    assert answers.answers, "the chat article answers"
    [message, *_] = render_html(answers)
    assert_valid_reply(message)
    shown = blockquotes(message)
    assert any("<b>加粗</b>然后</blockquote><script>alert(1)</script>" in s for s in shown)
    assert any("&amp;税费 &lt;5&gt;" in s for s in shown)
    assert all(a.excerpt in shown for a in answers.answers)
    assert message.count("<blockquote>") == len(answers.answers)
    assert "<script>" not in message and "<tg-spoiler>" not in message
    assert 'href="https://evil.example/"' not in message


@settings(max_examples=4, deadline=None, suppress_health_check=list(HealthCheck))
@given(kind=st.sampled_from(["ascii", "cjk", "words", "markup", "emoji"]))
@example(kind="words")
def test_one_megabyte_questions_get_an_answer_or_a_question_error(library, kind):
    question = {
        "ascii": "a" * MB,
        "cjk": ("两江新区天府新区" * (MB // 8)),
        "words": "两江新区 共同建设 什么 " * (MB // 16),
        "markup": "<b>&amp;</blockquote>" * (MB // 22),
        "emoji": "👨‍👩‍👧\u202e\ud800" * (MB // 7),
    }[kind]
    try:
        answers = library.ask(question)
    except QuestionError as exc:
        assert str(exc).strip()
        return
    for message in render_html(answers):
        assert_valid_reply(message)
    assert isinstance(render_plain(answers), str)


# ------------------------------------------------------------------------------------------
# Target 3: the renderer
# ------------------------------------------------------------------------------------------

short_text = st.lists(piece, max_size=5).map("".join)
#: A field: missing, one piece, or a few (one choice in most examples: cheap to generate).
field_text = st.one_of(st.none(), st.sampled_from(PIECES), short_text)
names_list = st.lists(st.one_of(st.sampled_from(PIECES), short_text), max_size=2)
URLS = [
    "https://www.cqcb.com/a/1.html",
    'http://x.cn/?a=1&b="2"<>',
    "javascript:alert(1)",
    "https://example.com/" + "x" * 2100,
    "https://exa mple.com",
    "https://例子.中国/路径",
    "ftp://x",
    "HTTPS://X.CN",
    "https://x.cn/\x00",
    " https://x.cn ",
    "https://x.cn/\ud800",
]


@st.composite
def articles(draw) -> Article:
    article_id = draw(st.one_of(st.just("a1"), short_text))
    return Article(
        id=article_id,
        title=draw(field_text),
        source=draw(field_text),
        reporters=draw(names_list),
        contributors=[
            Contributor(n, r)
            for n, r in draw(
                st.lists(
                    st.tuples(
                        st.sampled_from(PIECES), st.sampled_from(["通讯员", "实习生", ""] + PIECES)
                    ),
                    max_size=2,
                )
            )
        ],
        editors=draw(names_list),
        date=draw(
            st.one_of(st.sampled_from(["2020-04-12T16:25:33", "2020-04-12", "2020-13"]), field_text)
        ),
        date_text=draw(field_text),
        url=draw(st.one_of(st.sampled_from(URLS), field_text)),
        paragraphs=[Paragraph(f"{article_id}#0", "段落")],
    )


#: Hand-made articles (one cheap choice) beside the generated ones.
FIXED_ARTICLES = [
    Article(
        "a1",
        title="唱好“双城记”建好“经济圈”",
        source="上游新闻·重庆晨报",
        reporters=["严薇", "郭欣欣"],
        date="2020-04-12T16:25:33",
        url="https://www.cqcb.com/a/1.html",
    ),
    Article(
        "a2",
        title="<i>标题</i> & </a>",
        source='<a href="javascript:x">来源</a>',
        reporters=["<b>严薇</b>", "&amp;"],
        contributors=[Contributor("</blockquote>", "<b>")],
        url='https://x.cn/?a=1&b="2"',
    ),
    Article("a3"),
    Article(
        "a4",
        title="长" * 5000,
        source="源" * 5000,
        reporters=["名" * 50] * 300,
        contributors=[Contributor("张三", f"角色{i}") for i in range(50)],
        date_text="四月" * 100,
        url="https://x.cn/" + "&" * 3000,
    ),
    Article(
        "a5",
        title=" \n\t\u3000",
        source="\u200b",
        reporters=[" ", ""],
        date="not a date",
        url="javascript:alert(1)",
    ),
]
excerpt_text = st.lists(st.one_of(piece, st.sampled_from(HOSTILE_PIECES)), max_size=10).map("".join)


@st.composite
def answer_sets(draw) -> AnswerSet:
    answers = []
    # attribution is rendered per answer: one article per set suffices
    pool = [draw(st.one_of(st.sampled_from(FIXED_ARTICLES), articles()))]
    for _ in range(draw(st.integers(0, 3))):
        excerpt = draw(excerpt_text)
        spans = draw(
            st.lists(
                st.tuples(st.integers(-3, len(excerpt) + 3), st.integers(-3, len(excerpt) + 3)),
                max_size=3,
            )
        )
        answers.append(
            Answer(
                kind=draw(st.sampled_from(["quote", "metadata"])),
                article=draw(st.sampled_from(pool)),
                paragraph_id=draw(st.sampled_from([None, "a1#0"])),
                score=draw(st.floats()),
                excerpt=excerpt,
                highlights=spans,
                paragraph=draw(st.sampled_from([None, excerpt])),
            )
        )
    return AnswerSet(draw(short_text), answers)


#: What bot.render documents it drops from article and user text: control characters other
#: than tab and line breaks, and lone surrogates (no message can carry them).
# ... and bidi controls, directional marks, zero-width and other invisible format characters
# (issue 12: they could reorder or hide what a reply shows).
_RENDER_DROPS = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\u061c\u180e"
    "\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]"
)


def as_shown(text: str) -> str:
    return _RENDER_DROPS.sub("", text)


@given(answer_sets(), st.sampled_from(["zh-hans", "zh-hant", "en", "xx"]), st.integers(1, 5))
@example(AnswerSet("\ud800问题", []), "zh-hans", 3)  # the no-answer reply held the lone surrogate
@example(
    AnswerSet(
        "问题",
        [
            Answer(
                "quote",
                Article("a1", title="\ud800标题"),
                "a1#0",
                1.0,
                "两江新区\udc00。",
                [(0, 4)],
                None,
            )
        ],
    ),
    "zh-hans",
    3,
)
@example(
    AnswerSet("问题", [Answer("quote", Article("a1", title="t"), "a1#0", 1.0, "\u200b", [], None)]),
    "en",
    1,
)
def test_rendered_replies_are_valid_telegram_html(answer_set, lang, per_message):
    messages = render_html(answer_set, lang=lang, per_message=per_message)
    assert messages
    shown = []
    for message in messages:
        assert_valid_reply(message)
        assert 1 <= message.count("<blockquote>") <= per_message or not answer_set.answers
        shown += blockquotes(message)
    assert len(shown) == len(answer_set.answers)
    for text, answer in zip(shown, answer_set.answers, strict=False):
        excerpt = as_shown(answer.excerpt)
        if excerpt.strip() and len(excerpt) < 1500:
            # short enough never to be shortened: unescaping gives back the article's text
            assert text == excerpt
    plain = render_plain(answer_set, lang=lang)
    assert isinstance(plain, str) and plain.strip()
    for answer in answer_set.answers:
        if not answer.highlights and answer.excerpt:
            assert as_shown(answer.excerpt).split("\n")[0] in plain


@scaled(0.1)
@given(hostile_paragraph, short_text, short_text)
@example(
    "<b>x</b></blockquote>&amp;<script>", "<i>标题</i> & </a>", '<a href="javascript:x">来源</a>'
)
def test_article_fields_are_credited_as_text(excerpt, title, source):
    article = Article(
        "a1",
        title=title,
        source=source,
        reporters=["<b>严薇</b>", "&amp;"],
        url="https://www.cqcb.com/a/1.html",
    )
    answer = Answer("quote", article, "a1#0", 1.0, excerpt, [], excerpt)
    [message] = render_html(AnswerSet("问题", [answer]))
    seen = assert_valid_reply(message)
    assert message.count("<blockquote>") == 1 and message.count("<a ") <= 1
    collapsed_title = as_shown(" ".join(title.split()))
    if collapsed_title.strip() and len(collapsed_title) <= 100:
        assert collapsed_title in seen
    assert "<b>严薇</b>" in seen and "&amp;" in seen


@settings(max_examples=3, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    field_=st.sampled_from(["excerpt", "title", "source", "reporters", "url", "question", "all"]),
    char=st.sampled_from(["两", "<", "&", "👨‍👩‍👧", "\u202e", " ", "\n", "\ud800"]),
)
@example(field_="all", char="&")
@example(field_="excerpt", char="👨‍👩‍👧")
def test_one_megabyte_fields_still_give_valid_replies(field_, char):
    big = char * (MB // len(char))
    article = Article(
        "a1",
        title=big if field_ in ("title", "all") else "标题",
        source=big if field_ in ("source", "all") else "来源",
        reporters=[big] * 3 if field_ in ("reporters", "all") else ["严薇"],
        url=("https://x.cn/" + big) if field_ in ("url", "all") else None,
    )
    excerpt = (
        big if field_ in ("excerpt", "all") else "两江新区和天府新区将共同建设西部科技创新中心。"
    )
    answer = Answer("quote", article, "a1#0", 1.0, excerpt, [(0, 4), (MB - 10, MB)], excerpt)
    question = big if field_ in ("question", "all") else "问题"
    for answer_set in (AnswerSet(question, [answer] * 2), AnswerSet(question, [])):
        messages = render_html(answer_set)
        for message in messages:
            assert_valid_reply(message)
        assert isinstance(render_plain(answer_set), str)
