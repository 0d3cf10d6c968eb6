"""The line pipeline: a cleaned article text, line by line, into headings, quotable
paragraphs and the facts its header and credit lines state (``LineReader``).

Characters normalised, page junk and footers dropped, credits and header lines turned into
metadata (``Facts``), the rest kept as headings and paragraphs. ``parsing`` runs every format
through it; ``attribution`` decides which of the facts wins.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from . import byline as bl
from .attribution import Facts
from .cleaning import (
    breadcrumb_section,
    collapse_spaces,
    ends_sentence,
    heading_text,
    is_disclaimer,
    is_heading,
    is_image_file_name,
    is_page_junk,
    is_photo_caption,
    join_broken_lines,
    normalize_chars,
    opens_article_list,
    original_title,
    remove_wrap_spaces,
    strip_leading_junk,
)
from .dates import FoundDate, find_date, month_day_date

_SOURCE_LINE = re.compile(
    r"^[【\[（(]?\s*(?:来源|稿源|文章来源|新闻来源|转载自|本文来源)\s*[：:]\s*(?P<value>.+?)"
    r"\s*[】\]）)]?$"
)
_OTHER_LABEL = re.compile(r"(?:作者|编辑|责编|记者|通讯员)\s*[：:|｜丨]")
_HEADER_SOURCE = re.compile(r"(?:来源|稿源)\s*[：:]\s*(?P<value>[^\s|｜]+(?:\s+[^\s|｜：:]+)?)")
_HEADER_LABEL = re.compile(r"^(?:发布时间|发布日期|时间|日期|发表于|更新时间)?\s*[：:]?\s*$")
_SOURCE_NOT_OUTLET = {"网络", "网络图片", "网友", "网络综合", "综合", "互联网", "未知"}
_MAX_HEADER_LINES = 8  # the title/date/source block sits in the first lines
_MAX_LEAD_PARAGRAPHS = 2  # datelines open the first paragraph (sometimes after a subtitle)
_FOOTER_LINE_CHARS = 20  # navigation after the article end is short

# `来源：重庆日报  作者：李四  2023-05-06`, `发布时间：2023-05-06 10:00 来源：X 编辑：Y`: a line of
# label：value pairs (and a date). Each value ends at the next label or at the date.
_TIME_LABELS = "发布时间|发布日期|发表时间|更新时间|时间|日期|发表于"
_META_LABEL = re.compile(
    r"(?:(?:^|(?<=[\s|｜丨/,，;；】\]）)]))(?P<time>" + _TIME_LABELS + r")"
    r"|(?P<source>文章来源|新闻来源|本文来源|来源|稿源)"
    r"|(?P<credit>作者|责任编辑|编辑|责编|主编|记者|通讯员|实习生|摄影|校对|审核|监制|统筹))\s*[：:]\s*"
)
# A label this parser does not read (`浏览量：300`, `字号：`) ends a value too.
_OTHER_META_LABEL = re.compile(r"\s[^\s：:]{1,6}[：:]")
_META_SEPARATORS = " |｜丨/,，;；"
_META_WRAPPERS = re.compile(r"^[【\[（(](.+)[】\]）)]$")


@dataclass
class _LabelledLine:
    source: str | None
    credits: bl.Credits | None
    date: FoundDate | None


def _labelled_line(line: str) -> _LabelledLine | None:
    """A line made of label：value pairs and at most one date, else None. Every credit value
    must be names (``记者：你怎么看？`` is an interview, not a credit) and a time label must be
    followed by the date; unknown labels after a value (``浏览量：300``) are skipped."""
    if len(line) > 100 or ("：" not in line and ":" not in line):
        return None
    core = line.strip()
    wrapped = _META_WRAPPERS.match(core)
    if wrapped:
        core = wrapped.group(1).strip()
    labels = list(_META_LABEL.finditer(core))
    if not labels:
        return None
    found = find_date(core)
    date_start = core.find(found.text) if found else -1
    if date_start < 0:
        found, date_start, date_end = None, len(core) + 1, len(core) + 1
    else:
        assert found is not None  # date_start >= 0: a date was found
        date_end = date_start + len(found.text)
        labels = [m for m in labels if not date_start <= m.start() < date_end]
        if not labels:
            return None
    prefix = core[: labels[0].start()]
    if date_end <= labels[0].start():  # a leading date: `2023-05-06 来源：…`
        prefix = prefix[:date_start] + prefix[date_end:]
    if prefix.strip(_META_SEPARATORS):
        return None
    source, credit_parts = None, []
    for index, match in enumerate(labels):
        end = labels[index + 1].start() if index + 1 < len(labels) else len(core)
        if match.end() <= date_start < end:
            after_date = core[date_end:end].strip(_META_SEPARATORS)
            if after_date and not _OTHER_META_LABEL.match(" " + after_date):
                return None  # text after the date that is no label: not a metadata line
            end = date_start
        value = core[match.end() : end]
        other = _OTHER_META_LABEL.search(value)
        if other:
            value = value[: other.start()]
        value = value.strip(_META_SEPARATORS)
        if match.group("time"):
            if value or not (found and match.end() <= date_start <= match.end() + 1):
                return None  # 时间：上午十点 — an event's time, not the article's
        elif match.group("source"):
            source = source or _outlet_value(value)
        elif value:
            credit_parts.append(f"{match.group('credit')}：{value}")
    credits = bl.parse_byline_line(" ".join(credit_parts)) if credit_parts else None
    if credit_parts and credits is None:
        return None
    if not (source or credits or found):
        return None
    return _LabelledLine(source, credits, found)


class LineReader:
    """Walks the lines once, top to bottom, collecting paragraphs and facts."""

    def __init__(self, facts: Facts, *, known_title: str | None):
        self.facts = facts
        self.known_title = collapse_spaces(known_title) if known_title else None
        self.paragraphs: list[tuple[str, str]] = []  # (kind, text)
        self.body_count = 0
        self.cut_dateline = False  # set by _lead when it cut a dateline without credit
        self.sign_offs: list[tuple[int, bl.Credits, str]] = []  # (paragraph, credit, line)

    def read(self, raw_lines: list[str]) -> list[tuple[str, str]]:
        lines = [normalize_chars(line).strip() for line in raw_lines]
        lines = join_broken_lines([line for line in lines if line], keep_apart=_is_credit_line)
        quiet_after = _quiet_tail_starts(lines)
        footer = False
        state = self._state()
        for index, line in enumerate(lines):
            footer = self._read_line(line, index, footer, quiet_after)
            state = self._note_evidence(state, line)
        while self.paragraphs and self.paragraphs[-1][0] == "heading":
            self.paragraphs.pop()  # a heading with nothing under it is navigation
        for position, credits, line in self.sign_offs:
            after_quote = (
                line[: line.rfind("（") if "（" in line else line.rfind("(")].rstrip().endswith("”")
            )
            if not after_quote or position >= self.body_count // 2:
                if credits.reporters and not self.facts.credits.reporters:
                    self.facts.evidence.setdefault("reporters", line)
                self.facts.credits.merge(credits)
        return self.paragraphs

    def _read_line(self, line: str, index: int, footer: bool, quiet_after: int) -> bool:
        """Read one line; returns whether the article's footer has been reached."""
        if footer:
            self._footer_line(line)
            return True
        if index < _MAX_HEADER_LINES and self._header_line(line, index):
            return False
        if is_disclaimer(line) or opens_article_list(line):
            return True
        credit = self._credit_line(line)
        if credit:
            # A byline after the body, followed only by short lines: the article has ended.
            return credit == "byline" and self.body_count > 0 and index + 1 >= quiet_after
        self._content_line(line)
        return False

    def _state(self) -> tuple[object, ...]:
        facts = self.facts
        return (
            facts.source_line,
            facts.header_date,
            facts.dateline_outlet,
            facts.dateline_date,
            facts.byline_outlet,
            len(facts.credits.reporters),
        )

    def _note_evidence(self, before: tuple[object, ...], line: str) -> tuple[object, ...]:
        """Remember the line each fact was first read from (``parse --json`` shows it);
        returns the state after the line (the next line's state before)."""
        after = self._state()
        if after == before:
            return after
        keys = ("source_line", "header_date", "dateline", "dateline_date", "byline", "reporters")
        for key, old, new in zip(keys, before, after, strict=True):
            if old != new and key not in self.facts.evidence:
                self.facts.evidence[key] = line
        return after

    # -- lines that are metadata -------------------------------------------------------------

    def _header_line(self, line: str, index: int) -> bool:
        facts = self.facts
        section = breadcrumb_section(line)
        if section is not None:
            facts.section = facts.section or section or None
            return True
        labelled = _labelled_line(line)
        if labelled is not None and (labelled.date or labelled.source):
            # credit-only lines go on to _credit_line (a byline there may end the article)
            self._labelled(labelled)
            return True
        if self._dated_line(line):
            return True
        if (
            not self.paragraphs
            and facts.title is None
            and self.known_title is None
            and _looks_like_title(line)
        ):
            facts.title = collapse_spaces(line)
            return True
        if (
            self.known_title
            and not self.paragraphs
            and collapse_spaces(line).replace(" ", "") == self.known_title.replace(" ", "")
        ):
            return True  # the record's title repeated as the first line
        return False

    def _dated_line(self, line: str) -> bool:
        """``2020-04-12 16:25 来源：X``, ``发布时间：…``: a header line led by the date."""
        facts = self.facts
        found = find_date(line)
        if (
            found
            and facts.header_date is None
            and len(line) <= 80
            and not ends_sentence(line)
            and line.find(found.text) <= 12
        ):
            before = line[: line.find(found.text)]
            if _HEADER_LABEL.match(before):
                facts.header_date = found
                source = _HEADER_SOURCE.search(line)
                if source:
                    facts.source_line = facts.source_line or _outlet_value(source.group("value"))
                rest = line.replace(found.text, " ")
                if source:
                    rest = rest.replace(source.group(), " ")
                credits = bl.parse_byline_line(collapse_spaces(rest)) if rest.strip() else None
                if credits:
                    facts.credits.merge(credits)
                return True
        return False

    def read_context(self, above: list[str], below: list[str]) -> None:
        """A page's lines just above and below its body element (``<div class="info">``
        with date and source, a 责任编辑 line under the text): read for metadata only, never
        for paragraphs, after the body — what the body itself says wins."""
        for raw in above:
            line = normalize_chars(raw).strip()
            if not line or len(line) > 100:
                continue
            state = self._state()
            labelled = _labelled_line(line)
            if labelled is not None:
                self._labelled(labelled)
            elif not self._dated_line(line):
                self._footer_line(line)
            self._note_evidence(state, line)
        for raw in below:
            line = normalize_chars(raw).strip()
            if line and len(line) <= 100:
                state = self._state()
                self._footer_line(line)
                self._note_evidence(state, line)

    def _credit_line(self, line: str) -> str | None:
        """'byline', 'metadata' (原标题, 来源) or None when the line is no credit."""
        facts = self.facts
        title = original_title(line)
        if title:
            facts.original_title = facts.original_title or title
            return "metadata"
        labelled = _labelled_line(line)
        if labelled is not None and (labelled.source or labelled.credits):
            self._labelled(labelled)
            return "metadata" if labelled.source else "byline"
        source = _SOURCE_LINE.match(line)
        if source and _OTHER_LABEL.search(source.group("value")):
            # 来源：澎湃新闻 作者：X — several credits on one line: read them all.
            credits = bl.parse_byline_line(line)
            if credits is not None:
                facts.source_line = facts.source_line or _outlet_value(credits.outlet or "")
                facts.credits.merge(credits)
                return "metadata"
        if source:
            value = _outlet_value(source.group("value"))
            if value:
                facts.source_line = facts.source_line or value
            return "metadata"
        credits = bl.parse_byline_line(line)
        if credits:
            facts.credits.merge(credits)
            if credits.outlet and (credits.reporters or credits.contributors):
                facts.byline_outlet = facts.byline_outlet or credits.outlet
            return "byline"
        return None

    def _footer_line(self, line: str) -> None:
        # Credits still count after the end (责任编辑 lines sit below disclaimers).
        labelled = _labelled_line(line)
        if labelled is not None and (labelled.source or labelled.credits):
            self._labelled(labelled)
            return
        if original_title(line) or _SOURCE_LINE.match(line):
            self._credit_line(line)
            return
        credits = bl.parse_byline_line(line)
        if credits:
            self.facts.credits.merge(credits)

    def _labelled(self, labelled: _LabelledLine) -> None:
        facts = self.facts
        if labelled.source:
            facts.source_line = facts.source_line or labelled.source
        if labelled.credits:
            facts.credits.merge(labelled.credits)
        if labelled.date and facts.header_date is None:
            facts.header_date = labelled.date

    # -- lines that are content ---------------------------------------------------------------

    def _content_line(self, line: str) -> None:
        line = self._take_appended_byline(line)
        if self.facts.credited_outlet is None and (outlet := bl.outlet_credited(line)):
            self.facts.credited_outlet = outlet
            self.facts.evidence.setdefault("credited", line)
        if is_page_junk(line) or is_image_file_name(line):
            return
        photo = bl.photo_credit(line)
        agency = photo.outlet if photo else None
        agency = agency or (bl.released_photo_outlet(line) if photo else None)
        if agency and bl.looks_like_outlet(agency) and self.facts.photo_outlet is None:
            self.facts.photo_outlet = agency
            self.facts.evidence.setdefault("photo", line)
        if photo:
            self.facts.credits.photographers.extend(
                n for n in photo.photographers if n not in self.facts.credits.photographers
            )
            return
        if is_photo_caption(line):
            return
        line = strip_leading_junk(line)
        if not line:
            return
        # A paragraph that opened with a dateline stays a paragraph once the dateline is cut
        # (`新华社太原11月26日电因为成绩不理想，小华被一所` is no heading without it).
        opened_as_paragraph = False
        if self.body_count < _MAX_LEAD_PARAGRAPHS:
            uncut = line
            self.cut_dateline = False
            line = self._lead(line)
            if not line:
                return
            opened_as_paragraph = self.cut_dateline and not is_heading(uncut)
        trailing = bl.parse_trailing_credit(line)
        if trailing and bl.is_sign_off(line):
            # a bare （甲某） after a sentence signs a news item; after a closing quote in the
            # text's first half it more likely names the speaker (decided at the end)
            self.sign_offs.append((self.body_count, trailing[0], line))
            line = trailing[1]
        elif trailing:
            self.facts.credits.merge(trailing[0])
            line = trailing[1]
            if not line:
                return
        if is_heading(line) and not opened_as_paragraph:
            self.paragraphs.append(("heading", heading_text(line)))
        else:
            self.paragraphs.append(("paragraph", collapse_spaces(remove_wrap_spaces(line))))
            self.body_count += 1

    def _take_appended_byline(self, line: str) -> str:
        """``本文由封面新闻原创，未经授权不得转载。封面新闻记者 徐语杨``: a byline glued after
        the last sentence is taken as a byline; the sentences before it stay."""
        cut = line.rfind("。")
        if cut <= 0 or cut == len(line) - 1 or len(line) - cut > 40:
            return line
        credits = bl.parse_byline_line(line[cut + 1 :].strip())
        if (
            credits
            and credits.photographers
            and credits.outlet
            and bl.looks_like_outlet(credits.outlet)
        ):
            self.facts.photo_outlet = self.facts.photo_outlet or credits.outlet
            self.facts.evidence.setdefault("photo", line)
        if not credits or not (credits.reporters or credits.contributors or credits.editors):
            return line
        self.facts.credits.merge(credits)
        if credits.outlet and credits.reporters:
            self.facts.byline_outlet = self.facts.byline_outlet or credits.outlet
        return line[: cut + 1]

    def _lead(self, line: str, *, again: bool = True) -> str:
        lead = bl.parse_lead(line)
        if lead is None:
            return line
        facts = self.facts
        surely_dateline = lead.without_dateline is not None
        if (
            lead.outlet
            and not facts.dateline_outlet
            and (lead.credits or lead.month_day or surely_dateline)
        ):
            facts.dateline_outlet = lead.outlet
        if lead.month_day and facts.dateline_date is None:
            facts.dateline_date = month_day_date(lead.month_day)
        elif facts.dateline_date is None and surely_dateline and lead.without_dateline:
            # 某网讯2009年8月8日下午，…: the date opens the text right after the dateline
            found = find_date(lead.without_dateline[:24])
            if found is not None and lead.without_dateline.lstrip().startswith(found.text):
                facts.dateline_date = found
        if lead.credits:
            facts.credits.merge(lead.credits)
            rest = (lead.rest or "").strip()
            return strip_leading_junk(rest) if rest else ""
        if surely_dateline:  # 重庆晨报讯 昨日，… → 昨日，…
            self.cut_dateline = True
            rest = (lead.without_dateline or "").strip()
            rest = strip_leading_junk(rest) if rest else ""
            # a credit may follow (本报讯 记者X报道：…): read once more, not again and again
            return self._lead(rest, again=False) if rest and again else rest
        return line


