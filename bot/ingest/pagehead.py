"""A whole news page as lines (a page copied as text, an HTML page's visible text) → where
the article starts: its headline, the date/source line under it and the credits between.

A page copy opens with menus, logins and breadcrumbs; the article starts where a headline
stands just above a *meta line* — a line led by the publication date (``2019-09-07 13:43:45
来源: 某报``), a ``来源：``/``发布时间：`` slot, or a relative date (``昨天``). Related-article
lists and comments carry dates too, so the meta line chosen is the one followed by the most
body text. Nothing here knows any site: the shapes are those of Chinese news pages at large.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from . import byline as bl
from .cleaning import breadcrumb_section, ends_sentence, is_page_junk
from .dates import FoundDate, find_page_date
from .names import SURNAMES, names_no_person, split_names

_MAX_META_CHARS = 120
_TITLE_WINDOW = 5  # the headline sits at most this many lines above the meta line
_BODY_WINDOW = 30  # lines after the meta line weighed as body text
_HEAD_LINES_AFTER = 4  # lines after the meta line still read for date/source/credits
_MIN_BODY_WEIGHT = 150  # characters of sentences that make a body
_SOME_BODY_WEIGHT = 50  # a dated header beats a 来源 line even over a body cut in pieces
_HAN = "\u3400-\u4dbf\u4e00-\u9fff"

_RELATIVE_DATE = re.compile(r"^(?:昨天|前天|今天|刚刚|\d{1,2}\s*(?:小时|分钟)前)$")
# `来源：X`, `来源于：X`, `信息来源：X`, `来源CSDN` (a bar-separated slot without colon).
_SOURCE_SLOT = re.compile(
    r"(?:^|(?<=[\s|｜丨/\d]))(?:文章|新闻|信息|本文)?(?:来源|稿源)(?:于)?\s*(?:[：:]\s*|(?=[A-Za-z"
    + _HAN
    + r"]))(?P<value>.*)$"
)
_REPOSTED_FROM = re.compile(r"(?:^|(?<=\s))转载自\s*[：:]?\s*(?P<value>.+)$")
_TIME_LABEL = re.compile(
    r"^(?:发布时间|发布日期|发表时间|发表于|时间|日期|发稿时间|更新时间)"
    r"\s*[：:]?\s*$"
)
_UPDATED = re.compile(r"最后更新|更新时间|修改时间")
# A value ends at a separator, a bracketed widget (`【字号 大 中 小】`) or the next label.
_VALUE_END = re.compile(
    r"[\s|｜丨【\[（(]|(?:作者|编辑|责编|记者|浏览|阅读|字号|点击|评论|"
    r"发布时间|"
    r"发布日期|时间|日期)\s*[：:]?"
)
_MENU_WORDS = frozenset(
    {
        "举报",
        "分享",
        "关注",
        "原创",
        "收藏",
        "打印",
        "关闭",
        "字号",
        "评论",
        "登录",
        "注册",
        "首页",
        "订阅",
        "投稿",
        "下载",
        "扫码",
        "阅读",
        "点赞",
        "网络",
        "本站",
        "本站原创",
        "网站",
        "未知",
        "综合",
        "整理",
        "转载",
        "互联网",
    }
)
# An author description under a headline: `王某 某某大学某研究院执行院长`.
_JOB_ENDING = re.compile(
    r"(?:院长|所长|主任|教授|研究员|学者|专家|主席|总裁|董事长|分析师|评论员|"
    r"作家|博士)$"
)
_NUMBERS_ONLY = re.compile(r"^[\d\s,.:：/|·-]+$")
_BRACKETED = re.compile(r"[【\[（(][^】\]）)]*[】\]）)]")


@dataclass
class PageHead:
    """Where a page's article starts and what its header says."""

    title: str
    title_index: int
    meta_index: int
    body_start: int
    date: FoundDate | None = None
    date_evidence: str | None = None
    source: str | None = None
    source_evidence: str | None = None
    credits: bl.Credits = field(default_factory=bl.Credits)
    credit_evidence: str | None = None


