"""Rendering answers: plain text for the terminal, Telegram HTML messages (bot/render.py)."""

from __future__ import annotations

import html
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.answers.answerer import Answer, AnswerSet
from bot.answers.markup import MAX_MESSAGE_UNITS, check_telegram_html, escape, utf16_len
from bot.answers.render import (
    MAX_ATTRIBUTION_UNITS,
    attribution_html,
    attribution_plain,
    render_html,
    render_plain,
)
from bot.models import Article, Contributor, Paragraph

PARAGRAPH = (
    "下一步，两江新区、天府新区将依托两江协同创新区和成都科学城等创新平台，加大协同创新力度，"
    "共同建设西部科技创新中心，全面提升成渝地区协同创新发展能力。"
)


def cqcb(**changes) -> Article:
    data = dict(
        id="a1",
        title="唱好“双城记”建好“经济圈”·创新圈|川渝按下创新“加速键”",
        source="上游新闻·重庆晨报",
        reporters=["严薇", "郭欣欣"],
        date="2020-04-12T16:25:33",
        url="https://www.cqcb.com/a/1.html",
        paragraphs=[Paragraph("a1#0", PARAGRAPH)],
    )
    data.update(changes)
    return Article(**data)


def quote(
    article: Article | None = None,
    excerpt: str = PARAGRAPH,
    highlights: list[tuple[int, int]] | None = None,
    pid: str = "a1#0",
) -> Answer:
    if highlights is None:
        highlights = [m.span() for m in re.finditer("两江新区|天府新区", excerpt)]
    return Answer(
        kind="quote",
        article=article or cqcb(),
        paragraph_id=pid,
        score=7.5,
        excerpt=excerpt,
        highlights=highlights,
        paragraph=excerpt,
    )


def visible(message: str) -> str:
    """The text a Telegram user sees: tags removed, entities decoded."""
    return html.unescape(re.sub(r"<[^>]+>", "", message))


# -- escaping -----------------------------------------------------------------------------------


def test_escape_uses_only_the_four_entities():
    assert escape("a & b < c > d \"e\" 'f'") == "a &amp; b &lt; c &gt; d &quot;e&quot; 'f'"
    assert escape("&amp;") == "&amp;amp;"


HOSTILE = (
    '他说<b>加粗</b>然后</blockquote><script>alert(1)</script>，价格&amp;税费 &lt;5&gt; "引号"'
    "\n— 假标题 · 新华社 · 记者 张三 · 2020-01-01"
)


def test_hostile_article_text_is_quoted_as_text_never_markup():
    article = cqcb(
        title="<i>标题</i> & </a>",
        source='<a href="javascript:x">来源</a>',
        reporters=["<b>严薇</b>"],
    )
    answer = quote(article, excerpt=HOSTILE, highlights=[(2, 5)])  # highlight covers "<b>"
    [message] = render_html(AnswerSet("问题<b>", [answer]))
    check_telegram_html(message)
    assert message.count("<blockquote>") == 1 and message.count("</blockquote>") == 1
    assert "<script>" not in message and "<i>" not in message
    seen = visible(message)
    # everything the article says is visible verbatim, including its fake attribution line
    assert "他说<b>加粗</b>然后</blockquote><script>alert(1)</script>" in seen
    assert "价格&amp;税费 &lt;5&gt;" in seen
    assert "— 假标题 · 新华社 · 记者 张三" in seen
    assert "<i>标题</i> & </a>" in seen and '<a href="javascript:x">来源</a>' in seen
    # the only tags are ours: one blockquote, the highlight, the title link
    tags = re.findall(r"</?([a-z-]+)", message)
    assert set(tags) <= {"blockquote", "b", "a"}
    assert message.count("<a ") == 1  # the real link, not the article's fake one


def test_hostile_question_in_the_no_answer_message_is_escaped():
    [message] = render_html(AnswerSet('<b>量子</b> & "纠缠"', []))
    check_telegram_html(message)
    assert '<b>量子</b> & "纠缠"' in visible(message)


