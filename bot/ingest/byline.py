"""Credits from the text of Chinese news: reporters, contributors, editors, photographers, outlet.

Chinese bylines come in a handful of shapes (see the tests for real examples):

* a whole line: ``上游新闻·重庆晨报记者 严薇 郭欣欣``, ``文/本报记者 宋霞``, ``作者：祝欢``,
  ``责任编辑：X``, ``（X 上海报道）``, ``王磊 摄``;
* a lead: ``新华社北京4月12日电（记者 X、Y）正文…``, ``本报讯（记者X通讯员Y）正文…``;
* a trailing parenthesis: ``…正文。（通讯员X 记者Y）``;
* a photo credit ending a caption: ``…成功入榜。 新华社记者 王菲 摄``.

The rule that keeps ``记者从重庆高新区获悉`` from becoming a reporter named 从重庆…: a credit is
only accepted when *everything* in it parses as role words, names and separators. Names are
2–4 Han characters (or two parts joined by ·); names run together (``王春雨曹霁阳熊琳``) are
split where common surnames start.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..models import Contributor
from .names import HAN, ORG_SUFFIX, OUTLET_ENDING, names_no_person, plain_name, split_names

# --------------------------------------------------------------------------------------------
# Credits
# --------------------------------------------------------------------------------------------


@dataclass
class Credits:
    reporters: list[str] = field(default_factory=list)
    contributors: list[Contributor] = field(default_factory=list)
    editors: list[str] = field(default_factory=list)
    photographers: list[str] = field(default_factory=list)
    outlet: str | None = None

    def __bool__(self) -> bool:
        return bool(self.reporters or self.contributors or self.editors or self.photographers)

    def merge(self, other: Credits) -> None:
        """Add other's names, keeping first-seen order and no duplicates."""
        for name in other.reporters:
            if name not in self.reporters:
                self.reporters.append(name)
        for contributor in other.contributors:
            if contributor not in self.contributors:
                self.contributors.append(contributor)
        for name in other.editors:
            if name not in self.editors:
                self.editors.append(name)
        for name in other.photographers:
            if name not in self.photographers:
                self.photographers.append(name)
        if other.outlet and not self.outlet:
            self.outlet = other.outlet


# Role words, longest first inside each alternative so 通讯员 never reads as 通讯 + 员.
# The outlet before 记者 (本报, 新华社 …) is read as the outlet, not as part of the role.
_REPORTER_ROLE = r"(?:特约|特派|首席|见习|实习|全媒体|融媒体|驻[^\s记者]{1,4}|资深|主任|摄影)?记者"
_CONTRIBUTOR_ROLE = r"(?:特约|职工|学生|本站|本报)?通讯员|实习生|见习生"
_EDITOR_ROLE = r"(?:责任|值班|微信|网络|实习|执行)?编辑|责编"
_PHOTO_ROLE = r"摄影|图片|图"
_AUTHOR_ROLE = r"作者|撰文|文"
# Credited people this project does not keep (proofreaders, producers): parsed so that their
# names are never mistaken for editors or reporters, then dropped.
_OTHER_ROLE = r"校对|审校|审核|监制|统筹|出品人|策划|制图|设计|翻译|编译"
_ROLE = re.compile(
    f"(?P<reporter>{_REPORTER_ROLE})|(?P<other>{_OTHER_ROLE})|(?P<contributor>{_CONTRIBUTOR_ROLE})|"
    f"(?P<editor>{_EDITOR_ROLE})|(?<![{HAN}])(?P<photo>{_PHOTO_ROLE})(?=[/：:\\s])|"
    f"(?<![{HAN}])(?P<author>{_AUTHOR_ROLE})(?=[/：:\\s])"
)
_REPORT_SUFFIX = re.compile(r"(?:\s+[^\s]{1,6}|/)?报道$")
_PHOTO_SUFFIX = re.compile(r"\s*/?\s*(?:(?<!自)拍?摄|翻拍|图)$")
_TEXT_AND_PHOTO_SUFFIX = re.compile(r"\s*(?:文/图|图/文|文图|/文)$")


