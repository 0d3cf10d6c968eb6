"""bot.byline: every byline shape Chinese news uses, on real lines (sample article and the
shared news dataset), with the exact credits expected."""

from __future__ import annotations

import pytest

from bot.ingest.byline import (
    Credits,
    outlet_of,
    parse_byline_line,
    parse_lead,
    parse_trailing_credit,
    photo_credit,
    split_names,
)
from bot.models import Contributor


def credits(reporters=(), contributors=(), editors=(), photographers=(), outlet=None):
    return Credits(
        list(reporters),
        [Contributor(n, r) for n, r in contributors],
        list(editors),
        list(photographers),
        outlet,
    )


# -- names ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, names",
    [
        ("严薇 郭欣欣", ["严薇", "郭欣欣"]),
        ("李江涛、李舒、孙晓胜", ["李江涛", "李舒", "孙晓胜"]),
        ("王春雨曹霁阳熊琳", ["王春雨", "曹霁阳", "熊琳"]),  # run together (cec-330)
        ("周琦谭经田", ["周琦", "谭经田"]),
        ("李映民李获", ["李映民", "李获"]),
        ("胡幸阳 吴頔 邹娟等", ["胡幸阳", "吴頔", "邹娟"]),
        ("欧阳晓东", ["欧阳晓东"]),
        ("买买提·艾力", ["买买提·艾力"]),
    ],
)
def test_split_names(text, names):
    assert split_names(text) == names


@pytest.mark.parametrize("text", ["从重庆高新区获悉", "联系", "环球网", "视觉中国", "相关"])
def test_not_names(text):
    assert split_names(text) is None


# -- whole-line bylines --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "line, expected",
    [
        # the sample article's end
        (
            "上游新闻·重庆晨报记者 严薇 郭欣欣",
            credits(["严薇", "郭欣欣"], outlet="上游新闻·重庆晨报"),
        ),
        ("本报记者 宋霞", credits(["宋霞"], outlet="本报")),
        ("中国基金报记者 文景", credits(["文景"], outlet="中国基金报")),
        ("每经记者 陈晨", credits(["陈晨"], outlet="每经")),
        (
            "新华社“中国网事”记者李倩薇 卢宥伊",
            credits(["李倩薇", "卢宥伊"], outlet="新华社“中国网事”"),
        ),
        # every kind of 记者 is a reporter; 实习生 and 通讯员 are contributors
        ("本报驻京记者 王小明", credits(["王小明"], outlet="本报")),
        ("本报特约记者 李晓雯", credits(["李晓雯"], outlet="本报")),
        ("见习记者易海军 实习生束亚男", credits(["易海军"], [("束亚男", "实习生")])),
        ("实习记者 潘瑾瑜", credits(["潘瑾瑜"])),
        ("首席记者 张三 李四", credits(["张三", "李四"])),
        # names run together with a contributor
        ("记者陈瑜艳通讯员叶卫兵", credits(["陈瑜艳"], [("叶卫兵", "通讯员")])),
        (
            "海峡都市报记者吴臻游庆辉通讯员黄绿荣王福军朱晓航文/图",
            credits(
                ["吴臻", "游庆辉"],
                [("黄绿荣", "通讯员"), ("王福军", "通讯员"), ("朱晓航", "通讯员")],
                outlet="海峡都市报",
            ),
        ),
        # 文/ and 作者：
        ("文/本报记者 宋霞", credits(["宋霞"], outlet="本报")),
        ("【文/观察者网 齐倩】", credits(["齐倩"], outlet="观察者网")),
        ("文/科科", credits(["科科"])),
        ("文/赵君（北京世纪坛医院）", credits(["赵君"])),
        ("作者：祝欢", credits(["祝欢"])),
        ("作者：许朝军，蒲公英评论独立评论员", credits(["许朝军"])),
        ("作者：澎湃特约评论员 吕京笏", credits(["吕京笏"])),
        ("作者：时代财经 谢斯临", credits(["谢斯临"], outlet="时代财经")),
        ("相关作者：胡幸阳 吴頔 邹娟等", credits(["胡幸阳", "吴頔", "邹娟"])),
        # (X 上海报道)
        ("（王佳 上海报道）", credits(["王佳"])),
        ("（记者高德臣/报道）", credits(["高德臣"])),
        ("(通讯员王金虎报道)", credits(contributors=[("王金虎", "通讯员")])),
        # editors, kept apart
        ("责任编辑：张义凌", credits(editors=["张义凌"])),
        ("(编辑：冯方)", credits(editors=["冯方"])),
        ("责编：茜茜", credits(editors=["茜茜"])),
        ("华西都市报责编：陆菁", credits(editors=["陆菁"], outlet="华西都市报")),
        ("微信编辑：皮小姐", credits(editors=["皮小姐"])),
        ("每经编辑 步静", credits(editors=["步静"], outlet="每经")),
        ("（作者：唐唯珂 编辑：徐旭）", credits(["唐唯珂"], editors=["徐旭"])),
        (
            "新京报记者 曾金秋  编辑 陈晓舒  校对 李立军",
            credits(["曾金秋"], editors=["陈晓舒"], outlet="新京报"),
        ),
        # photographers, kept apart
        ("王磊 摄", credits(photographers=["王磊"])),
        ("图/王磊", credits(photographers=["王磊"])),
        ("摄影/本刊记者 陈惟杉", credits(photographers=["陈惟杉"], outlet="本刊")),
        ("新京报记者 曾金秋 翻拍", credits(photographers=["曾金秋"], outlet="新京报")),
        # an outlet alone
        ("【环球网报道】", credits(outlet="环球网")),
    ],
)
def test_byline_lines(line, expected):
    assert parse_byline_line(line) == expected


