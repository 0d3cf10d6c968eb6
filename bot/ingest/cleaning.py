"""Character normalisation, line-wrap repair and page-junk detection for scraped Chinese news.

``normalize_chars`` is shared with the segmenter: it is a single ``str.translate`` over a table
built once at import time, so it costs about as much as copying the string.
It changes lengths (zero-width characters vanish) — never use it to compute highlight offsets.
Every mapping is one BMP character to one BMP character or to nothing.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

# --------------------------------------------------------------------------------------------
# Character table
# --------------------------------------------------------------------------------------------

# CJK Radicals Supplement (U+2E80–U+2EFF). NFKC leaves all but two of these alone, yet PDF and
# web-font extraction regularly emits them instead of the ideograph (⻄部 for 西部, 局⻓ for
# 局长). Each is mapped to the unified ideograph it stands for (after Unicode's
# EquivalentUnifiedIdeograph.txt; where that names a rare extension-B character we use the
# everyday BMP ideograph a reader would expect, e.g. ⻊ → 足). U+2E80 REPEAT stands for no
# ideograph and is left alone.
_RADICALS_SUPPLEMENT: dict[str, str] = {
    "⺁": "厂",
    "⺂": "乛",
    "⺃": "乚",
    "⺄": "乙",
    "⺅": "亻",
    "⺆": "冂",
    "⺇": "几",
    "⺈": "刀",
    "⺉": "刂",
    "⺊": "卜",
    "⺋": "㔾",
    "⺌": "小",
    "⺍": "小",
    "⺎": "兀",
    "⺏": "尣",
    "⺐": "尢",
    "⺑": "尢",
    "⺒": "巳",
    "⺓": "幺",
    "⺔": "彑",
    "⺕": "彐",
    "⺖": "忄",
    "⺗": "心",
    "⺘": "扌",
    "⺙": "攵",
    "⺛": "旡",
    "⺜": "日",
    "⺝": "月",
    "⺞": "歺",
    "⺟": "母",
    "⺠": "民",
    "⺡": "氵",
    "⺢": "氺",
    "⺣": "灬",
    "⺤": "爫",
    "⺥": "爫",
    "⺦": "丬",
    "⺧": "牛",
    "⺨": "犭",
    "⺩": "王",
    "⺪": "疋",
    "⺫": "罒",
    "⺬": "示",
    "⺭": "礻",
    "⺮": "竹",
    "⺯": "糹",
    "⺰": "纟",
    "⺱": "罓",
    "⺲": "罒",
    "⺳": "网",
    "⺴": "网",
    "⺵": "网",
    "⺶": "羊",
    "⺷": "羊",
    "⺸": "羊",
    "⺹": "耂",
    "⺺": "肀",
    "⺻": "聿",
    "⺼": "月",
    "⺽": "臼",
    "⺾": "艹",
    "⺿": "艹",
    "⻀": "艹",
    "⻁": "虎",
    "⻂": "衤",
    "⻃": "覀",
    "⻄": "西",
    "⻅": "见",
    "⻆": "角",
    "⻇": "角",
    "⻈": "讠",
    "⻉": "贝",
    "⻊": "足",
    "⻋": "车",
    "⻌": "辶",
    "⻍": "辶",
    "⻎": "辶",
    "⻏": "阝",
    "⻐": "钅",
    "⻑": "長",
    "⻒": "镸",
    "⻓": "长",
    "⻔": "门",
    "⻕": "阜",
    "⻖": "阝",
    "⻗": "雨",
    "⻘": "青",
    "⻙": "韦",
    "⻚": "页",
    "⻛": "风",
    "⻜": "飞",
    "⻝": "食",
    "⻞": "食",
    "⻟": "飠",
    "⻠": "饣",
    "⻡": "首",
    "⻢": "马",
    "⻣": "骨",
    "⻤": "鬼",
    "⻥": "鱼",
    "⻦": "鸟",
    "⻧": "卤",
    "⻨": "麦",
    "⻩": "黄",
    "⻪": "黾",
    "⻫": "斉",
    "⻬": "齐",
    "⻭": "歯",
    "⻮": "齿",
    "⻯": "竜",
    "⻰": "龙",
    "⻱": "龜",
    "⻲": "亀",
    "⻳": "龟",
}

# Full-width forms U+FF01–FF5E. Letters, digits and the "technical" symbols (％ ＋ － ＝ ． ／
# ＠ ＃ ＄ ＆ ＊ ＜ ＞ ＿ ＼ ＾ ｀ ｜ ＂ ＇) become ASCII so that ３．５％, ＧＤＰ, ２０２０－０４－１２
# and e-mail addresses read (and match) like their ASCII spelling. The ones Chinese typesetting
# uses as its own punctuation stay full-width: ！ （ ） ， ： ； ？ ［ ］ ｛ ｝ ～ (～ is the
# Chinese range mark, 3～5年).
_KEEP_FULLWIDTH = set("！（），：；？［］｛｝～")

# Every Unicode space that is not a plain ASCII space or a line break; scraped pages are full of
# NBSP (&nbsp;) and ideographic spaces used as paragraph indents.
_SPACES = (
    "\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u202f\u205f\u3000\t\x0b\x0c"
)
# Zero-width characters carry nothing a reader sees; the soft hyphen neither.
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad"


def _build_char_table() -> dict[int, str | None]:
    table: dict[int, str | None] = {}
    for radical, ideograph in _RADICALS_SUPPLEMENT.items():
        table[ord(radical)] = ideograph
    # Kangxi radicals: NFKC knows the ideograph for every one of them.
    for code in range(0x2F00, 0x2FE0):
        char = chr(code)
        folded = unicodedata.normalize("NFKC", char)
        if folded != char:
            table[code] = folded
    for code in range(0xFF01, 0xFF5F):
        char = chr(code)
        if char not in _KEEP_FULLWIDTH:
            table[code] = chr(code - 0xFEE0)
    for char in _SPACES:
        table[ord(char)] = " "
    for char in _INVISIBLE:
        table[ord(char)] = None
    # Control characters (C0 but tab and line breaks, DEL, C1) are no text: a backspace or an
    # escape sequence left by a scraper must not become (or be) a paragraph. The separators
    # str.splitlines breaks at read as spaces.
    for code in [*range(0x00, 0x09), *range(0x0E, 0x1C), 0x1F, *range(0x7F, 0xA0)]:
        table[code] = None
    for code in (0x1C, 0x1D, 0x1E, 0x85, 0x2028, 0x2029):
        table[code] = " "
    # The rest of the radicals block (U+2E80 REPEAT, unassigned U+2E9A and U+2EF4–U+2EFF)
    # stands for no ideograph: it is extraction debris, dropped like zero-width characters.
    for code in range(0x2E80, 0x2F00):
        table.setdefault(code, None)
    # Lone surrogates (a JSON "\ud83d" whose emoji was cut in half) encode no character and
    # cannot be stored or sent as UTF-8 (or converted by OpenCC): dropped.
    for code in range(0xD800, 0xE000):
        table[code] = None
    return table


_CHAR_TABLE = _build_char_table()
# Most paragraphs need no change at all: a character-class scan is several times faster than
# translate's per-character dict lookups, so check first.
_NEEDS_NORMALIZING = re.compile(
    "["
    + "".join(re.escape(chr(c)) for c in sorted(_CHAR_TABLE) if not 0xD800 <= c < 0xE000)
    + "\ud800-\udfff]"
)


def normalize_chars(text: str) -> str:
    """Radicals → ideographs, full-width ASCII → ASCII (Chinese punctuation kept), exotic
    spaces → ' ', zero-width characters, control characters and lone surrogates removed.
    Length-changing."""
    if _NEEDS_NORMALIZING.search(text) is None:
        return text
    return text.translate(_CHAR_TABLE)


# --------------------------------------------------------------------------------------------
# Line-wrap spaces
# --------------------------------------------------------------------------------------------

# Han ideographs plus the CJK punctuation that can sit beside them (。，、“”《》 …).
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_PUNCT = "\u3000-\u303f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65\u2018-\u201f\u2026\u2014\u00b7"
# A run of spaces between two CJK characters (either side may be CJK punctuation): in body
# text this is a line-wrap artefact of the page or PDF the article was scraped from.
_WRAP_SPACE = re.compile(f"(?<=[{_CJK}{_CJK_PUNCT}]) +(?=[{_CJK}{_CJK_PUNCT}])")
# Pages that type ASCII , ? ; : ! inside Chinese text wrap after them too (`创新平台, 加大`).
_WRAP_SPACE_AFTER_ASCII_PUNCT = re.compile(f"(?<=[{_CJK}][,;:?!]) +(?=[{_CJK}{_CJK_PUNCT}])")
_SPACES_RUN = re.compile(r"[ \t]+")


def remove_wrap_spaces(text: str) -> str:
    """Drop spaces between CJK characters (``核心技 术攻关`` → ``核心技术攻关``); spaces next to
    Latin letters or digits (``一座AI City即将``) stay. Only for body paragraphs: in titles and
    bylines a space between CJK words is a real separator."""
    return _WRAP_SPACE_AFTER_ASCII_PUNCT.sub("", _WRAP_SPACE.sub("", text))


def collapse_spaces(text: str) -> str:
    """Runs of spaces → one space, trimmed (for titles and headings, whose spaces separate)."""
    return _SPACES_RUN.sub(" ", text).strip()


# --------------------------------------------------------------------------------------------
# Sentence shape
# --------------------------------------------------------------------------------------------

SENTENCE_END = "。！？!?…；;"
_CLOSERS = "”’」』）)》】〕〗]\"'"
# Lines that end like this were cut mid-sentence (a lost hyperlink), never headings.
_DANGLING_END = "，,、：:（(《“‘「『【-—"
MAX_HEADING_CHARS = 40


def ends_sentence(line: str) -> bool:
    """True when the line ends with sentence-ending punctuation (closing quotes skipped)."""
    core = line.rstrip(_CLOSERS + " ")
    return bool(core) and core[-1] in SENTENCE_END


def is_heading(line: str) -> bool:
    """Short line without sentence punctuation: a title, a sub-heading, ``【声音】``."""
    # Two commas make a clause list, not a heading: such short lines are fragments left where
    # a hyperlinked word was cut out (`11月26日，在金鸡奖活动中，知名导演`).
    # A long line with a comma is a clause cut short, not a heading (sub-headings with a comma
    # are short: `川渝联手，共建科学城`).
    if (
        not line
        or len(line) > MAX_HEADING_CHARS
        or "。" in line
        or line.count("，") >= 2
        or "，" in line
        and len(line) > 20
    ):
        return False
    if ends_sentence(line):
        return False
    core = line.rstrip(_CLOSERS + " ")
    return bool(core) and core[-1] not in _DANGLING_END


_BRACKETED_HEADING = re.compile(r"^【([^【】]{1,20})】$")


def heading_text(line: str) -> str:
    """``【声音】`` → ``声音``: the brackets are typography, the word is the heading."""
    match = _BRACKETED_HEADING.match(line)
    return match.group(1).strip() if match else collapse_spaces(line)


# --------------------------------------------------------------------------------------------
# Junk lines
# --------------------------------------------------------------------------------------------

# ``首页 > 财富 > 正文`` (also with » › / as separators).
_BREADCRUMB = re.compile(r"^\s*(?:首页|主页|网站首页|当前位置[：:]?\s*\S*)\s*[>»›/＞]\s*(.+?)\s*$")
_BREADCRUMB_SPLIT = re.compile(r"\s*[>»›/＞]\s*")
_IMAGE_FILE = re.compile(r"^\S*\.(?:jpe?g|png|gif|webp|bmp|svg)$", re.IGNORECASE)
# Navigation bullets (`• 头条`), widget words, copyright and ICP lines, disclaimers.
_NAV_BULLET = re.compile(r"^[•·●▪◆■►>]\s*\S{1,8}$")
# Separator-only lines (丨 is a CJK ideograph used as a bar), embedded players, label-only
# lines whose value was a hyperlink the crawler dropped (`来源：`), chart/data sources.
_MARKUP_DEBRIS = re.compile(
    r"^(?:[丨｜|/\\\-—_=*~·•]+|@@[A-Z]+=.*|(?:来源|稿源|作者|编辑|责任编辑|原标题)[：:]"
    r"|(?:数据|资料|图表|图片|图文|视频)来源[：:].*|视频截图|网页截图|截图|资料图)$"
)
_WIDGET = re.compile(
    r"^(?:分享到?[：:]?.{0,30}|打印|评论|收藏|点赞|举报|纠错|返回顶部|返回首页|字号[：:]?.{0,10}|"
    r"扫一扫.{0,20}|点击进入频道|进入频道|关闭窗口|上一篇.*|下一篇.*|\[?打印本页\]?|\[?关闭\]?|"
    r"网友评论.{0,20}|查看评论.{0,10}|我要评论.{0,10}|参与评论.{0,10}|\d+条评论|阅读原文|"
    r"(?:微信|微博|QQ|QQ空间)(?:\s*(?:微信|微博|QQ|QQ空间))*|[大中小](?:\s*[大中小]){2})$",
    re.IGNORECASE,
)
_COPYRIGHT = re.compile(
    r"版权所有|版权声明|Copyright|©|ICP[备证]|未经授权.{0,10}转载|All Rights Reserved"
    r"|公网安备|违法和不良信息举报",
    re.IGNORECASE,
)
_DISCLAIMER = re.compile(r"^[【\[]?\s*(?:免责声明|特别声明|声明)\S{0,4}?\s*[】\]：:]")
# Markers that open a list of other articles or trending items: everything after is footer.
_LIST_MARKER = re.compile(
    r"^[【\[]?\s*(?:相关阅读|相关新闻|相关文章|相关报道|延伸阅读|推荐阅读|热门推荐|"
    r"本周热榜|热门文章|热点推荐|猜你喜欢|更多精彩|大家都在看|为您推荐|精彩推荐|"
    r"24小时热文|热门排行|排行榜)\s*[】\]：:]?\s*$"
)
_ORIGINAL_TITLE = re.compile(r"^[（(]\s*原标题[：:]\s*(.+?)\s*[）)]$")
# Photo captions credited to "the web" or to a source (the whole line is a caption).
_CAPTION_CREDIT = re.compile(
    r"(?:^|[\s。）)])(?:来自网络|网络图片|图片来自网络|资料图片?|图片来源[：:].*|"
    r"图源[：:].*|配图来自.*|视觉中国|东方IC|图虫创意|\S{0,8}自摄|新华社发(?:\s*[（(][^（）()]*[）)])?|IC\s*photo|"
    r"(?<=[。\s])来源[：:]\s*\S{1,15}|(?:视频|网页)截图)\s*$",
    re.IGNORECASE,
)
# Leading punctuation left over when a hyperlinked word was dropped by the crawler
# (`》：“我很熟悉…`, `，该公司…`): closers and separators cannot start a sentence.
_LEADING_JUNK = re.compile(r"^[\s，,。.、：:；;！!？?）)》」』】〕…—\-]+")
_HAS_WORD = re.compile(f"[{_CJK}A-Za-z0-9]")


def breadcrumb_section(line: str) -> str | None:
    """``首页 > 财富 > 正文`` → ``财富`` (the first part after home that is not 正文);
    None when the line is not a breadcrumb."""
    match = _BREADCRUMB.match(line)
    if not match:
        return None
    parts = [
        p
        for p in _BREADCRUMB_SPLIT.split(match.group(1))
        if p and p not in ("正文", "内容", "详情")
    ]
    return parts[0] if parts else ""


def original_title(line: str) -> str | None:
    """``（原标题：“消失”的小马云）`` → ``“消失”的小马云``."""
    match = _ORIGINAL_TITLE.match(line)
    return match.group(1) if match else None


def is_image_file_name(line: str) -> bool:
    return bool(_IMAGE_FILE.match(line))


def is_page_junk(line: str) -> bool:
    """Navigation, widgets, copyright/ICP lines, disclaimers, image file names, bare captions:
    never a quotable paragraph."""
    return bool(
        _IMAGE_FILE.match(line)
        or _NAV_BULLET.match(line)
        or _MARKUP_DEBRIS.match(line)
        or _WIDGET.match(line)
        or (len(line) < 120 and _COPYRIGHT.search(line))
        or _DISCLAIMER.match(line)
    )


def is_disclaimer(line: str) -> bool:
    return bool(_DISCLAIMER.match(line))


def opens_article_list(line: str) -> bool:
    """``相关阅读``, ``本周热榜`` …: the rest of the page lists other articles."""
    return bool(_LIST_MARKER.match(line))


def is_photo_caption(line: str) -> bool:
    """A caption credited to the web or an agency (``…的照片。 来自网络``)."""
    return len(line) < 200 and bool(_CAPTION_CREDIT.search(line))


def strip_leading_junk(line: str) -> str:
    """Drop punctuation that cannot start a line (left where a hyperlinked word was lost);
    returns '' when nothing readable remains."""
    stripped = _LEADING_JUNK.sub("", line)
    return stripped if _HAS_WORD.search(stripped) else ""


# --------------------------------------------------------------------------------------------
# Lines broken where a hyperlinked word was dropped
# --------------------------------------------------------------------------------------------

# A crawler that drops <a> elements leaves the text around each link on its own line:
# `11月26日，在金鸡奖活动中，知名导演` / `评价电影《` / `》：“` / `我很熟悉…`. Such pieces belong
# to one paragraph: a line ending in a comma, an opening bracket or a function word, a
# one- or two-character piece, and a line starting with a closing mark continue each other.
_OPEN_END = "，,、：:《“‘（(「『—"
_FUNCTION_END = "的和与及在对把被向从跟同以据由为于将"
_CLOSING_START = "》」』）)，,、：:；;。！？!?”’"
_LABEL_ONLY = re.compile(r"^\S{0,6}[：:]$")


def _continues(line: str, following: str) -> bool:
    if ends_sentence(line) or _LABEL_ONLY.match(line):
        return False
    if line[-1] in _OPEN_END or following[0] in _CLOSING_START:
        return True
    # Lone function words (`的`, `和`) or quote marks are what remains between dropped links.
    if len(line) == 1 or len(following) == 1 and following in _FUNCTION_END:
        return True
    return line[-1] in _FUNCTION_END or len(following) <= 2 and following[-1] in _FUNCTION_END


def _stands_alone(line: str) -> bool:
    return is_page_junk(line) or opens_article_list(line) or is_disclaimer(line)


#: A joined paragraph longer than 3 × this is tested by its two ends only (see below).
_VIEW_CHARS = 200


def join_broken_lines(
    lines: list[str], *, keep_apart: Callable[[str], bool] = lambda line: False
) -> list[str]:
    """Join the pieces of paragraphs split at dropped hyperlinks (see above). ``keep_apart``
    names further lines that are never joined (the parser passes its byline test).

    Linear time: pieces are joined once at the end, and a long paragraph being joined is
    tested by its first and last ``_VIEW_CHARS`` characters (every test looks at the start
    or the end of a line), not rebuilt and rescanned for each piece — thousands of lines
    ending in ``，`` used to take minutes."""
    joined: list[list[str]] = []
    view = ""  # the paragraph being joined, or its two ends once it is long
    for line in lines:
        if (
            joined
            and _continues(view, line)
            and not _stands_alone(view)
            and not _stands_alone(line)
            and not keep_apart(view)
            and not keep_apart(line)
        ):
            joined[-1].append(line)
            view += line
            if len(view) > 3 * _VIEW_CHARS:
                view = view[:_VIEW_CHARS] + view[-_VIEW_CHARS:]
        else:
            joined.append([line])
            view = line
    return ["".join(pieces) for pieces in joined]