def parse_credit(
    body: str, *, default_role: str = "reporter", names_before_role: bool = False
) -> Credits | None:
    """Parse the inside of a credit (``记者 严薇 郭欣欣``, ``记者王通讯员交宣``, ``李映民李获``,
    ``郑耀德 摄``, ``X 上海报道``). None unless the whole text is roles, names and separators.

    Text before the first role word is the outlet (``每经记者 陈晨``), unless
    ``names_before_role``: inside a dateline's parentheses it is a name (``（党博记者张军建）``)
    when it does not end like an outlet."""
    body = body.strip()
    if not body or len(body) > 60:
        return None
    if _PHOTO_SUFFIX.search(body) and not _TEXT_AND_PHOTO_SUFFIX.search(body):
        default_role = "photo"
        body = _PHOTO_SUFFIX.sub("", body)
    body = _TEXT_AND_PHOTO_SUFFIX.sub("", body)
    body = _REPORT_SUFFIX.sub("", body).strip()
    credits = Credits()
    matches = list(_ROLE.finditer(body))
    # Text before the first role word is the outlet (新华社记者 …, 每经记者 …); without any
    # role word the whole text is names under the default role (中新网…电(李映民李获)).
    head = body[: matches[0].start()] if matches else body
    if matches:
        head = _PAREN.sub("", head)  # 本报（网址）记者 …: the outlet's web address aside
    if head.strip(" ：:、，,·"):
        if not matches:
            names = split_names(head)
            if names is None:
                if _looks_like_outlet(head):
                    credits.outlet = head.strip(" ：:")
                    return credits
                return None
            _credit(credits, default_role, names)
        elif (
            names_before_role
            and not OUTLET_ENDING.search(head.strip())
            and (names := split_names(head)) is not None
        ):
            _credit(credits, default_role, names)
        elif _OUTLET_HEAD.match(head.strip()):
            credits.outlet = head.strip(" ：:").removesuffix("报道").strip(" -")
        else:
            return None
    for index, match in enumerate(matches):
        end = matches[index + 1].start() if index + 1 < len(matches) else len(body)
        segment = body[match.end() : end]
        role = match.lastgroup or default_role
        if role == "photo" and not segment.strip(" /：:"):
            continue
        names = split_names(segment.lstrip("/／"))
        if names is None:
            # A role word with nobody after it, or one stray character (记者王通讯员交宣: the
            # page lost part of the name) — skip it rather than invent a one-character name.
            if len(segment.strip(" /：:、，,")) <= 1:
                continue
            return None
        _credit(credits, role, names, role_word=match.group())
    if not credits and not credits.outlet:
        return None
    return credits


_PAREN = re.compile(r"[（(][^（()）]*[)）]")
_OUTLET_HEAD = re.compile(rf"^[{HAN}A-Za-z0-9·“”《》\"\s-]{{2,16}}$")


def _credit(credits: Credits, role: str, names: list[str], *, role_word: str = "") -> None:
    if role in ("reporter", "author"):
        credits.reporters.extend(n for n in names if n not in credits.reporters)
    elif role == "contributor":
        credits.contributors.extend(
            Contributor(n, role_word.removeprefix("特约") or "通讯员") for n in names
        )
    elif role == "editor":
        credits.editors.extend(names)
    elif role == "photo":
        credits.photographers.extend(names)


def looks_like_outlet(text: str) -> bool:
    """``新华社``, ``某某日报``, ``本报``: a name that reads like an outlet's."""
    return _looks_like_outlet(text) and text.strip(" ：:") not in ("本报", "本刊", "本台", "本网")


def _looks_like_outlet(text: str) -> bool:
    text = text.strip(" ：:")
    return 1 < len(text) <= 16 and (
        bool(ORG_SUFFIX.search(text)) or "·" in text or text in ("本报", "本刊", "本台", "本网")
    )