def locate_head(lines: list[str]) -> PageHead | None:
    """The article header of a page's lines (stripped, non-empty), or None when no headline
    stands above a date/source line followed by text."""
    metas = [
        (index, kind)
        for index, line in enumerate(lines)
        if (kind := _meta_kind(line, lines, index)) is not None
    ]
    # the body under a header ends where the next dated line starts (a list of links): the
    # dated lines' indexes, walked with a pointer (one pass, not a search per header)
    dated_at = [index for index, kind in metas if kind == "date"]
    pointer = 0
    found: list[tuple[int, int, int, bool]] = []  # (body chars, meta, title, dated)
    for index, kind in metas:
        title_index = _title_above(lines, index)
        if title_index is None:
            continue
        while pointer < len(dated_at) and dated_at[pointer] <= index + 2:
            pointer += 1
        stop = dated_at[pointer] if pointer < len(dated_at) else len(lines)
        found.append((_body_weight(lines, index + 1, stop), index, title_index, kind == "date"))
    if not found:
        return _headline_under_breadcrumb(lines)
    heaviest = max(weight for weight, *_ in found)
    if heaviest > 0:
        # the first dated header followed by a body (related lists further down have dates
        # too, and a 来源 line inside the body is no header)
        enough = min(_MIN_BODY_WEIGHT, heaviest)
        choice = (
            next((f for f in found if f[0] >= enough and f[3]), None)
            or next((f for f in found if f[0] >= _SOME_BODY_WEIGHT and f[3]), None)
            or next(f for f in found if f[0] >= enough)
        )
        weight, meta_index, title_index, _ = choice
    else:
        # a gallery page: its text is the caption above the date; a dated header only
        dated = [f for f in found if f[3]]
        if not dated:
            return None
        weight, meta_index, title_index, _ = dated[0]
    head = PageHead(
        title=_title_text(lines, title_index),
        title_index=title_index,
        meta_index=meta_index,
        body_start=meta_index + 1,
    )
    _read_head_block(lines, head)
    if weight == 0:
        head.body_start = title_index + 1
    return head


def is_page_copy(lines: list[str], head: PageHead) -> bool:
    """True when lines above the headline are page chrome (menus, logins), not a breadcrumb
    or nothing: only then does a text's own first-line reading need the locator's help."""
    above = lines[: head.title_index]
    return any(breadcrumb_section(line) is None for line in above)


# -- meta lines -------------------------------------------------------------------------------


def _split_date(lines: list[str], index: int) -> FoundDate | None:
    """``2019`` / ``09/07`` / ``19:02`` on lines of their own (spans rendered as blocks)."""
    line = lines[index]
    if not re.fullmatch(r"(?:19|20)\d{2}", line) or index + 1 >= len(lines):
        return None
    month_day = re.fullmatch(r"(\d{1,2})[/-](\d{1,2})", lines[index + 1])
    if not month_day:
        return None
    time = lines[index + 2] if index + 2 < len(lines) else ""
    time = time if re.fullmatch(r"\d{1,2}:\d{2}(?::\d{2})?", time) else ""
    return find_page_date(f"{line}-{month_day.group(1)}-{month_day.group(2)} {time}".strip())


def _date_of_line(line: str) -> FoundDate | None:
    """The date a meta line is led by (a label, an outlet or nothing before it), else None."""
    if len(line) > _MAX_META_CHARS or ends_sentence(line) or _UPDATED.search(line):
        return None
    found = find_page_date(line)
    if found is None:
        return None
    before = line[: line.find(found.text)].strip() if found.text in line else ""
    if not before or _TIME_LABEL.match(before) or (len(before) <= 16 and "，" not in before):
        return found
    # `来源: | 发布时间: 2018-05-17 | 浏览次数: 2168`: slots before the date
    if re.search(r"(?:发布时间|发布日期|时间|日期)\s*[：:]\s*$", before):
        return found
    return None


def _meta_kind(line: str, lines: list[str], index: int) -> str | None:
    """'date', 'source' or 'relative' for a meta line, None for any other line."""
    if len(line) > _MAX_META_CHARS:
        return None
    if _split_date(lines, index) or _date_of_line(line) is not None:
        return "date"
    if _RELATIVE_DATE.match(line):
        return "relative"
    if _SOURCE_SLOT.search(line) and not ends_sentence(line) and len(line) <= 80:
        return "source"
    return None


def _body_weight(lines: list[str], start: int, stop: int) -> int:
    """Characters of sentence lines just after a meta line (a body follows a real header)."""
    weight = 0
    for line in lines[start : min(stop, start + _BODY_WINDOW)]:
        if (len(line) >= 60 or len(line) >= 8 and _SENTENCE_MARK.search(line)) and not is_page_junk(
            line
        ):
            weight += len(line)
    return weight


