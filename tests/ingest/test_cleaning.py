"""bot.cleaning: character normalisation, line-wrap spaces, junk lines, headings, broken lines.

Snippets are real: from the sample article (corpus/, 上游新闻·重庆晨报) and from the shared
news dataset (163.com crawl), copied here so the tests run without ../shared.
"""

from __future__ import annotations

import unicodedata

import pytest

from bot.ingest.cleaning import (
    breadcrumb_section,
    ends_sentence,
    heading_text,
    is_heading,
    is_page_junk,
    is_photo_caption,
    join_broken_lines,
    normalize_chars,
    opens_article_list,
    original_title,
    remove_wrap_spaces,
    strip_leading_junk,
)

# -- normalize_chars ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("联手天府新区打造⻄部科技创新中心", "联手天府新区打造西部科技创新中心"),
        ("两江新区科技创新局局⻓李洁表示", "两江新区科技创新局局长李洁表示"),
        (
            "两江新区专⻔发布了百亿级的科技金融服务基金群",
            "两江新区专门发布了百亿级的科技金融服务基金群",
        ),
        ("金融体系三⻆框架相互支撑", "金融体系三角框架相互支撑"),
        ("⻅面 ⻢上 ⻋ ⻛ ⻜ ⻥ ⻦ ⻩ ⻳", "见面 马上 车 风 飞 鱼 鸟 黄 龟"),
    ],
)
def test_radicals_supplement_become_ideographs(raw, expected):
    assert normalize_chars(raw) == expected


def test_every_mapped_radical_becomes_a_unified_ideograph():
    for code in range(0x2E81, 0x2EF4):
        char = chr(code)
        try:
            unicodedata.name(char)
        except ValueError:
            continue  # U+2E9A is unassigned
        out = normalize_chars(char)
        assert len(out) == 1 and "CJK UNIFIED IDEOGRAPH" in unicodedata.name(out), (hex(code), out)


def test_kangxi_radicals_become_ideographs():
    assert normalize_chars("⼈⺠⼤会堂") == "人民大会堂"
    assert normalize_chars("⾦⻓") == "金长"


def test_fullwidth_letters_digits_and_technical_symbols_become_ascii():
    # from the dataset: 新华网哈尔滨３月２１日电 / 持股99％
    assert normalize_chars("新华网哈尔滨３月２１日电") == "新华网哈尔滨3月21日电"
    assert normalize_chars("持股比例为99％") == "持股比例为99%"
    assert normalize_chars("ＧＤＰ增长３．５％，ｅｍａｉｌ＠ｘ．ｃｎ") == "GDP增长3.5%，email@x.cn"


def test_chinese_fullwidth_punctuation_is_kept():
    text = "如何提升？近日，重庆提出：加强（共建）共享！“加速键”；3～5年［注］"
    assert normalize_chars(text) == text


def test_spaces_become_ascii_and_zero_width_vanish():
    assert (
        normalize_chars("新华网昆明4月30日电（记者\u3000吉哲鹏）")
        == "新华网昆明4月30日电（记者 吉哲鹏）"
    )
    assert normalize_chars("AI\u00a0City\u2002x") == "AI City x"
    assert normalize_chars("\ufeff重\u200b庆\u200c高\u200d新\u2060区") == "重庆高新区"


def test_plain_text_is_returned_unchanged():
    text = "重庆高新区管委会相关负责人表示，前不久。"
    assert normalize_chars(text) is text


# -- line-wrap spaces ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("推进核心技 术攻关和成果转化", "推进核心技术攻关和成果转化"),
        ("全面提升成渝地区协同创新 发展能力。", "全面提升成渝地区协同创新发展能力。"),
        ("各建10个数字经济服务中 心、重庆中科", "各建10个数字经济服务中心、重庆中科"),
        ("努 力成为先行示范区。 两江新区科技创新局", "努力成为先行示范区。两江新区科技创新局"),
        (
            "依托两江协同创新区和成都科学城等创新平台, 加大协同创新力度",
            "依托两江协同创新区和成都科学城等创新平台,加大协同创新力度",
        ),
    ],
)
def test_wrap_spaces_inside_chinese_are_removed(raw, expected):
    assert remove_wrap_spaces(raw) == expected


@pytest.mark.parametrize(
    "text",
    [
        "总投资200亿元,一座AI City即将在重庆高新区崛起。",
        "真正意义上将AI City的规划实现落地",
        "搭配PM0.1过滤系统",
    ],
)
def test_spaces_beside_latin_words_stay(text):
    assert remove_wrap_spaces(text) == text


def test_wrap_space_before_latin_after_chinese_stays_but_chinese_pair_joins():
    assert (
        remove_wrap_spaces("真正意义上将AI City的 规划实现落地")
        == "真正意义上将AI City的规划实现落地"
    )


# -- junk lines ---------------------------------------------------------------------------------


def test_breadcrumb_gives_section():
    assert breadcrumb_section("首页 > 财富 > 正文") == "财富"
    assert breadcrumb_section("重庆两江新区") is None