# --------------------------------------------------------------------------------------------
# Whole-line credits
# --------------------------------------------------------------------------------------------

_WRAPPERS = re.compile(r"^[【\[（(](.+)[】\]）)]$")
# ``作者：澎湃特约评论员 熊志``, ``文/观察者网 齐倩``, ``文/赵君（北京世纪坛医院）``
_AUTHOR_LINE = re.compile(
    r"^(?:相关作者|作者|撰文|文|来稿|执笔|采写)\s*[/／：:|｜丨]\s*"
    r"(?P<rest>.+)$"
)
# Writers who are not the outlet's journalists: columnists, commentators, scholars.
_NON_JOURNALIST = re.compile(r"专栏作者|专栏作家|学者|教授|研究员")
_EDITOR_LINE = re.compile(
    rf"^(?P<outlet>[^：:]{{0,10}}?)(?:{_EDITOR_ROLE})\s*[：:/]\s*(?P<rest>.+)$"
)
_LABELLED = re.compile(
    r"(来源|稿源|作者|采写|责任编辑|编辑|责编|主编|记者|通讯员|实习生|摄影|校对|"
    r"审核|监制|统筹)"
    r"\s*[：:|｜丨]\s*"
)
_PHOTO_LINE = re.compile(
    r"^(?:(?:图|摄影|图片)\s*[/／：:]\s*(?P<after>.+)|(?P<before>.+?)\s*/?\s*(?<!自)(?:摄|翻拍))$"
)
# `【环球网报道】`, `【环球时报综合报道】`: the outlet alone.
_OUTLET_REPORT = re.compile(r"^(?P<outlet>.{2,16}?)(?:综合|独家|特约)?报道$")
_AFFILIATION = re.compile(r"[（(][^（()）]*[）)]$")


# Every credit line holds one of these; most lines hold none and are dismissed at once.
_CREDIT_HINT = re.compile(
    r"记者|执笔|采写|编辑|责编|主编|作者|撰文|文\s*[/／：:|｜丨]|摄|图|通讯员|"
    r"实习生|报道|校对|审核|"
    r"监制|统筹|来源|稿源"
)


def parse_byline_line(line: str) -> Credits | None:
    """Credits when the whole line is a byline/credit line, else None."""
    line = line.strip()
    if not line or len(line) > 70 or not _CREDIT_HINT.search(line):
        return None
    wrapped = _WRAPPERS.match(line)
    if wrapped:
        line = wrapped.group(1).strip()
    labelled = _labelled_credits(line)
    if labelled is not None:
        return labelled
    author = _AUTHOR_LINE.match(line)
    if author:
        return _author_credit(author.group("rest"))
    editor = _EDITOR_LINE.match(line)
    if editor and (not editor.group("outlet") or _looks_like_outlet(editor.group("outlet"))):
        names = split_names(editor.group("rest"))
        if names:
            return Credits(editors=names, outlet=editor.group("outlet") or None)
    photo = _PHOTO_LINE.match(line)
    if photo:
        credits = parse_credit(
            photo.group("after") or photo.group("before") or "", default_role="photo"
        )
        if credits:
            credits.photographers.extend(
                n
                for n in credits.reporters + [c.name for c in credits.contributors]
                if n not in credits.photographers
            )
            credits.reporters, credits.contributors = [], []
            return credits
    outlet_only = _OUTLET_REPORT.match(line)
    if outlet_only and _looks_like_outlet(outlet_only.group("outlet")):
        return Credits(outlet=outlet_only.group("outlet"))
    credits = parse_credit(line)
    if (
        credits
        and (credits.reporters or credits.contributors or credits.photographers or credits.editors)
        and _ROLE.search(line)
        or (
            credits
            and (_NAME_PLACE_REPORT.search(line) or wrapped and "报道" in line or "摄" in line)
        )
    ):
        return credits
    return None


