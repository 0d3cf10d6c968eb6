"""Generated RSS 2.0 / Atom / RSS 1.0 documents for the feed tests and the feed benchmark."""

from __future__ import annotations

from dataclasses import dataclass
from xml.sax.saxutils import escape


@dataclass
class Item:
    guid: str | None
    title: str
    link: str | None
    text: str  # full text (content:encoded) or summary, see ``full``
    author: str | None = None
    date: str = "Sat, 06 May 2023 10:00:00 +0800"
    full: bool = True


def rss(items: list[Item], *, title: str = "示范日报 要闻") -> bytes:
    entries = []
    for item in items:
        parts = [f"<title>{escape(item.title)}</title>"]
        if item.link:
            parts.append(f"<link>{escape(item.link)}</link>")
        if item.guid:
            parts.append(f'<guid isPermaLink="false">{escape(item.guid)}</guid>')
        if item.author:
            parts.append(f"<dc:creator>{escape(item.author)}</dc:creator>")
        parts.append(f"<pubDate>{item.date}</pubDate>")
        if item.full:
            parts.append(f"<description>{escape(item.text[:40])}</description>")
            parts.append(f"<content:encoded><![CDATA[{item.text}]]></content:encoded>")
        else:
            parts.append(f"<description>{escape(item.text)}</description>")
        entries.append("<item>" + "".join(parts) + "</item>")
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>'
        f"<title>{escape(title)}</title><link>http://news.example/</link>"
        f"<description>d</description>{''.join(entries)}</channel></rss>"
    ).encode()


def atom(items: list[Item], *, title: str = "示范晚报") -> bytes:
    entries = []
    for item in items:
        author = f"<author><name>{escape(item.author)}</name></author>" if item.author else ""
        link = f'<link rel="alternate" href="{escape(item.link)}"/>' if item.link else ""
        kind = "content" if item.full else "summary"
        entries.append(
            f"<entry><id>{escape(item.guid or '')}</id><title>{escape(item.title)}"
            f"</title>{link}<updated>2023-05-06T10:00:00+08:00</updated>{author}"
            f'<{kind} type="html">{escape(item.text)}</{kind}></entry>'
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>{escape(title)}</title><id>urn:x</id><updated>2023-05-06T10:00:00Z</updated>"
        f"{''.join(entries)}</feed>"
    ).encode()


def rdf(items: list[Item], *, title: str = "示范周刊") -> bytes:
    entries = "".join(
        f'<item rdf:about="{escape(item.link or "")}"><title>{escape(item.title)}</title>'
        f"<link>{escape(item.link or '')}</link><description>{escape(item.text)}</description>"
        f"<dc:date>2023-05-06T10:00:00+08:00</dc:date></item>"
        for item in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        'xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f'<channel rdf:about="http://news.example/"><title>{escape(title)}</title>'
        "<link>http://news.example/</link><description>d</description></channel>"
        f"{entries}</rdf:RDF>"
    ).encode()


_FIELDS = (
    "量子通信",
    "轨道交通",
    "生物医药",
    "新能源汽车",
    "人工智能",
    "智慧农业",
    "数字经济",
    "航空航天",
    "集成电路",
    "文化旅游",
    "养老服务",
    "城市更新",
    "乡村振兴",
    "跨境电商",
)
_PLACES = (
    "江北",
    "渝中",
    "南岸",
    "沙坪坝",
    "九龙坡",
    "北碚",
    "渝北",
    "巴南",
    "涪陵",
    "永川",
    "合川",
)


def story(n: int, topic: str | None = None) -> str:
    """A few paragraphs of article text distinct for each n (long enough to be a full text)."""
    field = topic or _FIELDS[n % len(_FIELDS)]
    place = _PLACES[(n // len(_FIELDS)) % len(_PLACES)]
    return (
        f"<p>第{n}号报道：{place}今年在{field}领域推出第{n}项新举措，重点支持研发补贴和"
        f"人才引进，预计将惠及众多企业。</p>"
        f"<p>{place}有关部门负责人介绍，第{n}项举措的配套服务将在下月上线，市民可在网上办理。"
        f"</p><p>据统计，去年{place}相关产业产值增长{n % 9 + 3}%，新增企业{n * 7}家。</p>"
    )