@pytest.mark.parametrize(
    "line",
    [
        # 记者从…获悉 is a sentence, not a byline (sample article)
        "记者从重庆高新区获悉，今年重庆科学城建设将按下“加速键”，川渝将联手共建西部科学城。",
        "两江新区科技创新局局长李洁表示",
        "重庆两江新区",
        "商报记者联系",
        "唐一菲全文：",
        "住范儿自摄",
        "图：视觉中国",
        "南栗小学位于城中村，今年11月初记者到访时，周边几栋楼房正待拆迁。",
    ],
)
def test_not_byline_lines(line):
    assert parse_byline_line(line) is None


# -- leads -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "paragraph, expected_credits, outlet, month_day, rest",
    [
        (
            "新华社北京4月12日电（记者 王菲、李舒）正文开始。",
            credits(["王菲", "李舒"]),
            "新华社",
            "4月12日",
            "正文开始。",
        ),
        (
            "新华网合肥11月12日电(记者代群)根据安徽省卫生厅11月12日中午的最新通报",
            credits(["代群"]),
            "新华网",
            "11月12日",
            "根据安徽省卫生厅11月12日中午的最新通报",
        ),
        (
            "新华网哈尔滨3月21日电（记者王春雨曹霁阳熊琳）记者从黑龙江省鸡西市教育局了解到",
            credits(["王春雨", "曹霁阳", "熊琳"]),
            "新华网",
            "3月21日",
            "记者从黑龙江省鸡西市教育局了解到",
        ),
        (
            "本报讯（记者周琦谭经田通讯员高巡蔺善波实习生王维）昨",
            credits(
                ["周琦", "谭经田"], [("高巡", "通讯员"), ("蔺善波", "通讯员"), ("王维", "实习生")]
            ),
            "本报",
            None,
            "昨",
        ),
        (
            "中新网东莞3月30日电(李映民李获)广东东莞万江区一纸品仓库30日",
            credits(["李映民", "李获"]),
            "中新网",
            "3月30日",
            "广东东莞万江区一纸品仓库30日",
        ),
        (
            "东南网3月31日讯（通讯员容肖）今日凌晨3时55分",
            credits(contributors=[("容肖", "通讯员")]),
            "东南网",
            "3月31日",
            "今日凌晨3时55分",
        ),
        (
            "新京报9月7日信息：(记者展明辉葛江涛)昨日下午，北京",
            credits(["展明辉", "葛江涛"]),
            "新京报",
            "9月7日",
            "昨日下午，北京",
        ),
        (
            "国际在线报道（记者徐肖嵘）：中国外交部发言人秦刚",
            credits(["徐肖嵘"]),
            "国际在线",
            None,
            "中国外交部发言人秦刚",
        ),
        (
            "【文/观察者网 齐倩】上月，美国苹果公司正式公布",
            credits(["齐倩"], outlet="观察者网"),
            "观察者网",
            None,
            "上月，美国苹果公司正式公布",
        ),
        (
            "【环球时报特约记者 李晓雯 潘亮】塞尔维亚政府",
            credits(["李晓雯", "潘亮"], outlet="环球时报"),
            "环球时报",
            None,
            "塞尔维亚政府",
        ),
    ],
)
def test_leads(paragraph, expected_credits, outlet, month_day, rest):
    lead = parse_lead(paragraph)
    assert (lead.credits, lead.outlet, lead.month_day, lead.rest) == (
        expected_credits,
        outlet,
        month_day,
        rest,
    )