# `甲某 上海报道`: a name, a space, a place and 报道 (a bare `特别报道` is a section heading).
_NAME_PLACE_REPORT = re.compile(r"\S\s+\S{1,6}报道$")


def _author_credit(rest: str) -> Credits | None:
    """``本报记者 宋霞`` / ``观察者网 齐倩`` / ``许朝军，蒲公英评论独立评论员`` / ``科科``."""
    rest = _AFFILIATION.sub("", rest.strip()).strip()
    if _NON_JOURNALIST.search(rest):
        # a columnist or scholar writes, but is no reporter of the outlet
        names = [
            part
            for part in re.split(r"[\s，,、]+", _NON_JOURNALIST.split(rest)[-1])
            if part and plain_name(part) and len(part) <= 4
        ]
        if names:
            return Credits(contributors=[Contributor(name, "作者") for name in names])
    credits = parse_credit(rest)
    if credits and credits.reporters:
        return credits
    # An outlet or a job title beside the name: keep the parts that are names.
    names, outlet = [], None
    for part in re.split(r"[\s，,、]+", rest):
        if not part:
            continue
        if _looks_like_outlet(part) or part.endswith(("员", "家", "人", "者", "教授", "主任")):
            outlet = outlet or (
                part if _looks_like_outlet(part) and not part.endswith("员") else None
            )
            continue
        if plain_name(part) and len(part) <= 4 and not names_no_person(part):
            names.append(part)
        else:
            return None
    return Credits(reporters=names, outlet=outlet) if names else None


def _labelled_credits(line: str) -> Credits | None:
    """``（作者：唐唯珂 编辑：徐旭）``, ``来源：中国网作者：陈维松``: a line made only of
    label：value pairs."""
    matches = list(_LABELLED.finditer(line))
    if not matches or matches[0].start() > 12 or len(matches) < 2 and matches[0].group(1) == "来源":
        return None
    credits = Credits()
    prefix = line[: matches[0].start()].strip()
    if prefix and not _looks_like_outlet(prefix):
        return None
    credits.outlet = prefix or None
    for index, match in enumerate(matches):
        end = matches[index + 1].start() if index + 1 < len(matches) else len(line)
        value = line[match.end() : end].strip()
        label = match.group(1)
        if label in ("来源", "稿源"):
            credits.outlet = value or credits.outlet
            continue
        if label in ("作者", "采写"):
            sub = _author_credit(value)
            if sub is None:
                return None
            credits.merge(sub)
            continue
        names = split_names(value)
        if names is None:
            return None
        role = {
            "责任编辑": "editor",
            "编辑": "editor",
            "责编": "editor",
            "主编": "editor",
            "校对": "other",
            "审核": "other",
            "监制": "other",
            "统筹": "other",
            "记者": "reporter",
            "通讯员": "contributor",
            "实习生": "contributor",
            "摄影": "photo",
        }[label]
        _credit(credits, role, names, role_word=label)
    return credits if credits else None


# --------------------------------------------------------------------------------------------
# Leads, trailing parentheses, photo credits in captions
# --------------------------------------------------------------------------------------------

