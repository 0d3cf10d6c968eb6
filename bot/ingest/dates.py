"""Dates as printed in Chinese news → ISO 8601 without zone, plus year inference.

Dates stay in the local time they were printed in: a time zone, when given, is dropped, never
converted. A date printed without a year (``04-12 16:25:33``) gets one only from evidence in the
same article (``QQ图片20200412162837.png``, ``2020年4月12日``, a URL such as ``/20/0412/``)
whose month and day agree; otherwise ``date`` stays None and only ``date_text`` is kept.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date as _date

from .cleaning import normalize_chars

_TIME = r"(?:\s*T?\s*(?P<hour>\d{1,2})[:：时](?P<minute>\d{1,2})(?:[:：分](?P<second>\d{1,2})秒?)?(?:\.\d+)?)?"
_ZONE = r"(?:\s*(?:Z|[+-]\d{2}:?\d{2}|UTC|GMT|CST))?"
_FULL_DATE = re.compile(
    r"(?<!\d)(?P<year>(?:19|20)\d{2})\s*[-/.年]\s*(?P<month>\d{1,2})\s*[-/.月]\s*(?P<day>\d{1,2})日?"
    + _TIME
    + _ZONE
)
# Month and day with a time (``04-12 16:25:33``, ``4月12日 16:25``): a page header, no year.
_YEARLESS_DATE_TIME = re.compile(
    r"(?<![\d/.-])(?P<month>\d{1,2})\s*[-/月]\s*(?P<day>\d{1,2})日?\s+"
    r"(?P<hour>\d{1,2})[:：](?P<minute>\d{2})(?:[:：](?P<second>\d{2}))?(?![\d])"
)
_YEAR_MONTH = re.compile(r"^((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})月?$")
_MONTH_DAY = re.compile(r"(?P<month>\d{1,2})月(?P<day>\d{1,2})日")
# Evidence for the year: yyyymmdd runs (image names), dates with years, URL paths.
_COMPACT_DATE = re.compile(r"(?<!\d)((?:19|20)\d{2})(\d{2})(\d{2})(?=\d|\D|$)")
_URL_SHORT_DATE = re.compile(r"/(\d{2})/(\d{2})(\d{2})/")


@dataclass(frozen=True)
class FoundDate:
    """A date as printed (``text``) and as ISO (``iso``, None when the year is unknown)."""

    text: str
    iso: str | None
    month: int
    day: int


def _iso(
    year: int | None, month: int, day: int, hour: str | None, minute: str | None, second: str | None
) -> str | None:
    if year is None:
        return None
    try:
        _date(year, month, day)
    except ValueError:
        return None
    if hour is None:
        return f"{year:04d}-{month:02d}-{day:02d}"
    h, m, s = int(hour), int(minute or 0), int(second or 0)
    if h > 23 or m > 59 or s > 59:
        return f"{year:04d}-{month:02d}-{day:02d}"
    return f"{year:04d}-{month:02d}-{day:02d}T{h:02d}:{m:02d}:{s:02d}"


def find_date(text: str) -> FoundDate | None:
    """The first date in text (a header line, a metadata value): with a year when printed,
    month/day/time otherwise."""
    text = normalize_chars(text)
    match = _FULL_DATE.search(text)
    found = _with_year(match, int(match.group("year"))) if match else None
    if found:
        return found
    match = _YEARLESS_DATE_TIME.search(text)
    return _yearless(match) if match else None


def _with_year(match: re.Match[str], year: int) -> FoundDate | None:
    """A matched date (groups month, day and optionally hour, minute, second) in ``year``;
    None when it is no real date."""
    month, day = int(match.group("month")), int(match.group("day"))
    iso = _iso(year, month, day, match.group("hour"), match.group("minute"), match.group("second"))
    return FoundDate(match.group().strip(), iso, month, day) if iso else None


def _yearless(match: re.Match[str]) -> FoundDate | None:
    """A matched month and day without a year; None when out of range."""
    month, day = int(match.group("month")), int(match.group("day"))
    if 1 <= month <= 12 and 1 <= day <= 31:
        return FoundDate(match.group().strip(), None, month, day)
    return None


def parse_date_value(value: str) -> tuple[str | None, str]:
    """A metadata date (``2020-11-27 12:39:00``, ``2007年11月13日``, ISO with zone) →
    (ISO or None, the text as given)."""
    found = find_date(value)
    if found is None:
        # Month precision (`2005-12`, `2005年12月`) is still a date ISO 8601 can state.
        month = _YEAR_MONTH.match(normalize_chars(value).strip())
        if month and 1 <= int(month.group(2)) <= 12:
            return f"{int(month.group(1)):04d}-{int(month.group(2)):02d}", value.strip()
    return (found.iso if found else None), value.strip()


def infer_year(month: int, day: int, evidence: Iterable[str]) -> int | None:
    """The year that every piece of evidence agrees on for this month and day, else None."""
    years: set[int] = set()
    for text in evidence:
        if not text:
            continue
        text = normalize_chars(text)
        for y, m, d in _COMPACT_DATE.findall(text):
            if int(m) == month and int(d) == day:
                years.add(int(y))
        for match in _FULL_DATE.finditer(text):
            if int(match.group("month")) == month and int(match.group("day")) == day:
                years.add(int(match.group("year")))
        for yy, m, d in _URL_SHORT_DATE.findall(text):
            if int(m) == month and int(d) == day:
                years.add(2000 + int(yy))
    return years.pop() if len(years) == 1 else None


def complete_date(found: FoundDate, evidence: Iterable[str]) -> str | None:
    """ISO for a found date, inferring a missing year from evidence (None if it cannot)."""
    if found.iso:
        return found.iso
    year = infer_year(found.month, found.day, evidence)
    if year is None:
        return None
    match = _YEARLESS_DATE_TIME.search(normalize_chars(found.text))
    if match:
        return _iso(
            year,
            found.month,
            found.day,
            match.group("hour"),
            match.group("minute"),
            match.group("second"),
        )
    return _iso(year, found.month, found.day, None, None, None)


_CN_MONTH_DAY = re.compile(
    r"(?P<month>[一二三四五六七八九十]{1,2})月"
    r"(?P<day>[一二三四五六七八九十]{1,3})日"
)
_CN_DIGITS = {c: n for n, c in enumerate("一二三四五六七八九", 1)}


def _chinese_number(text: str) -> int:
    """``二十一`` → 21 (the numbers of months and days: up to 三十一)."""
    if "十" not in text:
        return _CN_DIGITS.get(text, 0)
    tens, _, ones = text.partition("十")
    return (_CN_DIGITS.get(tens, 0) if tens else 1) * 10 + (_CN_DIGITS.get(ones, 0) if ones else 0)


def month_day_date(text: str) -> FoundDate | None:
    """``4月12日`` or ``五月二十一日`` (a dateline) as a yearless date."""
    match = _MONTH_DAY.search(normalize_chars(text))
    if match:
        return FoundDate(match.group(), None, int(match.group("month")), int(match.group("day")))
    match = _CN_MONTH_DAY.search(text)
    if not match:
        return None
    month, day = _chinese_number(match.group("month")), _chinese_number(match.group("day"))
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    return FoundDate(match.group(), None, month, day)


# Forms seen in page header lines only, where inline spans run together: ``10-0812:00``
# (month-day glued to the time), ``18-03-0823:16`` (a two-digit year).
_GLUED_YEARLESS = re.compile(
    r"(?<![\d/.-])(?P<month>\d{2})-(?P<day>\d{2})\s*(?P<hour>\d{2})[:：](?P<minute>\d{2})"
    r"(?::(?P<second>\d{2}))?(?!\d)"
)
_SHORT_YEAR = re.compile(
    r"(?<![\d/.-])(?P<year>\d{2})-(?P<month>\d{2})-(?P<day>\d{2})\s*(?P<hour>\d{2})[:：]"
    r"(?P<minute>\d{2})(?::(?P<second>\d{2}))?(?!\d)"
)


def find_page_date(text: str) -> FoundDate | None:
    """``find_date`` plus the run-together forms of page header lines."""
    found = find_date(text)
    if found:
        return found
    text = normalize_chars(text)
    match = _SHORT_YEAR.search(text)
    found = _with_year(match, 2000 + int(match.group("year"))) if match else None
    if found:
        return found
    match = _GLUED_YEARLESS.search(text)
    return _yearless(match) if match else None


def month_day_iso(found: FoundDate) -> str | None:
    """``--MM-DD`` (ISO 8601 without a year) for a date whose year is unknown."""
    try:
        _date(2000, found.month, found.day)  # 2000 is a leap year: 02-29 is a valid month-day
    except ValueError:
        return None
    return f"--{found.month:02d}-{found.day:02d}"