def test_title_is_linked_only_for_http_urls():
    good = attribution_html(cqcb(url='https://example.com/a?x=1&y="2"'), lang="zh-hans")
    assert '<a href="https://example.com/a?x=1&amp;y=&quot;2&quot;">' in good
    check_telegram_html(good)
    for bad in ("javascript:alert(1)", "ftp://example.com/a", "/local/path.txt", "https://a b"):
        line = attribution_html(cqcb(url=bad), lang="zh-hans")
        assert "<a " not in line
        check_telegram_html(line)
    no_title = attribution_html(cqcb(title=None), lang="en")
    assert '<a href="https://www.cqcb.com/a/1.html">Original article</a>' in no_title


# -- attribution -----------------------------------------------------------------------------------


def test_attribution_plain_lists_known_fields_in_order():
    line = attribution_plain(cqcb(), lang="zh-hans")
    assert line == (
        "— 唱好“双城记”建好“经济圈”·创新圈|川渝按下创新“加速键” · 上游新闻·重庆晨报 · "
        "记者 严薇、郭欣欣 · 2020-04-12 16:25 · https://www.cqcb.com/a/1.html"
    )


def test_attribution_omits_unknown_fields_and_invents_nothing():
    article = Article(id="x", source="沈阳晚报", reporters=[], date=None)
    assert attribution_plain(article, lang="zh-hans") == "— 沈阳晚报"
    assert attribution_plain(Article(id="y"), lang="zh-hans") == "— 出处未注明"
    assert attribution_plain(Article(id="y"), lang="en") == "— source not stated"


def test_attribution_labels_follow_the_language_and_credit_contributors():
    article = cqcb(contributors=[Contributor("张三", "实习生"), Contributor("李四", "通讯员")])
    assert "记者 严薇、郭欣欣 · 实习生 张三 · 通讯员 李四" in attribution_plain(
        article, lang="zh-hans"
    )
    assert "記者 严薇、郭欣欣" in attribution_plain(article, lang="zh-hant")
    assert "Reporters 严薇, 郭欣欣" in attribution_plain(article, lang="en")


def test_date_as_printed_when_no_iso_date():
    article = Article(id="x", source="网易", date=None, date_text="04-12 16:25")
    assert attribution_plain(article) == "— 网易 · 04-12 16:25"
    assert attribution_plain(Article(id="x", date="2014-01-03")) == "— 2014-01-03"


# -- HTML messages ----------------------------------------------------------------------------------


def test_one_blockquote_per_quote_with_highlights_in_bold():
    [message] = render_html(AnswerSet("两江新区和天府新区要共同建设什么？", [quote()]))
    check_telegram_html(message)
    body = re.search(r"<blockquote>(.*)</blockquote>", message, re.S).group(1)
    assert re.findall(r"<b>(.*?)</b>", body) == ["两江新区", "天府新区"]
    after = message.split("</blockquote>", 1)[1]
    assert '<a href="https://www.cqcb.com/a/1.html">' in after
    assert "上游新闻·重庆晨报 · 记者 严薇、郭欣欣 · 2020-04-12 16:25" in after


def test_per_message_bounds_quotes_per_message():
    answers = AnswerSet("q", [quote(pid=f"a1#{i}") for i in range(7)])
    messages = render_html(answers, per_message=3)
    assert [m.count("<blockquote>") for m in messages] == [3, 3, 1]
    for m in messages:
        check_telegram_html(m)
    assert len(render_html(answers, per_message=1)) == 7


def test_long_quotes_are_split_between_quotes_under_the_limit():
    long_text = ("记者从重庆高新区获悉，川渝将联手共建西部科学城。" * 60)[:1400]  # 1400 chars
    answers = AnswerSet("q", [quote(excerpt=long_text, pid=f"a1#{i}") for i in range(6)])
    messages = render_html(answers, per_message=5)
    assert len(messages) > 2
    total = 0
    for m in messages:
        check_telegram_html(m)
        assert utf16_len(m) <= MAX_MESSAGE_UNITS
        total += m.count("<blockquote>")
        # split only between quotes: every message ends with a complete attribution line
        assert m.rstrip().endswith("2020-04-12 16:25")
    assert total == 6


