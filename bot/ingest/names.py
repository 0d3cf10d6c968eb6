"""Chinese personal names in credits: what a name looks like, and names run together
(``王春雨曹霁阳熊琳``) split where common surnames start."""

from __future__ import annotations

import re
from functools import lru_cache

# Roughly the 100 most frequent surnames (tier 1) and the next few hundred (tier 2). Tier 1
# surnames make a split more convincing than rare ones (阳, 雨 …) when names run together.
_SURNAMES_COMMON = set(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁"
    "任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武"
    "戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮"
    "柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古"
    "吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫"
    "寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝封蔺雍訾谈支钮岳晋展逯祁扎扈"
)
_SURNAMES_TIER1 = set(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡"
    "余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷"
    "侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常"
)
#: Surnames a bare personal name may start with (page header lines tell names from accounts).
SURNAMES = frozenset(_SURNAMES_COMMON)
_COMPOUND_SURNAMES = (
    "欧阳",
    "司马",
    "上官",
    "诸葛",
    "东方",
    "皇甫",
    "尉迟",
    "公孙",
    "慕容",
    "长孙",
    "令狐",
    "宇文",
    "夏侯",
    "端木",
    "司徒",
    "轩辕",
    "呼延",
    "澹台",
    "南宫",
)
HAN = "\u3400-\u4dbf\u4e00-\u9fff"
_NAME = re.compile(f"^(?:[{HAN}]{{2,4}}|[{HAN}]{{1,6}}[·•・][{HAN}]{{1,8}})$")
# Characters that never occur in a byline name but are everywhere in sentences.
_NOT_IN_NAMES = set(
    "的了是在从对据悉并表示说称我你他她们这那将已与及就都也还被把让给年电讯报等、，。：；！？"
)
ORG_SUFFIX = re.compile(
    r"(?:社|网|报|台|刊|新闻|客户端|频道|财经|杂志|周刊|日报|晚报|晨报|时报|员|"
    r"中心|研究院|大学|医院|公司|海外版|英文版|电子版)$"
)
# Words that follow 记者 in sentences (商报记者联系, 记者获悉) or credit agencies, not people.
_NOT_NAMES = {
    "联系",
    "获悉",
    "了解",
    "采访",
    "发现",
    "看到",
    "注意到",
    "走访",
    "询问",
    "致电",
    "证实",
    "报道",
    "暗访",
    "调查",
    "核实",
    "视觉中国",
    "东方IC",
    "图虫创意",
    "网络",
    "资料图",
    "全文",
    "相关",
    "独家",
    "综合",
    "编译",
    "中新",
    "新华",
    "人民视觉",
    "图虫",
    # section words that stand before 报道 (特别报道) and sign-off words (待续)
    "特别",
    "最新",
    "媒体",
    "专题",
    "深度",
    "重点",
    "滚动",
    "待续",
    "未完",
    "完",
    "视频",
    "组图",
    "附图",
    "摘编",
    "图文",
    "全文完",
    "本文完",
    "单选",
    "多选",
}
# Words that make a part no personal name: compilers and collective credits (网络整理).
_NOT_NAME_PARTS = re.compile(r"整理|整合|网络|编辑部|本站|小编|综合|转载|原创|报道组|课题组|工作室")
# Trailing words after names that say how the piece was made, not who made it.
_MAKING_WORDS = frozenset({"整合", "整理", "综合", "编译", "综合报道", "报道"})
# A part ending like an outlet (环球网, 每经 is caught by position instead) is no name.
OUTLET_ENDING = re.compile(r"(?:社|网|报|台|刊|新闻|财经|频道|在线)$")
_NAME_SEPARATORS = re.compile(r"[、，,；;\s/|&＆]+|(?<=[^和])和(?=[^和])|及|与")


def names_no_person(text: str) -> bool:
    """True for words that credit no person (``网络整理``, ``本站``, ``编辑部``)."""
    return text in _NOT_NAMES or bool(_NOT_NAME_PARTS.search(text))


def plain_name(text: str) -> bool:
    return bool(_NAME.match(text)) and not (set(text) & _NOT_IN_NAMES)


def _surname_len(text: str) -> int:
    """Length of the surname text starts with (0 when it starts with none we know)."""
    if text[:2] in _COMPOUND_SURNAMES:
        return 2
    return 1 if text[:1] in _SURNAMES_COMMON else 0


@lru_cache(maxsize=4096)
def _split_run_together(text: str) -> tuple[str, ...] | None:
    """Split names written without separators, each starting with a known surname; the split
    with the most convincing surnames wins. None when no split exists."""
    best: dict[int, tuple[int, tuple[str, ...]]] = {0: (0, ())}
    for start in range(len(text)):
        if start not in best:
            continue
        score, names = best[start]
        surname = _surname_len(text[start:])
        if not surname:
            continue
        weight = 2 if surname == 2 or text[start] in _SURNAMES_TIER1 else 1
        for size in (2, 3) if surname == 1 else (3, 4):
            end = start + size
            if end > len(text):
                continue
            candidate = (score + weight, names + (text[start:end],))
            if end not in best or candidate[0] > best[end][0]:
                best[end] = candidate
    result = best.get(len(text))
    return result[1] if result else None


def split_names(text: str) -> list[str] | None:
    """``严薇 郭欣欣`` / ``李江涛、李舒、孙晓胜`` / ``王春雨曹霁阳熊琳`` → names; None when some
    part is not a name (then the text is no credit)."""
    text = text.strip(" ：:").removesuffix("等").strip()
    if not text:
        return None
    names: list[str] = []
    parts = [part for part in _NAME_SEPARATORS.split(text) if part]
    while len(parts) > 1 and parts[-1] in _MAKING_WORDS:
        parts.pop()  # （记者 甲某 整合）
    for part in parts:
        if part in _NOT_NAMES or OUTLET_ENDING.search(part) or _NOT_NAME_PARTS.search(part):
            return None
        if len(part) <= 4 and plain_name(part):
            # Four characters may be two two-character names (周琦谭经 is not, 王通交宣 is).
            if (
                len(part) == 4
                and part[:2] not in _COMPOUND_SURNAMES
                and part[0] in _SURNAMES_TIER1
                and part[2] in _SURNAMES_TIER1
            ):
                names.extend((part[:2], part[2:]))
            else:
                names.append(part)
            continue
        if "·" in part or "•" in part or "・" in part:
            if plain_name(part):
                names.append(part.replace("•", "·").replace("・", "·"))
                continue
            return None
        if set(part) & _NOT_IN_NAMES or not re.fullmatch(f"[{HAN}]+", part):
            return None
        split = _split_run_together(part)
        if split is None:
            # Minority and transliterated names run to five characters (阿合买提江); only
            # believed beside other, separated names.
            if len(part) == 5 and len(parts) > 1 and part[0] not in _SURNAMES_COMMON:
                names.append(part)
                continue
            return None
        names.extend(split)
    return names or None