_KNOWN_OUTLETS = (
    "新华社",
    "新华网",
    "中新社",
    "中新网",
    "中国新闻网",
    "人民网",
    "人民日报",
    "央视网",
    "央视新闻",
    "央广网",
    "中国日报",
    "光明网",
    "澎湃新闻",
    "南都",
    "本报",
    "本刊",
    "本台",
)
_CN_NUMBER = "一二三四五六七八九十"
_MONTH_DAY = rf"(?:\d{{1,2}}月\d{{1,2}}日|[{_CN_NUMBER}]{{1,2}}月[{_CN_NUMBER}]{{1,3}}日)"
# 新华社北京4月12日电（记者 X、Y） / 本报讯（记者X） / 中新网东莞3月30日电(李映民李获)
_LEAD = re.compile(
    rf"^(?P<lead>(?P<head>[^（(，。：:\s]{{0,24}}?)(?:(?P<md>{_MONTH_DAY})[^\s（(，。：:]{{0,6}}?)?(?:电|讯|消息|报道|专电|信息)?)"
    rf"[：:]?\s*[（(](?P<body>[^（()）]{{2,60}})[)）]\s*[：:]?\s*"
)
# A dateline without a credit: 新华社北京4月12日电 …
_DATELINE = re.compile(rf"^(?P<head>[^（(，。：:\s]{{2,24}}?)(?P<md>{_MONTH_DAY})(?:电|讯|专电)")
# `网易体育11月27日报道：`, `11月27日电 综合报道`, `11月26日消息，`: a dateline of a channel,
# or one whose outlet was cut off by the feed (the month and day are still the date).
_REPORT_DATELINE = re.compile(
    rf"^(?P<head>[^（(，。：:\s]{{0,16}}?)(?P<md>{_MONTH_DAY})"
    rf"(?:电|报道|消息)(?=[\s，,：:])"
)
_NEWS_FLASH = re.compile(r"^(?P<head>[^（(，。：:\s]{2,12}?)讯")
# 央视网消息（新闻联播）：… / 人民网北京5月6日消息 …: an outlet's "news" opening the text.
_NEWS_MESSAGE = re.compile(
    rf"^(?P<head>[^（(，。：:\s]{{2,16}}?)(?P<md>{_MONTH_DAY})?消息"
    rf"(?:[（(][^（()）]{{1,20}}[)）])?"
)
# What follows 电/讯 when they start a word (电视, 通讯员, 讯息), not end a dateline.
_NOT_A_DATELINE_END = set("视话脑影力网子台器商源池梯线讯员息号录问称说")
# Heads that make a dateline part of a sentence (据新华社…电，…; 该报讯…): kept as text.
_SENTENCE_HEADS = ("据", "该", "此", "这", "其")
# `中国民航网 实习记者潘瑾瑜 报道：11月26日，…`: a credit ending in 报道： opens the text.
_REPORTED_LEAD = re.compile(r"^(?P<body>[^。，,（(]{2,40}?记者[^。，,（(]{2,12}?)\s*报道[：:]\s*")
_BRACKET_LEAD = re.compile(r"^【(?P<body>[^【】]{2,40})】\s*")
_LEAD_ENDINGS = ("讯", "电", "消息", "报道", "信息")
_TRAILING_CREDIT = re.compile(r"\s*[（(](?P<body>[^（()）]{2,50})[)）]\s*$")


@dataclass
class Lead:
    """What a paragraph's opening dateline says; ``rest`` is the paragraph without it."""

    credits: Credits
    outlet: str | None
    month_day: str | None
    rest: str
    # The paragraph without a credit-less dateline (``中新网4月12日电 据外媒报道…`` →
    # ``据外媒报道…``), when the opening is surely a dateline; None otherwise (``rest`` then
    # keeps the whole paragraph, as it does for every lead without credits).
    without_dateline: str | None = None


# `某某新闻 | 娱乐频道 出品`, `某某报综合某台、某报`: the outlet that produced or compiled it.
_PRODUCED_BY = re.compile(
    r"^(?P<outlet>[^\s，。：:|｜]{2,16})(?:\s*[|｜]\s*[^\s，。]{2,10})?\s*出品$"
)
_COMPILED_BY = re.compile(
    r"^(?P<outlet>[^\s，。：:]{2,12}?)综合(?:[^\s，。：:]{2,12}[、，,]){1,6}"
    r"[^\s，。：:]{2,12}$"
)
# `某报记者注意到`, `某网（报料微信号：…）记者获悉`: the outlet's own reporter at work, at the
# start of a sentence (`据某社记者了解` cites another outlet and does not count).
_OWN_REPORTER = re.compile(
    r"(?:^|(?<=[，。！？]))(?P<outlet>[^\s，。！？：:（(]{2,12}?)"
    r"(?:[（(][^（()）]{0,30}[)）])?(?:记者|前方报道团队?|报道组|采访组)"
    r"(?:注意到|获悉|了解到|发现|实地走访|调查发现|拍摄到|从[^，。]{2,20}获悉)"
)


