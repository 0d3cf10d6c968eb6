"""Links → bytes → ``Article``: fetching a web page or feed safely, then the usual parser.

Safety (no server-side request forgery): only http/https; the host is resolved with
``getaddrinfo`` and EVERY address it resolves to must be public (not loopback, private,
link-local, multicast, reserved, CGNAT, unspecified, nor such an address embedded in IPv6);
the request then goes to the very address that was checked (the URL's host is replaced by
the IP, the name travels in the Host header and as TLS SNI, so the certificate is still
checked against the name) — a DNS answer cannot change between check and connect. Redirects
are followed by hand, each target checked the same way. ``fetch.allow_hosts`` lists host
names or networks an operator allows anyway (an intranet news site, the tests' own server).

Limits: connect timeout, one deadline for the whole fetch (redirects and body), at most
``max_redirects`` hops, at most ``max_bytes`` of (decoded) body read, streamed so a larger
body is never read whole; only HTML/text (or feed) content types. Proxies from the
environment are ignored: a proxy would connect to names we did not check.
"""

from __future__ import annotations

import concurrent.futures
import ipaddress
import re
import socket
import ssl
import threading
import time
import urllib.parse
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

import httpx

from ..config import FetchConfig
from ..errors import (
    AddressRefused,
    NotAPage,
    PageUnavailable,
    TooLarge,
    UnreadableFile,
)
from ..models import Article
from .decoding import decode_bytes

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Accept = Literal["page", "feed"]

# Refused whatever ``is_global`` says on this Python version (documented in README).
BLOCKED_NETWORKS = tuple(
    ipaddress.ip_network(n)
    for n in (
        "0.0.0.0/8",
        "10.0.0.0/8",
        "100.64.0.0/10",
        "127.0.0.0/8",
        "169.254.0.0/16",
        "172.16.0.0/12",
        "192.0.0.0/24",
        "192.0.2.0/24",
        "192.168.0.0/16",
        "198.18.0.0/15",
        "198.51.100.0/24",
        "203.0.113.0/24",
        "224.0.0.0/4",
        "240.0.0.0/4",
        "::/128",
        "::1/128",
        "::ffff:0:0/96",
        "64:ff9b:1::/48",
        "100::/64",
        "2001:db8::/32",
        "fc00::/7",
        "fe80::/10",
        "fec0::/10",
        "ff00::/8",
    )
)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")

_PAGE_TYPES = ("text/html", "application/xhtml+xml", "text/plain")
_FEED_TYPES = (
    "application/rss+xml",
    "application/atom+xml",
    "application/rdf+xml",
    "application/xml",
    "text/xml",
    "application/x-rss+xml",
    "application/feed+json",
    "text/x-opml",
    "application/opml+xml",
)
_RESOLVER = concurrent.futures.ThreadPoolExecutor(max_workers=8, thread_name_prefix="resolve")
_REDIRECTS = {301, 302, 303, 307, 308}
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_GB_FAMILY = {"gb2312", "gbk", "gb_2312-80", "x-gbk", "gb18030", "cp936"}


@dataclass(frozen=True)
class Fetched:
    """A fetched response: the final URL (after redirects) and its body, or 304."""

    url: str
    status: int
    content_type: str | None
    charset: str | None
    data: bytes = b""
    etag: str | None = None
    last_modified: str | None = None
    redirects: list[str] = field(default_factory=list)

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def is_html(self) -> bool:
        return self.content_type in ("text/html", "application/xhtml+xml")


# -- the address policy -------------------------------------------------------------------