def test_dateline_without_credit_gives_outlet_and_keeps_text():
    lead = parse_lead("新华社北京4月12日电 国务院新闻办公室12日举行发布会。")
    assert (lead.credits, lead.outlet, lead.month_day) == (credits(), "新华社", "4月12日")
    assert lead.rest == "新华社北京4月12日电 国务院新闻办公室12日举行发布会。"


def test_a_date_in_parentheses_is_no_credit():
    assert (
        parse_lead("北京时间11月27日（周五）凌晨04点00分，2020-21赛季欧联杯小组赛J组进行了第4轮。")
        is None
    )


# -- trailing credits and photo credits ------------------------------------------------------------


def test_trailing_credit_parenthesis():
    assert parse_trailing_credit("来得快，后果可就不敢想了。（记者高德臣/报道）") == (
        credits(["高德臣"]),
        "来得快，后果可就不敢想了。",
    )
    assert parse_trailing_credit("目前事故原因还在调查中。（通讯员吕书圣 记者钟起）") == (
        credits(["钟起"], [("吕书圣", "通讯员")]),
        "目前事故原因还在调查中。",
    )
    assert parse_trailing_credit("首家入驻企业为重庆药友制药（短缺药）") is None


@pytest.mark.parametrize(
    "caption, expected",
    [
        (
            "11月5日，南栗小学门口，家长在等小孩放学。  本文图片均为澎湃新闻记者 明鹊 图（除特别标注外）",
            credits(photographers=["明鹊"], outlet="澎湃新闻"),
        ),
        (
            "一个傍晚，范家发站在马路上，遥望对面的山坡。  赵志远 摄",
            credits(photographers=["赵志远"]),
        ),
        ("木垒县成功入榜。 新华社记者 王菲 摄", credits(photographers=["王菲"], outlet="新华社")),
        ("在水面游弋。新华网发（郑耀德 摄）", credits(photographers=["郑耀德"])),
        ("指导。照片均由本报记者尹平平拍摄", credits(photographers=["尹平平"], outlet="本报")),
        (
            "案发前党锁锁一家人。新京报记者 曾金秋 翻拍",
            credits(photographers=["曾金秋"], outlet="新京报"),
        ),
        (
            "位于河南郑州商务外环路6号的河南能源总部。摄影/本刊记者陈惟杉",
            credits(photographers=["陈惟杉"], outlet="本刊"),
        ),
    ],
)
def test_photo_credits_in_captions(caption, expected):
    assert photo_credit(caption) == expected


@pytest.mark.parametrize(
    "line", ["住范儿自摄", "润玺一期开盘现场 时代财经/摄", "他拍摄了很多照片。"]
)
def test_no_photo_credit(line):
    assert photo_credit(line) is None