_SENTENCE_MARK = re.compile(r"[，。！？；]")


# -- the headline -----------------------------------------------------------------------------


def looks_like_chrome(line: str) -> bool:
    """A page's menu or toolbar line: a short label without punctuation, a bar-separated or
    space-separated run of short words."""
    return (
        len(line) <= 16 and not _CLAUSE_MARK.search(line) or _is_menu(line) or line.count("|") >= 2
    )


_CLAUSE_MARK = re.compile(r"[，。！？、；,;]")


def _is_menu(line: str) -> bool:
    parts = line.split()
    return (
        len(parts) >= 3
        and all(len(p) <= 5 for p in parts)
        or len(parts) >= 5
        and all(len(p) <= 6 for p in parts)
    )


def _stops_title_search(line: str) -> bool:
    return breadcrumb_section(line) is not None or bool(_CRUMB_MARK.search(line)) or _is_menu(line)


_CRUMB_MARK = re.compile(r"[>»›＞]")
_BADGE = re.compile(r"^原创\s+")
_DANGLING = "，,、：:（(《“‘「『【-—"


def headline_like(line: str) -> bool:
    """A line that may be a headline: a few words, no sentence end, not chrome."""
    line = _BADGE.sub("", line)
    if not line or line[-1] in _DANGLING or _CRUMB_MARK.search(line) or _is_menu(line):
        return False
    han = len(re.findall(f"[{_HAN}]", line))
    if (
        han < 4
        or len(line) < 6
        or len(line) > 80
        or "。" in line.rstrip("。")
        or line.endswith("。")
    ):
        return False
    if (
        is_page_junk(line)
        or _JOB_ENDING.search(line)
        or bl.parse_byline_line(line)
        or _date_of_line(line)
    ):
        return False
    return not (_SOURCE_SLOT.search(line) or find_page_date(line) and len(line) < 30)


def _title_above(lines: list[str], meta_index: int) -> int | None:
    """Index of the nearest headline-like line above the meta line, within a few lines;
    short lines between (an account name, 关注, a share count) are stepped over."""
    for index in range(meta_index - 1, max(-1, meta_index - 1 - _TITLE_WINDOW), -1):
        line = lines[index]
        if _stops_title_search(line):
            return None
        if headline_like(line):
            # a subtitle under the headline: the headline is the line above, under chrome
            if (
                index >= 2
                and headline_like(lines[index - 1])
                and _stops_title_search(lines[index - 2])
                and lines[index - 1] != line
            ):
                return index - 1
            return index
    return None


def _headline_under_breadcrumb(lines: list[str]) -> PageHead | None:
    """No dated header: a headline right under the breadcrumb, with the body right under
    it (the date and source are printed after the body)."""
    for index, line in enumerate(lines[:-2]):
        if breadcrumb_section(line) is None and not _CRUMB_MARK.search(line):
            continue
        if (
            headline_like(lines[index + 1])
            and _body_weight(lines, index + 2, len(lines)) >= _MIN_BODY_WEIGHT
        ):
            head = PageHead(
                title=_title_text(lines, index + 1),
                title_index=index + 1,
                meta_index=index + 1,
                body_start=index + 2,
            )
            _read_below(lines, head)
            return head
    return None


def _title_text(lines: list[str], index: int) -> str:
    return " ".join(lines[index].split())


# -- the header block: date, source, credits --------------------------------------------------