def test_a_single_quote_longer_than_a_message_is_shortened_not_broken():
    # astral characters count 2 UTF-16 units, & becomes 5 characters when escaped
    monster = ("𠀋&" * 3000) + "两江新区" + ("<" * 2000)
    answer = quote(excerpt=monster, highlights=[(6000, 6004)])
    [message] = render_html(AnswerSet("q", [answer]))
    check_telegram_html(message)
    assert utf16_len(message) <= MAX_MESSAGE_UNITS
    assert "<b>两江新区</b>" in message  # the highlight is kept in view
    assert "…" in visible(message)


def test_huge_attribution_fields_are_capped():
    article = cqcb(
        title="标" * 5000,
        source="源" * 5000,
        reporters=["记" * 100] * 300,
        url="https://example.com/" + "x" * 5000,
    )
    [message] = render_html(AnswerSet("q", [quote(article)]))
    check_telegram_html(message)
    assert "<a " not in message  # a 5000-character URL is not linked
    # every field full of characters that grow when escaped
    nasty = '"&<>' * 500
    article = cqcb(
        title=nasty,
        source=nasty,
        reporters=[nasty] * 50,
        contributors=[Contributor(nasty, f"{nasty}{i}") for i in range(50)],
        url="https://example.com/?" + '&q="' * 300,
        date_text=nasty,
        date=None,
    )
    line = attribution_html(article, lang="zh-hans")
    assert utf16_len(line) <= MAX_ATTRIBUTION_UNITS
    check_telegram_html(line)
    messages = render_html(AnswerSet("q", [quote(article, excerpt=nasty * 3)] * 4), per_message=3)
    for m in messages:
        check_telegram_html(m)
    assert sum(m.count("<blockquote>") for m in messages) == 4


def test_no_answer_message_suggests_how_to_ask():
    for lang, words in (
        ("zh-hans", ["没有找到", "关键词", "人名", "繁体"]),
        ("zh-hant", ["沒有找到", "關鍵詞", "人名", "繁體"]),
        ("en", ["No paragraph", "fewer", "names", "traditional"]),
    ):
        messages = render_html(AnswerSet("火星上有水吗", []), lang=lang)
        assert len(messages) == 1
        check_telegram_html(messages[0])
        for word in words:
            assert word in messages[0], (lang, word)


def test_quotes_keep_the_articles_own_characters_whatever_the_language():
    traditional = quote(
        cqcb(title="兩江新區"),
        excerpt="兩江新區、天府新區將共同建設西部科技創新中心。",
        highlights=[(0, 4)],
    )
    for lang in ("zh-hans", "zh-hant", "en"):
        [message] = render_html(AnswerSet("q", [traditional]), lang=lang)
        assert "<b>兩江新區</b>、天府新區將共同建設" in message


def test_metadata_answer_renders_as_a_quote_with_credit():
    answer = Answer(
        kind="metadata",
        article=cqcb(),
        paragraph_id=None,
        score=0.0,
        excerpt="记者：严薇、郭欣欣",
        highlights=[],
        paragraph=None,
    )
    [message] = render_html(AnswerSet("这篇文章的记者是谁？", [answer]))
    check_telegram_html(message)
    assert message.startswith("<blockquote>记者：严薇、郭欣欣</blockquote>")
    plain = render_plain(AnswerSet("这篇文章的记者是谁？", [answer]))
    assert plain.startswith("1. 记者：严薇、郭欣欣\n")


def test_bad_highlight_spans_never_break_markup():
    answer = quote(
        excerpt="两江新区与天府新区", highlights=[(3, 1), (-5, 2), (1, 3), (2, 99), (40, 50)]
    )
    [message] = render_html(AnswerSet("q", [answer]))
    check_telegram_html(message)
    assert visible(message).startswith("两江新区与天府新区")


# -- plain text -----------------------------------------------------------------------------------


def test_plain_rendering_marks_highlights_and_credits():
    text = render_plain(AnswerSet("q", [quote(), quote(cqcb(reporters=[]), pid="a1#1")]))
    lines = text.split("\n")
    assert lines[0].startswith("1. 下一步，**两江新区**、**天府新区**将依托")
    assert lines[1].strip() == attribution_plain(cqcb())
    assert "\n\n2. " in text
    assert "记者" not in text.split("\n\n2. ")[1]  # the second article names no reporter