@pytest.mark.parametrize(
    "paragraph, reporters, contributors, outlet",
    [
        # CEC corpus: a name before 记者 inside a dateline's parentheses is a credited person
        (
            "本报讯（张通杰记者祝庆庆）11日下午，兴义往安龙方向高速路",
            ["张通杰", "祝庆庆"],
            [],
            "本报",
        ),
        (
            "今视网3月12日南昌讯（张飞记者良保实习生夏娅）11日晚",
            ["张飞", "良保"],
            [("夏娅", "实习生")],
            "今视网",
        ),
        (
            "四川在线宜宾频道消息（刘学艳实习记者黄崧伦）今（30）日上午",
            ["刘学艳", "黄崧伦"],
            [],
            "四川在线",
        ),
        (
            "新华网乌鲁木齐8月7日电(阿合买提江 吴香俊)经过近十一个小时的全力扑救",
            ["阿合买提江", "吴香俊"],
            [],
            "新华网",
        ),
        (
            "新华社郑州11月26日电（新华社记者牛少杰 袁亨瑞）“快看",
            ["牛少杰", "袁亨瑞"],
            [],
            "新华社",
        ),
        ("国际在线消息（记者杨晓囡、向菲）：中国云南省昆明市", ["杨晓囡", "向菲"], [], "国际在线"),
        (
            "台海网8月8日讯（海峡都市报记者吴臻游庆辉通讯员黄绿荣王福军朱晓航文/图）6日11时30分许",
            ["吴臻", "游庆辉"],
            [("黄绿荣", "通讯员"), ("王福军", "通讯员"), ("朱晓航", "通讯员")],
            "台海网",
        ),
    ],
)
def test_lead_credits_from_the_cec_corpus(paragraph, reporters, contributors, outlet):
    lead = parse_lead(paragraph)
    assert lead.credits.reporters == reporters
    assert lead.credits.contributors == [Contributor(n, r) for n, r in contributors]
    assert lead.outlet == outlet


def test_bracketed_lead_outlet_drops_the_word_report():
    lead = parse_lead(
        "【环球时报-环球网报道 记者 白云怡】据英媒报道，英国议会24日提出一项立法草案。"
    )
    assert (lead.credits.reporters, lead.outlet, lead.rest) == (
        ["白云怡"],
        "环球时报-环球网",
        "据英媒报道，英国议会24日提出一项立法草案。",
    )


def test_credit_less_datelines_say_what_follows_them():
    lead = parse_lead("重庆晨报讯 昨日，市政府召开新闻发布会。")
    assert (lead.outlet, lead.rest, lead.without_dateline) == (
        "重庆晨报",
        "重庆晨报讯 昨日，市政府召开新闻发布会。",
        " 昨日，市政府召开新闻发布会。",
    )
    lead = parse_lead("中新网4月12日电 据外媒报道，某地发生地震。")
    assert (lead.outlet, lead.month_day, lead.without_dateline) == (
        "中新网",
        "4月12日",
        " 据外媒报道，某地发生地震。",
    )
    lead = parse_lead("央视网消息（新闻联播）：国务院召开常务会议。")
    assert (lead.outlet, lead.without_dateline) == ("央视网", "：国务院召开常务会议。")
    assert (
        parse_lead("新华社北京4月12日电 国务院新闻办公室12日举行发布会。").without_dateline
        == " 国务院新闻办公室12日举行发布会。"
    )


@pytest.mark.parametrize(
    "paragraph",
    [
        "今年3月5日电视剧《山海情》开播。",  # 电视 is a word, not a dateline's 电
        "据新华社北京4月12日电，国务院召开常务会议。",  # according to …: a sentence
        "新华网通讯员张三报道了此事。",
        "据央视新闻消息，国务院召开常务会议。",
    ],
)
def test_dateline_like_openings_that_are_sentences_are_not_cut(paragraph):
    lead = parse_lead(paragraph)
    assert lead is None or lead.without_dateline is None


def test_outlet_of_a_head_that_is_all_outlet():
    assert outlet_of("新华报业网") == "新华报业网"
    assert outlet_of("广西新闻网象州") == "广西新闻网"
    assert outlet_of("新华网合肥") == "新华网"