def _is_credit_line(line: str) -> bool:
    if _SOURCE_LINE.match(line) or original_title(line) or bl.parse_byline_line(line) is not None:
        return True
    labelled = _labelled_line(line)
    return labelled is not None and bool(labelled.source or labelled.credits)


def _looks_like_title(line: str) -> bool:
    """A short first line that is no credit and no lead (``【某网报道 记者 甲某】据…`` or
    ``某社某地11月27日电(记者甲某)…`` open a feed text that has no title)."""
    if (
        len(line) > 80
        or ends_sentence(line)
        or "。" in line
        or is_page_junk(line)
        or _is_credit_line(line)
    ):
        return False
    lead = bl.parse_lead(line)
    return lead is None or not (lead.credits or lead.month_day or lead.without_dateline)


# Page widgets printed after the name in a 来源 slot: `来源：某社 【字号 大 中 小】 打印 关闭`.
_WIDGETS_AFTER = re.compile(r"\s*[【\[]|\s+(?:字号|打印|关闭|分享|举报|收藏|评论|阅读|浏览|点击)")


def _outlet_value(value: str) -> str | None:
    widgets = _WIDGETS_AFTER.search(value)
    if widgets and widgets.start() > 0:
        value = value[: widgets.start()]  # the name ends where the page's widgets start
    value = value.strip(" 　【】[]（）()。")
    return None if not value or value in _SOURCE_NOT_OUTLET else value


def _quiet_tail_starts(lines: list[str]) -> int:
    """Index from which every line is short and sentence-less (navigation after the end)."""
    start = len(lines)
    while start > 0:
        line = lines[start - 1]
        if len(line) <= _FOOTER_LINE_CHARS and not ends_sentence(line) or is_page_junk(line):
            start -= 1
        else:
            break
    return start