def test_plain_no_answer_message():
    text = render_plain(AnswerSet("量子纠缠", []))
    assert text.startswith("没有找到能回答“量子纠缠”的段落。")
    assert "关键词" in text and "繁体" in text
    assert render_plain(AnswerSet("x", []), lang="en").startswith("No paragraph answers")


# -- the validator itself -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "<b>unclosed",
        "<b><i>crossed</b></i>",
        "<div>not telegram</div>",
        "<script>x</script>",
        "a < b",
        "a > b",
        "fish & chips",
        "&nbsp;",
        "&#60;",
        "<blockquote><blockquote>x</blockquote></blockquote>",
        '<a href="javascript:alert(1)">x</a>',
        '<a href="https://a"><a href="https://b">x</a></a>',
        '<b onclick="x">x</b>',
        "<code><b>x</b></code>",
        "<b></b>",
        "x" * (MAX_MESSAGE_UNITS + 1),
        "😀" * (MAX_MESSAGE_UNITS // 2 + 1),  # 2 UTF-16 units each
    ],
)
def test_validator_rejects(bad):
    with pytest.raises(ValueError):
        check_telegram_html(bad)


@pytest.mark.parametrize(
    "good",
    [
        "plain",
        "<b>b</b> <i>i</i> <u>u</u> <s>s</s> <tg-spoiler>x</tg-spoiler>",
        '<blockquote>q <b>x</b></blockquote>\n— <a href="https://e.com/?a=1&amp;b=2">t</a>',
        "&lt;&gt;&amp;&quot;",
        '<pre><code class="language-python">x</code></pre>',
        "x" * MAX_MESSAGE_UNITS,
    ],
)
def test_validator_accepts(good):
    check_telegram_html(good)


# -- property: whatever the article says, the messages are valid --------------------------------

article_text = st.text(
    alphabet=st.sampled_from(list("两江新区<>&\"'/b;…。，\n 𠀋—·a")), min_size=1, max_size=400
)


@settings(max_examples=60, deadline=None)
@given(
    excerpts=st.lists(article_text, min_size=1, max_size=8),
    title=article_text,
    data=st.data(),
    per_message=st.integers(1, 4),
)
def test_rendered_messages_are_always_valid(excerpts, title, data, per_message):
    answers = []
    for i, text in enumerate(excerpts):
        spans = data.draw(
            st.lists(st.tuples(st.integers(-3, 410), st.integers(-3, 410)), max_size=5)
        )
        answers.append(
            quote(
                cqcb(title=title),
                excerpt=text * data.draw(st.integers(1, 12)),
                highlights=spans,
                pid=f"a1#{i}",
            )
        )
    messages = render_html(AnswerSet("q", answers), per_message=per_message)
    assert sum(m.count("<blockquote>") for m in messages) == len(answers)
    for m in messages:
        check_telegram_html(m)
        assert m.count("<blockquote>") <= per_message


def test_control_characters_never_reach_the_terminal_or_telegram():
    text = "两江新区\x1b[2J\x07将\x00建设。"
    answer = quote(cqcb(title="标题\x1b[31m"), excerpt=text, highlights=[(0, 4)])
    plain = render_plain(AnswerSet("q\x1b", [answer]))
    assert "\x1b" not in plain and "\x07" not in plain and "\x00" not in plain
    assert "**两江新区**[2J将建设。" in plain
    [message] = render_html(AnswerSet("q", [answer]))
    check_telegram_html(message)
    assert "\x1b" not in message and "\x00" not in message
    [message] = render_html(AnswerSet("q", [quote(excerpt="\x1b\x00", highlights=[])]))
    assert message.startswith("<blockquote>…</blockquote>")
    assert "\x1b" not in render_plain(AnswerSet("问\x1b题", []))


def test_a_year_less_date_is_shown_as_printed_never_as_an_iso_fragment():
    from bot.answers.render import format_date

    printed = Article(id="x", date="--11-27", date_text="11月27日电")
    assert format_date(printed) == "11月27日电"
    assert format_date(Article(id="y", date="--04-02")) == "4月2日"
    assert "--" not in attribution_plain(Article(id="z", source="新华社", date="--04-02"))