def outlet_credited(line: str) -> str | None:
    """The outlet a line credits as the article's maker: ``X 出品``, ``X综合A、B``, or
    ``X记者注意到`` opening a sentence; None when it names none."""
    if not any(word in line for word in _CREDITED_WORDS):
        return None  # most lines: a few substring tests instead of three patterns
    for pattern in (_PRODUCED_BY, _COMPILED_BY):
        match = pattern.match(line.strip())
        if match and looks_like_outlet(match.group("outlet")):
            return match.group("outlet")
    match = _OWN_REPORTER.search(line)
    if (
        match
        and not match.group("outlet").startswith(_SENTENCE_HEADS + ("向", "对", "接受"))
        and (
            looks_like_outlet(match.group("outlet"))
            or _CHANNEL_ENDING.search(match.group("outlet"))
        )
    ):
        return match.group("outlet")
    return None


_CREDITED_WORDS = ("记者", "出品", "综合", "报道", "采访组")
# A news site's channel (网易体育, 某某汽车): an outlet where its own team reports.
_CHANNEL_ENDING = re.compile(r"(?:体育|科技|汽车|娱乐|财经|军事|教育)$")


def outlet_of(head: str) -> str | None:
    """``新华网合肥`` → ``新华网``; ``本报`` → ``本报``; ``东南网`` → ``东南网``."""
    head = head.strip().removeprefix("据")  # 据新华社… = according to 新华社
    for outlet in _KNOWN_OUTLETS:
        if head.startswith(outlet):
            return outlet
    if re.fullmatch(r".{1,12}(?:社|网|报|台)", head):
        return head  # the whole head names the outlet: 新华报业网, not 新华报
    match = re.match(r"^(.{1,12}?(?:社|网|报|台))", head) or re.match(
        r"^(.{2,12}?(?:新闻|客户端|在线|之声|财经|体育|科技|汽车|娱乐|经纬|资讯))", head
    )
    # A bare place (武汉3月5日电) names no outlet.
    return match.group(1) if match else None


def parse_lead(paragraph: str) -> Lead | None:
    """The dateline/credit opening a paragraph, or None."""
    reported = _REPORTED_LEAD.match(paragraph)
    if reported:
        body = reported.group("body")
        month_day = re.search(_MONTH_DAY, body)
        if month_day:  # 某网记者甲某4月9日报道：
            body = body[: month_day.start()] + " " + body[month_day.end() :]
        credits = parse_credit(body)
        if credits and (credits.reporters or credits.contributors):
            return Lead(
                credits,
                credits.outlet,
                month_day.group() if month_day else None,
                paragraph[reported.end() :],
            )
    bracket = _BRACKET_LEAD.match(paragraph)
    if bracket:
        credits = parse_byline_line(bracket.group("body"))
        if credits:
            return Lead(credits, credits.outlet, None, paragraph[bracket.end() :])
    match = _LEAD.match(paragraph)
    if match and (
        match.group("md") or match.group("lead").endswith(_LEAD_ENDINGS) or not match.group("lead")
    ):
        body = match.group("body")
        # Names without a role word only count inside a real dateline (…电(李映民李获)), not
        # in any parenthesis after a date (北京时间11月27日（周五）).
        default = "reporter" if match.group("lead").endswith(("电", "讯")) else ""
        credits = (
            parse_credit(body, default_role=default or "reporter", names_before_role=True)
            if (default or _ROLE.search(body))
            else None
        )
        if credits:
            head = match.group("head")
            return Lead(
                credits,
                outlet_of(head) if head else None,
                match.group("md"),
                paragraph[match.end() :],
            )
    dateline = _DATELINE.match(paragraph)
    if dateline is None and (report := _REPORT_DATELINE.match(paragraph)):
        outlet = outlet_of(report.group("head")) if report.group("head") else None
        if outlet or not report.group("head"):
            reported_rest = paragraph[report.end() :].lstrip(" ，,：:")
            return Lead(Credits(), outlet, report.group("md"), paragraph, reported_rest)
    if dateline:
        outlet = outlet_of(dateline.group("head"))
        return Lead(
            Credits(),
            outlet,
            dateline.group("md"),
            paragraph,
            _after_dateline(paragraph, dateline, outlet, named_outlet_only=False),
        )
    flash = _NEWS_FLASH.match(paragraph)
    if flash:
        outlet = outlet_of(flash.group("head"))
        after = _after_dateline(paragraph, flash, outlet, named_outlet_only=True)
        if after is not None:
            return Lead(Credits(), outlet, None, paragraph, after)
        return Lead(Credits(), outlet, None, paragraph)
    message = _NEWS_MESSAGE.match(paragraph)
    if message:
        outlet = outlet_of(message.group("head"))
        after = _after_dateline(paragraph, message, outlet, named_outlet_only=True)
        # 美联社消息称，… is a sentence: a 消息 dateline is followed by punctuation or a space
        if after and re.match(f"[{HAN}]", after):
            after = None
        if after is not None:
            return Lead(Credits(), outlet, message.group("md"), paragraph, after)
    return None