def _embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one carries (mapped, 6to4, Teredo, NAT64), if any."""
    if not isinstance(address, ipaddress.IPv6Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def address_problem(address: IPAddress) -> str | None:
    """Why the bot must not connect to this address, or None when it is a public one."""
    inner = _embedded_ipv4(address)
    if inner is not None and address_problem(inner) is not None:
        return address_problem(inner)
    if address.is_loopback:
        return "loopback"
    if address.is_link_local:
        return "link-local"
    if address.is_multicast:
        return "multicast"
    if address.is_unspecified:
        return "unspecified"
    if (
        any(
            address in network for network in BLOCKED_NETWORKS if network.version == address.version
        )
        or not address.is_global
    ):
        return "private or reserved"
    return None


class AddressPolicy:
    """Which hosts and addresses may be fetched: public ones, plus ``allow_hosts``."""

    def __init__(self, allow_hosts: Iterable[str] = ()):
        self.hosts: set[str] = set()
        self.networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network] = []
        for entry in allow_hosts:
            try:
                self.networks.append(ipaddress.ip_network(entry.strip(), strict=False))
            except ValueError:
                self.hosts.add(entry.strip().lower().rstrip("."))

    def _allowed(self, host: str, address: IPAddress) -> bool:
        if host in self.hosts:
            return True
        return any(
            address in network for network in self.networks if network.version == address.version
        )

    def resolve(
        self, host: str, port: int, url: str, timeout: float | None = None
    ) -> list[IPAddress]:
        """The addresses to connect to: every address the host resolves to must be allowed."""
        host = host.lower().rstrip(".")
        # getaddrinfo has no timeout of its own: it runs in a worker so a hung resolver costs
        # the caller at most ``timeout`` (the worker ends when the resolver gives up).
        lookup = _RESOLVER.submit(socket.getaddrinfo, host, port, type=socket.SOCK_STREAM)
        try:
            infos = lookup.result(timeout=timeout)
        except concurrent.futures.TimeoutError:
            raise PageUnavailable("页面无法访问（域名解析超时）", url=url) from None
        except (socket.gaierror, UnicodeError, OSError):
            raise PageUnavailable("页面无法访问（找不到这个网站）", url=url) from None
        addresses: list[IPAddress] = []
        for _family, _type, _proto, _name, sockaddr in infos:
            # An IPv6 sockaddr may carry a zone ("fe80::1%eth0"); the zone is no address.
            address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
            if address not in addresses:
                addresses.append(address)
        if not addresses:
            raise PageUnavailable("页面无法访问（找不到这个网站）", url=url)
        for address in addresses:
            problem = address_problem(address)
            if problem is not None and not self._allowed(host, address):
                raise AddressRefused(f"不允许访问的地址（{address}：{problem}）", url=url)
        return addresses


# -- fetching ---------------------------------------------------------------------------


class Fetcher:
    """Fetches pages and feeds under one config; reuse it (pooled connections); thread-safe.

    Connections are pooled per host name: the pool is keyed by the IP address it connects to,
    and a TLS connection verified for one name must never carry a request for another name
    served from the same address.
    """

    #: Host names whose connection pools are kept (the least recently used one is closed).
    MAX_POOLS = 64

    def __init__(self, config: FetchConfig, *, verify: bool | ssl.SSLContext = True):
        self.config = config
        self.policy = AddressPolicy(config.allow_hosts)
        self._verify = verify
        self._clients: OrderedDict[str, httpx.Client] = OrderedDict()
        self._lock = threading.Lock()

    def _client(self, host: str) -> httpx.Client:
        with self._lock:
            client = self._clients.pop(host, None)
            if client is None:
                client = httpx.Client(
                    follow_redirects=False,
                    trust_env=False,
                    verify=self._verify,
                    headers={
                        "User-Agent": self.config.user_agent,
                        "Accept": "text/html,application/xhtml+xml,application/rss+xml,"
                        "application/atom+xml,application/xml;q=0.9,"
                        "text/*;q=0.8",
                    },
                    limits=httpx.Limits(max_connections=8, max_keepalive_connections=2),
                )
            self._clients[host] = client
            while len(self._clients) > self.MAX_POOLS:
                _, oldest = self._clients.popitem(last=False)
                # the least recently used: with a few requests in flight (feeds.concurrency),
                # never one that is in use
                oldest.close()
            return client

    def close(self) -> None:
        with self._lock:
            for client in self._clients.values():
                client.close()
            self._clients.clear()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def get(
        self,
        url: str,
        *,
        accept: Accept = "page",
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> Fetched:
        """GET ``url`` within the limits, following redirects by hand; raises FetchError."""
        deadline = time.monotonic() + self.config.total_timeout
        conditional: dict[str, str] = {}
        if etag:
            conditional["If-None-Match"] = etag
        if last_modified:
            conditional["If-Modified-Since"] = last_modified
        current = url
        hops: list[str] = []
        while True:
            targets, headers, extensions = self._pinned(current)
            headers.update(conditional)
            client = self._client(headers["Host"].lower())
            response = self._send(client, targets, headers, extensions, deadline, current)
            try:
                if response.status_code in _REDIRECTS and "location" in response.headers:
                    if len(hops) >= self.config.max_redirects:
                        raise PageUnavailable(
                            f"页面无法访问（重定向超过 {self.config.max_redirects} 次）", url=url
                        )
                    current = urllib.parse.urljoin(current, response.headers["location"])
                    hops.append(current)
                    continue
                return self._read(response, current, accept, deadline, hops)
            finally:
                response.close()

    def _pinned(self, url: str) -> tuple[list[httpx.URL], dict[str, str], dict[str, object]]:
        """The URL with its host replaced by each checked address, and the Host/SNI to send."""
        try:
            parsed = httpx.URL(url)
        except (httpx.InvalidURL, TypeError, ValueError):
            raise AddressRefused("不是有效的链接", url=url) from None
        if parsed.scheme not in ("http", "https") or not parsed.host:
            raise AddressRefused("只能打开 http/https 链接", url=url)
        port = parsed.port or (443 if parsed.scheme == "https" else 80)
        addresses = self.policy.resolve(parsed.host, port, url, timeout=self.config.connect_timeout)
        host_header = parsed.netloc.decode("ascii").rsplit("@", 1)[-1]
        extensions: dict[str, object] = {}
        if parsed.scheme == "https":
            extensions["sni_hostname"] = parsed.host
        targets = [parsed.copy_with(host=str(address)) for address in addresses]
        return targets, {"Host": host_header}, extensions

    def _timeout(self, deadline: float, url: str) -> httpx.Timeout:
        left = deadline - time.monotonic()
        if left <= 0:
            raise PageUnavailable("页面无法访问（超时）", url=url)
        return httpx.Timeout(left, connect=min(self.config.connect_timeout, left))

    def _send(
        self,
        client: httpx.Client,
        targets: list[httpx.URL],
        headers: dict[str, str],
        extensions: dict[str, object],
        deadline: float,
        url: str,
    ) -> httpx.Response:
        """Send to the first checked address that accepts a connection."""
        problem = "无法连接"
        for target in targets:
            request = client.build_request(
                "GET",
                target,
                headers=headers,
                timeout=self._timeout(deadline, url),
                extensions=extensions,
            )
            try:
                return client.send(request, stream=True)
            except httpx.ConnectError:
                continue  # e.g. a name resolving to ::1 and 127.0.0.1, served on one only
            except httpx.TimeoutException:
                raise PageUnavailable("页面无法访问（超时）", url=url) from None
            except httpx.HTTPError as exc:
                problem = _network_problem(exc)
                break
        raise PageUnavailable(f"页面无法访问（{problem}）", url=url)

    def _read(
        self, response: httpx.Response, url: str, accept: Accept, deadline: float, hops: list[str]
    ) -> Fetched:
        etag = response.headers.get("etag")
        last_modified = response.headers.get("last-modified")
        if response.status_code == 304:
            return Fetched(url, 304, None, None, b"", etag, last_modified, hops)
        if (
            response.status_code >= 400
            or response.status_code < 200
            or response.status_code in _REDIRECTS
        ):
            raise PageUnavailable(f"页面无法访问（{response.status_code}）", url=url)
        content_type, charset = _content_type(response.headers.get("content-type"))
        if not _acceptable(content_type, accept):
            raise NotAPage("不是网页" if accept == "page" else "不是网页或订阅源", url=url)
        limit = self.config.max_bytes
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise TooLarge(f"太大（超过 {_megabytes(limit)}）", url=url)
        body = bytearray()
        try:
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) > limit:
                    raise TooLarge(f"太大（超过 {_megabytes(limit)}）", url=url)
                if time.monotonic() > deadline:
                    raise PageUnavailable("页面无法访问（超时）", url=url)
        except httpx.TimeoutException:
            raise PageUnavailable("页面无法访问（超时）", url=url) from None
        except httpx.HTTPError as exc:
            raise PageUnavailable(f"页面无法访问（{_network_problem(exc)}）", url=url) from None
        return Fetched(
            url, response.status_code, content_type, charset, bytes(body), etag, last_modified, hops
        )


def _acceptable(content_type: str | None, accept: Accept) -> bool:
    # No Content-Type at all: the parser sniffs (and refuses binary bytes) instead.
    if content_type is None or content_type in _PAGE_TYPES:
        return True
    return accept == "feed" and (content_type in _FEED_TYPES or content_type.endswith("+xml"))


def _network_problem(exc: httpx.HTTPError) -> str:
    if isinstance(exc, httpx.ConnectError):
        return "无法连接"
    if isinstance(exc, (httpx.RemoteProtocolError, httpx.DecodingError)):
        return "服务器的回应无法读取"
    return "网络错误"


def _megabytes(limit: int) -> str:
    return f"{limit / 1_000_000:g} MB"


def _content_type(header: str | None) -> tuple[str | None, str | None]:
    if not header:
        return None, None
    kind, _, params = header.partition(";")
    charset = None
    for param in params.split(";"):
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip("\"'").lower() or None
    return kind.strip().lower() or None, charset


# -- decoding and parsing ---------------------------------------------------------------


def _decode_as(data: bytes, charset: str) -> str | None:
    name = "gb18030" if charset.lower() in _GB_FAMILY else charset
    try:
        return data.decode(name)
    except (LookupError, UnicodeDecodeError):
        return None


def page_text(fetched: Fetched) -> str:
    """The body as text: declared charset (header, then ``<meta>``) when the bytes agree,
    else detection (``decoding.decode_bytes``: BOM, UTF-8, GB18030, guesses).

    Declarations lie often (GBK bytes served as UTF-8 and the reverse): a declared charset
    counts only if the bytes decode under it strictly; valid non-ASCII UTF-8 wins over a
    declared legacy charset, since it is almost never valid by accident.
    """
    data = fetched.data
    meta = _META_CHARSET.search(data[:4096]) if fetched.is_html else None
    declared = [
        c for c in (fetched.charset, meta.group(1).decode("ascii").lower() if meta else None) if c
    ]
    if declared and declared[0] not in ("utf-8", "utf8") and not data.isascii():
        utf8 = _decode_as(data, "utf-8")
        if utf8 is not None:
            return utf8
    for charset in declared:
        text = _decode_as(data, charset)
        if text is not None and "\x00" not in text:
            return text
    return decode_bytes(data, origin=fetched.url)


def article_from_fetched(fetched: Fetched) -> Article:
    """Parse a fetched page with the file parser; the URL is the article's link."""
    from .parsing import parse_text
    from .webpage import looks_like_html

    text = page_text(fetched)
    if not text.strip():
        raise NotAPage("页面是空的", url=fetched.url)
    is_html = fetched.is_html or (fetched.content_type != "text/plain" and looks_like_html(text))
    return parse_text(text, metadata={"url": fetched.url}, origin=fetched.url, is_html=is_html)


def fetch_article(url: str, fetcher: Fetcher) -> Article:
    """Fetch a page and parse it into an article (FetchError / ArticleError on failure)."""
    fetched = fetcher.get(url, accept="page")
    try:
        return article_from_fetched(fetched)
    except UnreadableFile as exc:
        raise NotAPage(f"不是网页（{exc.__class__.__name__}）", url=fetched.url) from None


def is_link(text: str) -> bool:
    """True when the text is one http(s) link and nothing else (a pasted URL)."""
    stripped = text.strip()
    return bool(re.fullmatch(r"https?://\S+", stripped, flags=re.I))