def _read_head_block(lines: list[str], head: PageHead) -> None:
    end = head.meta_index + 1
    while (
        end < len(lines)
        and end <= head.meta_index + _HEAD_LINES_AFTER
        and not (len(lines[end]) >= 60 or ends_sentence(lines[end]))
    ):
        end += 1
    head.body_start = max(head.meta_index + 1, min(end, len(lines)))
    block = lines[head.title_index + 1 : end]
    between = lines[head.title_index + 1 : head.meta_index]
    for offset, line in enumerate(block):
        index = head.title_index + 1 + offset
        if head.date is None:
            found = _date_of_line(line) or _split_date(lines, index)
            if found is not None:
                head.date, head.date_evidence = found, line
                if head.source is None:
                    outlet = _outlet_beside_date(line, found)
                    if outlet:
                        head.source, head.source_evidence = outlet, line
        labelled = _labelled_source(line)
        following = block[offset + 1] if offset + 1 < len(block) else ""
        if labelled is None and _LABEL_ALONE.match(line) and following:
            labelled = _labelled_source(line + following)  # `来源：` / `某报` on two lines
        if labelled:
            head.source, head.source_evidence = labelled, line
        elif (
            head.source is None
            and head.date is not None
            and line == head.date_evidence
            and _DATE_ALONE.match(line.replace(head.date.text, ""))
            and following
        ):
            outlet = _account_line(following)  # `2019年11月25日 18:57` / `某某报`
            if outlet and not _WIDGET_WORD.search(outlet):
                head.source, head.source_evidence = outlet, f"{line} {following}"
        credits = _line_credits(line)
        if credits:
            head.credits.merge(credits)
            head.credit_evidence = head.credit_evidence or line
            if (
                credits.outlet
                and head.source is None
                and (credits.reporters or credits.contributors)
            ):
                head.source, head.source_evidence = credits.outlet, line
    if head.source is None:
        for line in between:
            account = _account_line(line)
            if account:
                head.source, head.source_evidence = account, line
                break
    _read_below(lines, head)
    if head.source and head.source in head.credits.reporters + head.credits.editors:
        head.source = head.source_evidence = None  # a name beside the date is a person


_LABEL_ALONE = re.compile(r"^(?:文章|新闻|信息|本文)?(?:来源|稿源)\s*[：:]$")
_DATE_ALONE = re.compile(r"^\s*(?:(?:发布时间|发布日期|时间|日期)\s*[：:])?\s*$")
_WIDGET_WORD = re.compile(
    r"字体|字号|分享|收藏|打印|评论|登录|注册|APP|客户端|扫码|关注|订阅|举报", re.IGNORECASE
)


def _read_below(lines: list[str], head: PageHead) -> None:
    """No date in the header: the first labelled publication date under the headline."""
    if head.date is not None:
        return
    for line in lines[head.title_index + 1 :]:
        found = _published_line(line)
        if found is None:
            continue
        if head.date is None:
            head.date, head.date_evidence = found, line
        if head.source is None and (labelled := _labelled_source(line)):
            head.source, head.source_evidence = labelled, line
        if head.source is not None:
            return


_PUBLISHED_LABEL = re.compile(
    r"(?:^|(?<=\s))(?:发布时间|发布日期|发表时间|发稿时间|时间)"
    r"\s*[：:]\s*"
)


def _published_line(line: str) -> FoundDate | None:
    """``发布日期：2019-03-06 责任编辑：某某`` or ``来源：某报 时间：2019-09-23 14:34:05``
    printed under the body: a labelled date (``时间：`` only beside a 来源 slot)."""
    label = _PUBLISHED_LABEL.search(line)
    if label is None or len(line) > _MAX_META_CHARS:
        return None
    if label.start() > 0 or line.startswith("时间"):
        if not _SOURCE_SLOT.search(line[: label.start()]):
            return None
    found = find_page_date(line[label.end() :])
    return found if found is not None and line[label.end() :].startswith(found.text) else None


def _cut_value(value: str) -> str:
    value = value.strip(" :：[]【】")
    end = _VALUE_END.search(value)
    if end:
        value = value[: end.start()]
    return value.strip(" ·-—|")


def _labelled_source(line: str) -> str | None:
    match = _SOURCE_SLOT.search(line) or _REPOSTED_FROM.search(line)
    if not match:
        return None
    value = _cut_value(match.group("value"))
    return value if _is_outlet_name(value) else None


def _is_outlet_name(value: str) -> bool:
    if not value or len(value) > 30 or value in _MENU_WORDS or _NUMBERS_ONLY.match(value):
        return False
    if _PRIVATE_USE.search(value) or len(re.findall(f"[{_HAN}A-Za-z]", value)) < 2:
        return False  # icon-font glyphs (a view counter's eye), single letters
    return not find_page_date(value)


# Words beside a date that name no outlet: weekdays, times of day, counters, widgets.
_NOT_AN_OUTLET = re.compile(
    r"星期|周[一二三四五六日]|上午|下午|晚上|凌晨|早上|中午|阅读|浏览|点击|评论|"
    r"分享|字号|字体|收藏|举报|关注|作者|编辑|[:：]|\d+次|人参与"
)
_PRIVATE_USE = re.compile("[\ue000-\uf8ff]")
# The site's owner, in the footer: `主办单位：某某 版权所有`, `版权所有：某某网`, `© 2016 某某网`.
_OWNER = re.compile(
    r"(?:主办单位|主办|版权所有)\s*[：:]\s*(?P<a>[^\s：:|]+)"
    r"|(?P<b>[^\s：:|©]+)\s*版权所有|版权所有\s+(?P<c>[^\s：:|]+)|©\s*(?:\d{4}(?:\s*-\s*\d{4})?)?\s*(?P<d>[^\s|]+)"
)
_NOT_OWNER = re.compile(r"公司|Ltd|Inc|Co\.|ICP|备案|All|rights|\d{3}", re.IGNORECASE)
_FOOTER_LINES = 40
SITE_ITSELF = frozenset({"本站", "本站原创", "本网", "本网原创", "原创"})