def _after_dateline(
    paragraph: str, match: re.Match, outlet: str | None, *, named_outlet_only: bool
) -> str | None:
    """The paragraph after a dateline without credit when the opening surely is one, else
    None. Sure means: not a sentence (据…, 该报…), not a word going on (电视, 通讯员), and
    either the head is an outlet (plus a place of a few characters) or — for month-day
    datelines — a space or punctuation follows (武汉3月5日电 …)."""
    head = match.group("head")
    after = paragraph[match.end() :]
    if head.startswith(_SENTENCE_HEADS) or after[:1] in _NOT_A_DATELINE_END:
        return None
    head_is_outlet = (
        bool(outlet)
        and outlet is not None
        and head.startswith(outlet)
        and len(head) - len(outlet) <= 6
    )
    separated = not after or after[0] in " 　，,：:、—-"
    if not (head_is_outlet or (separated and not named_outlet_only)):
        return None
    # A credit the parser could not read (（记者张）: a name cut short) goes with its dateline.
    paren = _LEADING_PAREN.match(after)
    if paren and _ROLE.search(paren.group()):
        after = after[paren.end() :]
    return after


_LEADING_PAREN = re.compile(r"\s*[（(][^（()）]{1,30}[)）]")


# `（实习生甲某对此文亦有贡献）`: a contributor thanked at the end.
_CONTRIBUTED = re.compile(
    rf"[（(](?P<role>{_CONTRIBUTOR_ROLE}|{_REPORTER_ROLE})\s*"
    rf"(?P<names>[{HAN}、\s]{{2,20}}?)对(?:此|本)文(?:亦|也)?有(?:贡献|帮助)[)）]$"
)
# `…举行。（甲某）`: a newspaper item signed with the reporter's name alone.
# (after 。 or ”: a question closes with `？（单选）`, no signature)
_SIGN_OFF = re.compile(rf"(?<=[。”])\s*[（(](?P<name>[{HAN}]{{2,4}})[)）]$")


def is_sign_off(paragraph: str) -> bool:
    """True when the paragraph closes with a bare name in parentheses (``…举行。（甲某）``)."""
    match = _SIGN_OFF.search(paragraph)
    return match is not None and not _ROLE.search(match.group("name"))


