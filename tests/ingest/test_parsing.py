"""bot.ingest.parsing (with bot.decoding and bot.webpage): formats, metadata precedence, ids, errors.

The sample article is tests/fixtures/parsing/cqcb-sample.txt, a byte-for-byte copy of
corpus/cqcb-2020-04-12-chuanyu-innovation.txt; news-snippets.jsonl holds shortened records
of the shared 163.com / CEC dataset; page.html is a news page built around the sample's text.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest

from bot.errors import ArticleError, ParseError, UnreadableFile
from bot.ingest.parsing import parse_bytes, parse_file, parse_text
from bot.models import Contributor

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "parsing"
SAMPLE = FIXTURES / "cqcb-sample.txt"

SAMPLE_HEADINGS = [
    "重庆两江新区",
    "联手天府新区打造西部科技创新中心",
    "重庆高新区",
    "将崛起一座AI City",
    "声音",
    "专家献智 数字经济等领域引发“畅想”",
]
JUNK = re.compile(
    r"首页|QQ图片|\.png|\.jpg|免责声明|头条|点击进入频道|本周热榜|^汽车$|^教育$|^美家$|^楼市$|"
    r"^视频$|记者 严薇|来源"
)


@pytest.fixture(scope="module")
def sample():
    [article] = parse_file(SAMPLE)
    return article


# -- the sample article ----------------------------------------------------------------------------


def test_sample_metadata(sample):
    assert (
        sample.title == "唱好“双城记“建好“经济圈”·创新圈|培育新动能 激发新活力 川渝按下创新“加速键”"
    )
    assert sample.source == "上游新闻·重庆晨报"
    assert sample.reporters == ["严薇", "郭欣欣"]
    assert sample.contributors == [] and sample.editors == [] and sample.photographers == []
    assert sample.date == "2020-04-12T16:25:33"  # year from QQ图片20200412….png
    assert sample.date_text == "04-12 16:25:33"
    assert sample.section == "财富"
    assert sample.url is None and sample.original_title is None
    assert sample.origin == str(SAMPLE)


def test_sample_paragraphs(sample):
    assert [p.text for p in sample.paragraphs if p.kind == "heading"] == SAMPLE_HEADINGS
    assert len(sample.paragraphs) == 28 and len(sample.body) == 22
    assert sample.body[0].text.startswith(
        "打造具有全国影响力的科技创新中心,是成渝地区双城经济圈建设的重要任务之一。"
    )
    assert sample.body[-1].text == (
        "重庆工商大学经济学院院长李敬表示,重庆高新区可以发挥比较优势,在高新技术、"
        "高水平产业和高水平人才的聚集、孵化、输出等方面做出贡献。"
    )
    assert sample.paragraphs[1].text == "重庆两江新区" and sample.paragraphs[1].kind == "heading"
    assert sample.paragraphs[20].text == "声音"


def test_sample_body_is_clean(sample):
    text = "\n".join(p.text for p in sample.paragraphs)
    assert not re.search("[\u2e80-\u2eff\u2f00-\u2fdf]", text)  # no radicals
    assert "核心技术攻关" in text and "协同创新发展能力" in text  # wrap spaces gone
    assert "一座AI City即将" in text and "AI City的规划" in text  # Latin spacing kept
    assert "先行示范区。两江新区科技创新局局长李洁" in text
    for paragraph in sample.body:
        assert not JUNK.search(paragraph.text), paragraph.text
        assert not re.search("[\u4e00-\u9fff] [\u4e00-\u9fff]", paragraph.text), paragraph.text
    assert "记者从重庆高新区获悉,今年重庆科学城建设将按下“加速键”" in text  # a sentence, kept


def test_sample_ids(sample):
    body = "\n".join(p.text for p in sample.body)
    assert sample.id == "a" + hashlib.sha1(body.encode("utf-8")).hexdigest()[:12]
    assert [p.id for p in sample.paragraphs] == [f"{sample.id}#{i}" for i in range(28)]
    # the id does not depend on the file name
    assert parse_bytes(SAMPLE.read_bytes(), name="renamed.txt")[0].id == sample.id


# -- dataset records (JSONL) -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def records():
    return {a.id: a for a in parse_file(FIXTURES / "news-snippets.jsonl")}


def test_jsonl_gives_one_article_per_record_in_order():
    articles = parse_file(FIXTURES / "news-snippets.jsonl")
    assert [a.id for a in articles] == [
        "netease-0000",
        "netease-0002",
        "netease-0351",
        "netease-0244",
        "cec-330",
    ]
    assert articles[0].origin.endswith("news-snippets.jsonl: line 1 (id netease-0000)")


def test_record_metadata_wins_and_captions_go(records):
    article = records["netease-0000"]
    assert (article.title, article.source, article.date, article.date_text, article.url) == (
        '消失的"小马云"：被从学校带走直播 家人不知他在哪',
        "澎湃新闻",
        "2020-11-27T12:39:00",
        "2020-11-27 12:39:00",
        "https://news.163.com/20/1127/12/FSEKAVI20001899O.html",
    )
    assert article.original_title == "“消失”的小马云"
    assert article.photographers == ["明鹊", "赵志远"]
    assert article.reporters == []
    texts = [p.text for p in article.paragraphs]
    assert texts[0] == "“消失”了。"
    assert len(texts) == 6 and all(p.kind == "paragraph" for p in article.paragraphs)
    assert not any(
        "来自网络" in t or "摄" in t or "原标题" in t or "除特别标注外" in t for t in texts
    )


def test_pieces_around_lost_links(records):
    assert [p.text for p in records["netease-0002"].paragraphs] == [
        "11月26日，在金鸡奖活动中，知名导演",
        "评价电影《》：“我很熟悉，但电影不是她的问题，是编剧的问题，编剧对中国的文化不是那么懂，他对于‘气’的"
        "理解也不是那么清楚，很多东西都误解了。他所设计的情节和我们传统意义上所讲的花木兰的精神离得比较远，"
        "戏剧结构冲突没起来，节奏非常缓慢。”",
    ]


def test_end_byline_with_editor_and_photo_credit(records):
    article = records["netease-0351"]
    assert article.reporters == ["曾金秋"]
    assert article.editors == ["陈晓舒"]  # the 校对 is nobody's reporter or editor
    assert article.photographers == ["曾金秋"]  # 新京报记者 曾金秋 翻拍
    assert len(article.body) == 2
    assert article.body[-1].text.startswith("78岁的党锁锁")


def test_footer_credits(records):
    article = records["netease-0244"]
    assert article.reporters == ["胡幸阳", "吴頔", "邹娟"]
    assert article.editors == ["皮小姐"]
    assert [p.text for p in article.paragraphs] == [
        "封面新闻就此事联系上海自贸区临港新片区管委会，对方确认消息属实，杨超越符合上海市引进人才标准，将以特殊人才引入。",
        "将落户审批权“下放”给各区和重点区域，这将更加有利于各区结合实际发展需要引才纳才。",
    ]


def test_dateline_record(records):
    article = records["cec-330"]
    assert article.source == "新华网"
    assert article.reporters == ["王春雨", "曹霁阳", "熊琳"]
    assert (article.date, article.date_text) == ("2009-03-21", "2009年3月21日")
    assert article.body[0].text.startswith("记者从黑龙江省鸡西市教育局了解到，截至21日上午")


# -- plain text: bylines in context --------------------------------------------------------------------


def test_dateline_lead_is_removed_and_credits_kept():
    article = parse_text(
        "新华社北京4月12日电（记者 王菲、李舒）国务院新闻办公室12日举行发布会。\n"
        "发布会介绍了有关情况。\n责任编辑：张义凌"
    )
    assert (article.source, article.reporters, article.editors) == (
        "新华社",
        ["王菲", "李舒"],
        ["张义凌"],
    )
    assert [p.text for p in article.paragraphs] == [
        "国务院新闻办公室12日举行发布会。",
        "发布会介绍了有关情况。",
    ]
    assert (article.date, article.date_text) == (
        "--04-12",
        "4月12日",
    )  # no year anywhere: month-day only


def test_source_line_wins_over_dateline_and_byline():
    article = parse_text(
        "来源：人民日报\n新华社北京4月12日电（记者 王菲）国务院新闻办公室12日举行发布会。"
    )
    assert article.source == "人民日报"


def test_benbao_resolves_to_the_named_outlet_or_nothing():
    text = "本报讯（记者陈瑜艳通讯员叶卫兵）昨日，记者从广州市交警部门获悉，一辆货车侧翻。"
    alone = parse_text(text)
    assert alone.source is None
    assert alone.reporters == ["陈瑜艳"]
    assert alone.contributors == [Contributor("叶卫兵", "通讯员")]
    assert alone.body[0].text == "昨日，记者从广州市交警部门获悉，一辆货车侧翻。"
    assert parse_text(text + "\n稿源：广州日报").source == "广州日报"


def test_jizhe_cong_huoxi_is_no_byline():
    article = parse_text("记者从重庆高新区获悉，今年重庆科学城建设将按下“加速键”。")
    assert article.reporters == []
    assert article.body[0].text == "记者从重庆高新区获悉，今年重庆科学城建设将按下“加速键”。"


def test_trailing_report_credit():
    article = parse_text("浦东新区今年将新开工一批项目。（王佳 上海报道）")
    assert article.reporters == ["王佳"]
    assert article.body[0].text == "浦东新区今年将新开工一批项目。"


def test_yearless_date_without_evidence_keeps_month_and_day_only():
    article = parse_text("标题在这里\n04-12 16:25:33 来源:上游新闻·重庆晨报\n正文第一段。")
    assert (article.title, article.source) == ("标题在这里", "上游新闻·重庆晨报")
    assert (article.date, article.date_text) == ("--04-12", "04-12 16:25:33")


def test_given_metadata_wins_over_text():
    article = parse_text(
        "04-12 16:25:33 来源:上游新闻·重庆晨报\n正文第一段。\n上游新闻·重庆晨报记者 严薇 郭欣欣",
        metadata={
            "source": "重庆晨报",
            "reporters": ["严薇"],
            "date": "2020-04-13 08:00",
            "id": "rec-1",
        },
    )
    assert (article.id, article.source, article.reporters, article.date) == (
        "rec-1",
        "重庆晨报",
        ["严薇"],
        "2020-04-13T08:00:00",
    )
    assert [p.id for p in article.paragraphs] == ["rec-1#0"]


# -- formats ---------------------------------------------------------------------------------------


def test_html_page():
    [article] = parse_file(FIXTURES / "page.html")
    assert article.title == "培育新动能 激发新活力 川渝按下创新“加速键”"
    assert article.source == "上游新闻·重庆晨报"
    assert article.reporters == ["严薇", "郭欣欣"]
    assert (article.date, article.date_text) == ("2020-04-12T16:25:33", "2020-04-12T16:25:33+08:00")
    assert article.url == "https://www.cqcb.com/hot/2020-04-12/2307915.html"
    assert article.section == "财富"
    assert [(p.kind, p.text[:12]) for p in article.paragraphs] == [
        ("paragraph", "打造具有全国影响力的科技"),
        ("heading", "重庆两江新区"),
        ("paragraph", "下一步，两江新区、天府新"),
        ("paragraph", "重庆工商大学经济学院院长"),
    ]
    assert "西部科技创新中心" in article.paragraphs[2].text


def test_broken_html_does_not_crash():
    markup = "<html><head><title>残缺的网页</title><body><div><p>第一段文字，没有闭合标签<p>第二段。</div><b>未闭合<td>"
    [article] = parse_bytes(markup.encode(), name="broken.html")
    assert article.title == "残缺的网页"
    assert [(p.kind, p.text) for p in article.paragraphs] == [
        ("heading", "第一段文字，没有闭合标签"),
        ("paragraph", "第二段。"),
    ]
    [article] = parse_bytes("<p>只有半个标签的正文。</p><div".encode(), name="half.html")
    assert [p.text for p in article.body] == ["只有半个标签的正文。"]


def test_front_matter():
    text = (
        "---\ntitle: 川渝按下创新“加速键”\nsource: 上游新闻\nreporters: [严薇, 郭欣欣]\n"
        "date: 2020-04-12\n---\n正文第一段。\n"
    )
    [article] = parse_bytes(text.encode(), name="a.md")
    assert (article.title, article.source, article.reporters, article.date) == (
        "川渝按下创新“加速键”",
        "上游新闻",
        ["严薇", "郭欣欣"],
        "2020-04-12",
    )
    assert [p.text for p in article.paragraphs] == ["正文第一段。"]


@pytest.mark.parametrize(
    "front, message",
    [
        ("- 只是\n- 一个列表", "front matter must be a mapping of metadata (title: …), got a list"),
        ("只是一句话", "front matter must be a mapping of metadata (title: …), got a str"),
        ("title: [未闭合", "front matter is not valid YAML"),
    ],
)
def test_front_matter_not_a_mapping(front, message):
    with pytest.raises(ParseError, match=re.escape(message)):
        parse_bytes(f"---\n{front}\n---\n正文。\n".encode(), name="bad.md")


def test_json_object_and_list():
    record = {
        "title": "标题",
        "source": "澎湃新闻",
        "reporters": "严薇、郭欣欣",
        "date": "2020-11-27 12:39:00",
        "url": "https://example.cn/a",
        "text": "正文第一段。\n正文第二段。",
    }
    [one] = parse_bytes(json.dumps(record, ensure_ascii=False).encode(), name="one.json")
    assert (one.title, one.source, one.reporters, one.date, one.url) == (
        "标题",
        "澎湃新闻",
        ["严薇", "郭欣欣"],
        "2020-11-27T12:39:00",
        "https://example.cn/a",
    )
    assert one.id.startswith("a") and len(one.id) == 13
    two = parse_bytes(json.dumps([record, {**record, "id": "x2"}]).encode(), name="two.json")
    assert [a.id for a in two] == [one.id, "x2"]


@pytest.mark.parametrize(
    "record, message",
    [
        ({"title": "t", "text": 42}, "two.jsonl: line 2: 'text' must be a string, got int"),
        (
            {"id": "r9", "text": "正文。", "reporters": [1, 2]},
            "two.jsonl: line 2 (id r9): 'reporters' must be a list of strings or a string",
        ),
        (
            {"text": "正文。", "date": 20200412},
            "two.jsonl: line 2: 'date' must be a string, got int",
        ),
        (["not", "an", "object"], "two.jsonl: line 2: must be a JSON object, got list"),
        ({"title": "没有正文"}, "two.jsonl: line 2: 'text' must be a string, got nothing"),
    ],
)
def test_records_with_wrong_types(record, message):
    data = json.dumps({"text": "好的记录。"}) + "\n" + json.dumps(record, ensure_ascii=False) + "\n"
    with pytest.raises(ParseError) as info:
        parse_bytes(data.encode(), name="two.jsonl")
    assert str(info.value) == message


def test_invalid_json():
    with pytest.raises(ParseError, match=r"bad.jsonl: line 2 is not valid JSON"):
        parse_bytes(b'{"text": "ok."}\n{"text": \n', name="bad.jsonl")
    with pytest.raises(ParseError, match=r"bad.json: not valid JSON \(line 1"):
        parse_bytes(b'{"text": ', name="bad.json")


def test_sniffing_for_unknown_extensions():
    assert parse_bytes('{"id": "j1", "text": "正文。"}'.encode(), name="noext")[0].id == "j1"
    assert [
        a.id
        for a in parse_bytes(
            b'{"id": "l1", "text": "a."}\n{"id": "l2", "text": "b."}\n', name="dump.data"
        )
    ] == ["l1", "l2"]
    html = "<html><body><article><p>网页正文。</p></article></body></html>"
    assert parse_bytes(html.encode(), name="page.php")[0].body[0].text == "网页正文。"
    assert parse_bytes("纯文本正文。".encode(), name="README")[0].body[0].text == "纯文本正文。"


# -- encodings and bad input ---------------------------------------------------------------------------

TEXT = "标题\n打造具有全国影响力的科技创新中心，是成渝地区双城经济圈建设的重要任务之一。\n"


@pytest.mark.parametrize(
    "data",
    [
        TEXT.encode("utf-8"),
        b"\xef\xbb\xbf" + TEXT.encode("utf-8"),
        TEXT.encode("gb18030"),
        TEXT.encode("gbk"),
        TEXT.encode("utf-16"),  # with BOM
        TEXT.encode("utf-16-be").join([b"\xfe\xff", b""]),
    ],
)
def test_encodings(data):
    [article] = parse_bytes(data, name="a.txt")
    assert (article.title, article.body[0].text) == (
        "标题",
        "打造具有全国影响力的科技创新中心，是成渝地区双城经济圈建设的重要任务之一。",
    )


def test_big5():
    text = "臺灣報導\n這是一段繁體中文新聞內容，用來檢查編碼偵測是否正確。\n"
    [article] = parse_bytes(text.encode("big5"), name="tw.txt")
    assert article.body[0].text == "這是一段繁體中文新聞內容，用來檢查編碼偵測是否正確。"


def test_binary_txt_is_unreadable(tmp_path):
    path = tmp_path / "photo.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00")
    with pytest.raises(
        UnreadableFile, match=r"photo.txt: binary content \(NUL bytes\), not a text article"
    ):
        parse_file(path)


def test_undecodable_bytes_are_unreadable():
    with pytest.raises(UnreadableFile, match="undecodable bytes: not UTF-8, GB18030/GBK"):
        parse_bytes(bytes([0x81, 0xFF]) * 50, name="x.txt")
    with pytest.raises(UnreadableFile, match="binary content"):
        parse_bytes(b"\x01\x02\x03\x04\x05 abc \x06\x07", name="x.txt")


@pytest.mark.parametrize("data", [b"", b"   \n\n", b"\xef\xbb\xbf"])
def test_empty_file(data):
    with pytest.raises(ParseError, match="empty.txt: empty file: no article text"):
        parse_bytes(data, name="empty.txt")


def test_nothing_left_after_cleaning():
    with pytest.raises(ParseError, match="nothing.txt: no article text left after cleaning"):
        parse_bytes("QQ图片20200412162837.png\n• 头条\n点击进入频道\n".encode(), name="nothing.txt")


def test_too_large(tmp_path):
    path = tmp_path / "big.txt"
    path.write_bytes(TEXT.encode() * 10)
    size = len(TEXT.encode()) * 10
    with pytest.raises(UnreadableFile, match=rf"big.txt: too large: {size} bytes \(limit 100\)"):
        parse_file(path, max_bytes=100)
    with pytest.raises(UnreadableFile, match="too large"):
        parse_bytes(TEXT.encode() * 10, name="big.txt", max_bytes=100)
    assert parse_file(path, max_bytes=10_000)[0].title == "标题"


def test_missing_file(tmp_path):
    with pytest.raises(UnreadableFile, match="nope.txt: no such file"):
        parse_file(tmp_path / "nope.txt")


def test_all_errors_are_article_errors():
    assert issubclass(UnreadableFile, ArticleError) and issubclass(ParseError, ArticleError)


def test_to_json_round_trip(sample):
    data = sample.to_json()
    assert data["reporters"] == ["严薇", "郭欣欣"]
    assert data["paragraphs"][1] == {
        "id": f"{sample.id}#1",
        "text": "重庆两江新区",
        "kind": "heading",
    }
    json.dumps(data, ensure_ascii=False)


def test_source_line_with_more_credits():
    article = parse_text("来源：澎湃新闻 作者：祝欢\n正文第一段。")
    assert (article.source, article.reporters) == ("澎湃新闻", ["祝欢"])
    assert [p.text for p in article.paragraphs] == ["正文第一段。"]


def test_html_without_article_element_takes_the_densest_block():
    markup = (
        "<html><body><div id='top'><div>导航</div></div>"
        "<div><p>第一段正文内容。</p><p>第二段正文内容。</p></div>"
        "<div class='hot-list'><p>别的文章标题。</p></div></body></html>"
    )
    article = parse_text(markup, is_html=True)
    assert [p.text for p in article.paragraphs] == ["第一段正文内容。", "第二段正文内容。"]


def test_headline_only_record_keeps_its_title_as_the_paragraph():
    # netease-0262 is nothing but its original-title line; the article is kept, not refused
    [article] = parse_bytes(
        json.dumps(
            {
                "id": "netease-0262",
                "title": "杨超越在上海成立公司持股99％ 注册资本为100万",
                "text": "（原标题：杨超越在上海自贸区成立新公司，持股比例为99％）",
            },
            ensure_ascii=False,
        ).encode(),
        name="one.jsonl",
    )
    assert article.original_title == "杨超越在上海自贸区成立新公司，持股比例为99%"
    assert [p.text for p in article.paragraphs] == ["杨超越在上海自贸区成立新公司，持股比例为99%"]


def test_front_matter_scalars_become_text_and_wrong_types_are_refused():
    [article] = parse_bytes(
        "---\ntitle: 2020\nreporters: 严薇\n---\n正文。\n".encode(), name="a.md"
    )
    assert (article.title, article.reporters) == ("2020", ["严薇"])
    with pytest.raises(ParseError, match=re.escape("b.md: 'source' must be a string, got dict")):
        parse_bytes("---\nsource: {name: 新华社}\n---\n正文。\n".encode(), name="b.md")


def test_parse_text_checks_given_metadata():
    with pytest.raises(
        ParseError, match=re.escape("'reporters' must be a list of strings or a string")
    ):
        parse_text("正文。", metadata={"reporters": [1]})


def test_plain_text_title_is_the_first_headline_not_the_original_title_line():
    article = parse_text(
        "（原标题：父亲追凶19年）\n父亲追凶19年 终见嫌犯落网\n得知卢天祥被抓的那一夜，党锁锁兴奋得睡不着。"
    )
    assert (article.title, article.original_title) == ("父亲追凶19年 终见嫌犯落网", "父亲追凶19年")
    assert [p.text for p in article.paragraphs] == ["得知卢天祥被抓的那一夜，党锁锁兴奋得睡不着。"]


def test_page_chrome_is_judged_by_whole_class_words():
    markup = (
        "<html><body><div class='main-nav'>头条 重庆 悦读</div>"
        "<div class='shareholder-news'><p>股东大会今天召开。</p></div>"
        "<div class='article-share'>分享到微信</div><div id='comment-list'><p>网友：好文章。</p></div>"
        "</body></html>"
    )
    article = parse_text(markup, is_html=True)
    assert [p.text for p in article.paragraphs] == ["股东大会今天召开。"]


def test_related_list_and_copyright_footer_are_dropped():
    text = (
        "两江新区正大力实施创新驱动发展战略行动计划。\n分享到：\n打印\n相关阅读\n成渝地区双城经济圈建设提速\n"
        "重庆高新区将崛起一座AI City\n版权所有 © 重庆晨报\n渝ICP备12345678号"
    )
    article = parse_text(text)
    assert [p.text for p in article.paragraphs] == ["两江新区正大力实施创新驱动发展战略行动计划。"]


# -- review findings: article ids ----------------------------------------------------------------------

UNUSABLE_ID = "an article id may not contain spaces, control characters, '#' or '|'"


@pytest.mark.parametrize(
    "record_id, message",
    [
        ("x\ny", f"two.jsonl: line 2: 'id' 'x\\ny' cannot be used: {UNUSABLE_ID}"),
        ("a#1", f"two.jsonl: line 2: 'id' 'a#1' cannot be used: {UNUSABLE_ID}"),
        ("a|b", f"two.jsonl: line 2: 'id' 'a|b' cannot be used: {UNUSABLE_ID}"),
        ("新闻 一", f"two.jsonl: line 2: 'id' '新闻 一' cannot be used: {UNUSABLE_ID}"),
        ("a\u200bb", f"two.jsonl: line 2: 'id' 'a\\u200bb' cannot be used: {UNUSABLE_ID}"),
        (
            "x" * 65,
            "two.jsonl: line 2: 'id' '" + "x" * 40 + "…' cannot be used: "
            "an article id must be at most 64 characters",
        ),
    ],
)
def test_record_ids_that_cannot_be_article_ids_are_refused(record_id, message):
    data = (
        json.dumps({"text": "好的记录。"})
        + "\n"
        + json.dumps({"id": record_id, "text": "正文。"}, ensure_ascii=False)
        + "\n"
    )
    with pytest.raises(ParseError) as info:
        parse_bytes(data.encode(), name="two.jsonl")
    assert str(info.value) == message
    assert "\n" not in str(info.value)


def test_unusable_ids_in_front_matter_and_given_metadata_are_refused():
    with pytest.raises(ParseError) as info:
        parse_bytes("---\nid: a|b\n---\n正文。\n".encode(), name="a.md")
    assert str(info.value) == f"a.md: 'id' 'a|b' cannot be used: {UNUSABLE_ID}"
    with pytest.raises(ParseError) as info:
        parse_text("正文。", metadata={"id": "x\ny"}, origin="消息")
    assert str(info.value) == f"消息: 'id' 'x\\ny' cannot be used: {UNUSABLE_ID}"


def test_numeric_ids_become_their_digits():
    # Decision: a number is read as its digits (a valid id), not refused.
    [article] = parse_bytes(json.dumps({"id": 42, "text": "正文。"}).encode(), name="n.jsonl")
    assert (article.id, [p.id for p in article.paragraphs]) == ("42", ["42#0"])
    assert article.origin == "n.jsonl: line 1 (id 42)"
    [article] = parse_bytes("---\nid: 7\n---\n正文。\n".encode(), name="n.md")
    assert article.id == "7"
    assert parse_text("正文。", metadata={"id": 9}).id == "9"
    # spaces around a usable id are dropped, as before
    assert parse_text("正文。", metadata={"id": " rec-1 "}).id == "rec-1"
    with pytest.raises(ParseError, match=re.escape("'id' must be a string, got float")):
        parse_text("正文。", metadata={"id": 1.5})


def test_numbers_too_long_to_read_are_a_parse_error_not_a_crash():
    huge = b"1" * 5000
    with pytest.raises(ParseError) as info:
        parse_bytes(b'{"id": ' + huge + b', "text": "x."}', name="a.jsonl")
    assert str(info.value) == "a.jsonl: line 1: JSON holds a number too long to read"
    with pytest.raises(ParseError) as info:
        parse_bytes(b'{"id": ' + huge + b', "text": "x."}', name="a.json")
    assert str(info.value) == "a.json: JSON holds a number too long to read"
    with pytest.raises(ParseError) as info:
        parse_bytes(b"---\nid: " + huge + b"\n---\nbody.", name="a.md")
    assert str(info.value) == "a.md: front matter holds a number too long to read"


# -- review findings: page header metadata outside the body element ------------------------------------


def test_html_header_block_above_the_body_gives_source_and_date():
    markup = (
        "<html><body><h1>某地举行活动</h1>"
        "<div class='info'><span>2022-07-01 09:00</span> <span>来源：某某日报</span></div>"
        "<div class='content'><p>第一段正文内容，活动于今日举行。</p><p>第二段正文内容。</p></div>"
        "<div>责任编辑：王五</div></body></html>"
    )
    article = parse_text(markup, is_html=True)
    assert (article.source, article.date, article.date_text) == (
        "某某日报",
        "2022-07-01T09:00:00",
        "2022-07-01 09:00",
    )
    assert article.editors == ["王五"]
    assert [p.text for p in article.paragraphs] == [
        "第一段正文内容，活动于今日举行。",
        "第二段正文内容。",
    ]


def test_html_context_lines_give_credits_and_never_paragraphs():
    markup = (
        "<html><body><h1>标题</h1>"
        "<div class='meta'><span>来源：重庆日报</span><span>作者：李四</span><span>2023-05-06</span></div>"
        "<article><p>第一段正文内容。</p></article>"
        "<p>记者 张三 王五</p><p>这是页面上别的文字。</p></body></html>"
    )
    article = parse_text(markup, is_html=True)
    assert (article.source, article.reporters, article.date) == (
        "重庆日报",
        ["李四", "张三", "王五"],
        "2023-05-06",
    )
    assert [p.text for p in article.paragraphs] == ["第一段正文内容。"]


def test_what_the_html_body_says_wins_over_the_lines_around_it():
    markup = (
        "<html><body><div class='info'>2022-07-01 09:00 来源：某某日报</div>"
        "<div class='content'><p>2022-06-30 08:00 来源：新华社</p><p>第一段正文内容。</p>"
        "<p>第二段正文内容。</p></div></body></html>"
    )
    article = parse_text(markup, is_html=True)
    assert (article.source, article.date) == ("新华社", "2022-06-30T08:00:00")


# -- review findings: a source line with more labels and a date -----------------------------------------


@pytest.mark.parametrize(
    "line, source, reporters, editors, date",
    [
        ("来源：重庆日报  作者：李四  2023-05-06", "重庆日报", ["李四"], [], "2023-05-06"),
        ("2023-05-06 来源：重庆日报 作者：李四", "重庆日报", ["李四"], [], "2023-05-06"),
        ("来源：重庆日报 2023-05-06", "重庆日报", [], [], "2023-05-06"),
        (
            "发布时间：2023-05-06 10:00 来源：重庆日报 编辑：王五 浏览量：300",
            "重庆日报",
            [],
            ["王五"],
            "2023-05-06T10:00:00",
        ),
        ("来源：重庆日报 | 记者：李四 | 责任编辑：王五", "重庆日报", ["李四"], ["王五"], None),
        ("（来源：重庆日报 作者：李四）", "重庆日报", ["李四"], [], None),
    ],
)
def test_source_line_values_end_at_the_next_label_or_the_date(
    line, source, reporters, editors, date
):
    article = parse_text(f"标题\n{line}\n正文第一段。")
    assert (article.source, article.reporters, article.editors, article.date) == (
        source,
        reporters,
        editors,
        date,
    )
    assert [p.text for p in article.paragraphs] == ["正文第一段。"]


def test_labelled_lines_in_the_body_stay_text_unless_they_are_credits():
    body = "正文第一段，这里是很长的一句话。\n" * 9
    article = parse_text(
        body + "时间：2023年5月6日 地点：重庆大剧院\n记者：你怎么看这件事？\n专家：很好。"
    )
    assert article.date is None and article.reporters == []
    assert [p.text for p in article.paragraphs][-3:] == [
        "时间：2023年5月6日 地点：重庆大剧院",
        "记者：你怎么看这件事？",
        "专家：很好。",
    ]


# -- review findings: datelines without a bracketed credit ---------------------------------------------


@pytest.mark.parametrize(
    "text, source, first",
    [
        ("重庆晨报讯 昨日，市政府召开新闻发布会。", "重庆晨报", "昨日，市政府召开新闻发布会。"),
        ("中新网4月12日电 据外媒报道，某地发生地震。", "中新网", "据外媒报道，某地发生地震。"),
        ("央视网消息（新闻联播）：国务院召开常务会议。", "央视网", "国务院召开常务会议。"),
        # real openings of the shared dataset (cec-025, cec-095, cec-267, netease-0027, cec-038)
        (
            "西部网讯9月8日下午,在渭南合阳县境内发生一起重大交通事故。",
            "西部网",
            "9月8日下午,在渭南合阳县境内发生一起重大交通事故。",
        ),
        (
            "环球在线消息：印度尼西亚官员5月27日表示，爪哇省当天早些时候发生里氏6.2级地震。",
            "环球在线",
            "印度尼西亚官员5月27日表示，爪哇省当天早些时候发生里氏6.2级地震。",
        ),
        (
            "新华报业网讯昨晚，南京长江大桥回龙桥一桥洞失火。",
            "新华报业网",
            "昨晚，南京长江大桥回龙桥一桥洞失火。",
        ),
        (
            "财联社11月26日讯，华为总裁办今日发布了任正非的讲话。",
            "财联社",
            "华为总裁办今日发布了任正非的讲话。",
        ),
        (
            "新华网南宁12月7日电（记者张）记者7日11时许从广西河池市南丹县宣传部门了解到。",
            "新华网",
            "记者7日11时许从广西河池市南丹县宣传部门了解到。",
        ),
        ("本报讯 昨日，市政府召开新闻发布会。", None, "昨日，市政府召开新闻发布会。"),
    ],
)
def test_dateline_without_credit_is_cut_from_the_quote(text, source, first):
    article = parse_text(text)
    assert article.source == source
    assert [p.text for p in article.paragraphs] == [first]


@pytest.mark.parametrize(
    "text",
    [
        "记者从重庆高新区获悉，今年重庆科学城建设将按下“加速键”。",
        "中国移动通讯公司表示，今年将继续提速降费。",
        "新华网通讯员张三报道了此事。",
        "今年3月5日电视剧《山海情》开播。",
        "据新华社北京4月12日电，国务院召开常务会议。",
        "该报讯息称，会议将于明日召开。",
        "腾讯公司今天发布了季度财报。",
        "美联社消息称，会议将于明日召开。",
        "新华社讯称，会议将于明日召开。",
    ],
)
def test_text_that_merely_looks_like_a_dateline_is_kept(text):
    assert [p.text for p in parse_text(text).paragraphs] == [text]


def test_source_line_ending_in_a_full_stop():
    assert parse_text("正文第一段。\n来源：央视新闻客户端。").source == "央视新闻客户端"


def test_a_dateline_repeated_thousands_of_times_is_cut_once_more_at_most():
    article = parse_text("新华社讯 " * 20_000 + "正文。")  # no RecursionError
    assert article.source == "新华社"
    assert article.body[0].text.startswith("新华社讯新华社讯")


def test_an_articles_own_header_and_footer_are_read_for_metadata():
    markup = (
        "<html><body><header class='site'><nav>首页 新闻</nav></header>"
        "<article><header><h1>标题</h1><div class='meta'>2022-07-01 09:00 来源：某某日报</div></header>"
        "<p>第一段正文内容。</p><footer>责任编辑：王五</footer></article></body></html>"
    )
    article = parse_text(markup, is_html=True)
    assert (article.source, article.date, article.editors) == (
        "某某日报",
        "2022-07-01T09:00:00",
        ["王五"],
    )
    assert [p.text for p in article.paragraphs] == ["第一段正文内容。"]