@pytest.mark.parametrize(
    "line",
    [
        "QQ图片20200412162837.png",
        "QQ图片20200412162842.jpg",
        "photo_01.WEBP",
        "• 头条",
        "• 重庆",
        "点击进入频道",
        "分享到：",
        "打印",
        "评论",
        "版权所有 © 重庆晨报",
        "Copyright © 2020 cqcb.com All Rights Reserved",
        "渝ICP备12345678号",
        "【免责声明】上游新闻客户端未标有“来源:上游新闻-重庆晨报”或“上游新闻LOGO、水印的文字、图片、音频视频等稿件均为转载稿。",
        "免责声明及提醒：此文内容为本网所转载企业宣传资讯，该相关信息仅为宣传及传递更多信息之目的，不代表本网站观点。",
        "丨",
        '@@VIDEO="http://mobilepics.ws.126.net/V1AMZDfIA1AIuuU5EeqPjvy8ivfrKMcK%3D%3DHKMU80HS.mp3,h',
        "数据来源：Rose，2020，东方证券财富研究中心",
        "来源：",
    ],
)
def test_page_junk(line):
    assert is_page_junk(normalize_chars(line))


@pytest.mark.parametrize(
    "line",
    [
        "重庆两江新区",
        "记者从重庆高新区获悉，今年重庆科学城建设将按下“加速键”。",
        "朋友圈不能发 GIF，看到好看的 GIF 不能分享到朋友圈啊。",
        "完成付款后，请扫描下面的二维码，添加网易财经官方微信。",
    ],
)
def test_not_junk(line):
    assert not is_page_junk(line)


@pytest.mark.parametrize("line", ["相关阅读", "相关新闻：", "本周热榜", "【推荐阅读】"])
def test_article_list_markers(line):
    assert opens_article_list(line)


@pytest.mark.parametrize(
    "line",
    [
        "2015年7月，马云在微博上转载、评论了范小勤的照片。 来自网络",
        "彭博富豪指数排行榜全球十大富豪，净资产估值截至美国东部时间11月25日晚间。来源：彭博社",
        "住范儿自摄",
        "视频截图",
    ],
)
def test_photo_captions(line):
    assert is_photo_caption(line)


def test_original_title():
    assert original_title("（原标题：“消失”的小马云）") == "“消失”的小马云"
    assert original_title("(原标题:父亲追凶19年)") == "父亲追凶19年"
    assert original_title("“消失”了。") is None


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("，将落户审批权“下放”给各区和重点区域。", "将落户审批权“下放”给各区和重点区域。"),
        (
            "。记者看到，在11月24日上海自贸区临港新片区管委会官网发布的名单中",
            "记者看到，在11月24日上海自贸区临港新片区管委会官网发布的名单中",
        ),
        ("》：“", ""),
        ("“消失”了。", "“消失”了。"),
    ],
)
def test_leading_junk_punctuation(raw, expected):
    assert strip_leading_junk(raw) == expected


# -- headings ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        "重庆两江新区",
        "联手天府新区打造西部科技创新中心",
        "将崛起一座AI City",
        "【声音】",
        "专家献智 数字经济等领域引发“畅想”",
    ],
)
def test_headings(line):
    assert is_heading(line)


@pytest.mark.parametrize(
    "line",
    [
        "“消失”了。",
        "此话怎讲？",
        "11月26日，在金鸡奖活动中，知名导演",
        "警情通报：",
        "重庆工商大学经济学院院长李敬表示,重庆高新区可以发挥比较优势,在高新技术、高水平产业和高水平人才的聚集方面做出贡献。",
    ],
)
def test_not_headings(line):
    assert not is_heading(line)


def test_heading_text_drops_brackets_and_keeps_separators():
    assert heading_text("【声音】") == "声音"
    assert heading_text("专家献智  数字经济等领域引发“畅想”") == "专家献智 数字经济等领域引发“畅想”"


def test_ends_sentence_skips_closing_quotes():
    assert ends_sentence("“因为不会一直有人关注他们。”")
    assert not ends_sentence("专家献智 数字经济等领域引发“畅想”")


# -- lines broken at dropped hyperlinks ----------------------------------------------------------


def test_pieces_around_dropped_links_are_joined():
    # netease-0002 as crawled: the names of 张纪中 and 《花木兰》 were links and are gone
    lines = [
        "11月26日，在金鸡奖活动中，知名导演",
        "评价电影《",
        "》：“",
        "我很熟悉，但电影不是她的问题，是编剧的问题。”",
        "据悉，曾被看好的《花木兰》在上映之后反响很差。",
    ]
    assert join_broken_lines(lines) == [
        "11月26日，在金鸡奖活动中，知名导演",
        "评价电影《》：“我很熟悉，但电影不是她的问题，是编剧的问题。”",
        "据悉，曾被看好的《花木兰》在上映之后反响很差。",
    ]


def test_headings_and_label_lines_are_not_joined():
    lines = [
        "重庆两江新区",
        "联手天府新区打造西部科技创新中心",
        "来源：",
        "新华社",
        "本周热榜",
        "汽车",
    ]
    assert join_broken_lines(lines) == lines