def parse_trailing_credit(paragraph: str) -> tuple[Credits, str] | None:
    """``…调查中。（通讯员吕书圣 记者钟起）`` → credits and the paragraph without them."""
    if not paragraph.rstrip().endswith(("）", ")")):
        return None  # every form below closes the paragraph with a parenthesis
    contributed = _CONTRIBUTED.search(paragraph)
    if contributed:
        credits = parse_credit(contributed.group("role") + contributed.group("names"))
        if credits:
            return credits, paragraph[: contributed.start()].rstrip()
    match = _TRAILING_CREDIT.search(paragraph)
    if not match:
        return None
    body = match.group("body")
    sign_off = _SIGN_OFF.search(paragraph)
    if sign_off and not _ROLE.search(body):
        names = split_names(sign_off.group("name"))
        if names and len(names) == 1:
            return Credits(reporters=names), paragraph[: sign_off.start()].rstrip()
        return None
    if not (_ROLE.search(body) or body.endswith(("报道", "摄"))):
        return None
    credits = parse_credit(body)
    if not credits:
        return None
    return credits, paragraph[: match.start()].rstrip()


# Photo credits that end a caption: `新华社记者 王菲 摄`, `（郑耀德 摄）`, `王磊 摄`,
# `本文图片均为澎湃新闻记者 明鹊 图（除特别标注外）`, `照片均由本报记者尹平平拍摄`.
_CAPTION_PHOTO = re.compile(
    rf"(?:^|(?<=[\s。！？，）)])|(?=[（(]))[（(]?(?:(?P<outlet>[^\s（(。，]{{2,12}}?)?(?:{_REPORTER_ROLE})\s*)?"
    rf"(?P<names>[{HAN}·]{{2,4}}(?:[\s、][{HAN}·]{{2,4}}){{0,3}})\s*(?<!自)(?:摄|翻拍)[）)]?\s*$"
)
_ALL_PHOTOS_BY = re.compile(
    rf"(?:图片|照片)均(?:为|由)(?P<outlet>[^\s]{{0,12}}?)(?:{_REPORTER_ROLE})\s*"
    rf"(?P<names>[{HAN}·]{{2,4}}?(?:[\s、][{HAN}·]{{2,4}}?){{0,3}}?)\s*(?:拍摄|摄|图)"
)


_CAPTION_PHOTO_BY = re.compile(
    rf"(?:^|(?<=[\s。！？，）)]))(?:摄影|图)\s*[/／：:]\s*(?:(?P<outlet>[^\s（(。，]{{2,12}}?)?(?:{_REPORTER_ROLE})\s*)?"
    rf"(?P<names>[{HAN}·]{{2,4}}(?:[\s、][{HAN}·]{{2,4}}){{0,3}})\s*$"
)


# `…静谧如画。新华网发（张三 摄）`: an agency releasing a photo by its photographer.
_RELEASED_PHOTO = re.compile(
    rf"(?:^|(?<=[\s。！？]))(?P<outlet>[{HAN}]{{2,8}}?(?:社|网))发\s*"
    rf"[（(](?P<names>[{HAN}·]{{2,4}}(?:[\s、][{HAN}·]{{2,4}}){{0,3}})"
    rf"\s*摄[）)]\s*$"
)


def released_photo_outlet(line: str) -> str | None:
    """``新华网发（张三 摄）`` → ``新华网``: the agency that released a credited photo."""
    released = _RELEASED_PHOTO.search(line) if "发" in line else None
    return released.group("outlet") if released and split_names(released.group("names")) else None


def photo_credit(line: str) -> Credits | None:
    """Photographers named at the end of a caption (the line is a caption, not a paragraph)."""
    if "摄" not in line and "图" not in line and "拍" not in line:
        return None
    match = (
        _ALL_PHOTOS_BY.search(line) or _CAPTION_PHOTO.search(line) or _CAPTION_PHOTO_BY.search(line)
    )
    if not match:
        return None
    names = split_names(match.group("names"))
    if not names:
        return None
    return Credits(photographers=names, outlet=match.group("outlet") or None)