def page_owner(lines: list[str]) -> tuple[str, str] | None:
    """(name, footer line) of the organisation the page belongs to: an outlet's own article
    credits it when no other source is named. Companies running a site are no outlet."""
    for line in lines[-_FOOTER_LINES:]:
        if len(line) > 160:
            continue
        for match in _OWNER.finditer(line):
            name = next((g for g in match.groups() if g), "").strip("：:·-—")
            if (
                _is_outlet_name(name)
                and not _NOT_OWNER.search(name)
                and re.search(f"[{_HAN}]", name)
                and name not in SITE_ITSELF
            ):
                return name, line
    return None


def _outlet_beside_date(line: str, found: FoundDate) -> str | None:
    """``2019年11月25日 18:57 参考消息``, ``原创 南方都市报 2019-09-09``: an outlet written
    beside a date on a line without labels."""
    at = line.find(found.text)
    if at < 0 or re.search(r"[：:]", line[:at] + line[at + len(found.text) :]):
        return None
    before = line[:at].split()
    after = _BRACKETED.sub(" ", line[at + len(found.text) :]).split()
    words = [w for w in before if w not in _MENU_WORDS]
    if before and words:
        candidate = words[-1]
    elif after:
        # names listed after the date are people (`2020-06-05 20:35 甲某 乙某 丙某`)
        if len(after) >= 2 and all(split_names(w) for w in after[:2]):
            return None
        candidate = after[0]
    else:
        return None
    candidate = candidate.removeprefix("原创")
    if len(candidate) < 2 or not _is_outlet_name(candidate) or _NOT_AN_OUTLET.search(candidate):
        return None
    return candidate


_AUTHOR_SLOT = re.compile(
    r"(?:(?:作者|记者|撰文)\s*[：:]|(?:^|(?<=[|｜丨]))\s*作者(?=[^：:\s]))\s*"
    r"(?P<value>.+)$"
)


def _line_credits(line: str) -> bl.Credits | None:
    """Credits of a header line: a byline (``某报记者 甲某``), ``甲某/某某报``, or an
    ``作者：`` slot among other slots (``2019-09-26 12:11来源：某网作者：甲某``)."""
    slot = _AUTHOR_SLOT.search(line)
    if slot and (_SOURCE_SLOT.search(line) or find_page_date(line)):
        value = _cut_value(slot.group("value"))
        # a slot's value is a name as printed (names may hold 在, 了 …: 李在山)
        names = (
            [value]
            if re.fullmatch(f"[{_HAN}]{{2,4}}", value)
            and not names_no_person(value)
            and split_names(value[0] + "某")
            else split_names(value)
        )
        return bl.Credits(reporters=names) if names else None
    credits = bl.parse_byline_line(line)
    if credits:
        return credits
    slash = re.fullmatch(rf"([{_HAN}·]{{2,8}})\s*/\s*([^\s/]{{2,16}})", line)
    if slash and split_names(slash.group(1)):
        return bl.Credits(reporters=split_names(slash.group(1)) or [], outlet=slash.group(2))
    return None


def _account_line(line: str) -> str | None:
    """A short line between headline and date naming the publishing account (self-media),
    never a person's name, a menu word or a number."""
    line = line.strip()
    if not 2 <= len(line) <= 16 or line in _MENU_WORDS or _NUMBERS_ONLY.match(line):
        return None
    if (
        is_page_junk(line)
        or re.search(r"[：:，。！？]", line)
        or len(line.split()) > 1
        or not _is_outlet_name(line)
    ):
        return None
    if split_names(line) and line[:1] in SURNAMES and len(line) <= 3:
        return None  # a bare personal name
    if _NOT_AN_OUTLET.search(line) or "的" in line or line.startswith(("—", "-", "记")):
        return None  # a subtitle (`——记某某`), a weekday, a counter
    return line
