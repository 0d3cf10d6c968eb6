"""Fetching links: limits, charsets, errors, and the SSRF guard on the real resolver path."""

from __future__ import annotations

import socket
import time
from dataclasses import replace

import pytest

from bot.config import FetchConfig
from bot.errors import AddressRefused, FetchError, NotAPage, PageUnavailable, TooLarge
from bot.ingest.fetch import Fetcher, address_problem, fetch_article, is_link, page_text

PAGE = """<html><head><meta charset="{charset}"><title>两江新区发布新政策_新闻</title>
<meta name="source" content="示范日报"></head><body>
<div class="article"><h1>两江新区发布新政策</h1>
<p>2023-05-06 10:00  来源：示范日报</p>
<p>本报讯（记者 张三 李四）两江新区今天发布了支持科技企业的新政策，涵盖研发补贴和人才引进。</p>
<p>新政策自六月起实施，预计惠及上千家企业。</p>
</div></body></html>"""


def page(charset: str = "utf-8", encoding: str | None = None) -> bytes:
    return PAGE.format(charset=charset).encode(encoding or charset)


LOCAL_ONLY = FetchConfig(allow_hosts=["127.0.0.1"], total_timeout=5.0)


@pytest.fixture
def fetcher():
    with Fetcher(LOCAL_ONLY) as f:
        yield f


def test_a_page_is_fetched_and_parsed_with_its_url_as_the_link(web, fetcher):
    web.route("/news/1.html", body=page())
    article = fetch_article(web.url("/news/1.html"), fetcher)
    assert article.title == "两江新区发布新政策"
    assert article.url == web.url("/news/1.html")
    assert article.reporters == ["张三", "李四"]
    assert any("研发补贴" in p.text for p in article.body)
    path, headers = web.requests[-1]
    assert headers["user-agent"].startswith("newsquote-bot/")
    assert headers["host"] == f"127.0.0.1:{web.port}"


def test_the_final_url_after_a_redirect_is_the_link(web, fetcher):
    web.route("/short", status=302, headers={"Location": "/news/2.html"}, body=b"")
    web.route("/news/2.html", body=page())
    article = fetch_article(web.url("/short"), fetcher)
    assert article.url == web.url("/news/2.html")


def test_gbk_page_declared_in_the_header(web, fetcher):
    web.route("/gbk", body=page("gbk"), content_type="text/html; charset=GBK")
    assert fetch_article(web.url("/gbk"), fetcher).title == "两江新区发布新政策"


def test_a_wrong_header_charset_is_overruled_by_the_bytes(web, fetcher):
    # The header says UTF-8, the bytes (and the meta tag) are GB18030.
    web.route("/liar", body=page("gb2312", "gb18030"), content_type="text/html; charset=utf-8")
    article = fetch_article(web.url("/liar"), fetcher)
    assert article.title == "两江新区发布新政策"
    # And the reverse: UTF-8 bytes declared as GBK everywhere.
    web.route("/liar2", body=page("gbk", "utf-8"), content_type="text/html; charset=gbk")
    assert fetch_article(web.url("/liar2"), fetcher).title == "两江新区发布新政策"


def test_charset_from_meta_when_the_header_has_none(web, fetcher):
    html = (
        '<html><head><meta charset="big5"><title>兩江新區</title></head><body>'
        "<p>兩江新區今天發佈了新政策，涵蓋研發補貼。</p></body></html>"
    )
    web.route("/meta", body=html.encode("big5"), content_type="text/html")
    fetched = fetcher.get(web.url("/meta"))
    assert "兩江新區今天發佈了新政策" in page_text(fetched)


@pytest.mark.parametrize("status", [404, 500, 403])
def test_error_status_is_one_line_naming_it(web, fetcher, status):
    web.route("/gone", status=status, body=b"nope", content_type="text/plain")
    with pytest.raises(PageUnavailable) as caught:
        fetcher.get(web.url("/gone"))
    assert str(caught.value) == f"页面无法访问（{status}）：{web.url('/gone')}"
    assert "\n" not in str(caught.value)


def test_not_a_web_page(web, fetcher):
    web.route("/photo.png", body=b"\x89PNG\r\n\x1a\n" + bytes(100), content_type="image/png")
    with pytest.raises(NotAPage, match="不是网页"):
        fetch_article(web.url("/photo.png"), fetcher)
    web.route("/blob", body=b"\x00\x01\x02" * 100, content_type=None)
    with pytest.raises(NotAPage):
        fetch_article(web.url("/blob"), fetcher)


def test_a_20_mb_body_with_its_length_is_refused_before_reading(web, fetcher):
    sent = []

    def huge(handler):
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html")
        handler.send_header("Content-Length", str(20_000_000))
        handler.end_headers()
        try:
            for _ in range(20_000_000 // 65536 + 1):
                handler.wfile.write(b"a" * 65536)
                sent.append(65536)
        except OSError:
            pass

    web.route("/huge", handler=huge)
    with pytest.raises(TooLarge, match="太大"):
        fetcher.get(web.url("/huge"))


def test_a_20_mb_body_without_length_is_cut_off_after_the_limit(web):
    sent = []
    done = []

    def endless(handler):
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html")
        handler.send_header("Connection", "close")
        handler.end_headers()
        handler.close_connection = True
        try:
            for _ in range(20_000_000 // 65536 + 1):
                handler.wfile.write(b"a" * 65536)
                sent.append(65536)
        except OSError:
            pass
        done.append(True)

    web.route("/endless", handler=endless)
    config = replace(LOCAL_ONLY, max_bytes=1_000_000)
    with Fetcher(config) as fetcher, pytest.raises(TooLarge):
        fetcher.get(web.url("/endless"))
    deadline = time.monotonic() + 5
    while not done and time.monotonic() < deadline:
        time.sleep(0.05)
    assert done and sum(sent) < 20_000_000 // 2  # the client stopped reading long before


def test_a_slow_server_times_out_within_the_total_deadline(web):
    def slow(handler):
        time.sleep(1.5)
        handler.send_response(200)
        handler.end_headers()

    web.route("/slow", handler=slow)
    with Fetcher(replace(LOCAL_ONLY, total_timeout=0.4)) as fetcher:
        started = time.monotonic()
        with pytest.raises(PageUnavailable, match="超时"):
            fetcher.get(web.url("/slow"))
        assert time.monotonic() - started < 1.2


def test_a_dribbling_body_is_bounded_by_the_total_deadline(web):
    def dribble(handler):
        handler.send_response(200)
        handler.send_header("Content-Type", "text/plain")
        handler.send_header("Content-Length", "100")
        handler.end_headers()
        try:
            for _ in range(100):
                handler.wfile.write(b"x")
                handler.wfile.flush()
                time.sleep(0.05)
        except OSError:
            pass

    web.route("/dribble", handler=dribble)
    with Fetcher(replace(LOCAL_ONLY, total_timeout=0.5)) as fetcher:
        started = time.monotonic()
        with pytest.raises(PageUnavailable, match="超时"):
            fetcher.get(web.url("/dribble"))
        assert time.monotonic() - started < 1.5


def test_a_redirect_loop_stops_after_max_redirects(web, fetcher):
    web.route("/a", status=302, headers={"Location": "/b"}, body=b"")
    web.route("/b", status=301, headers={"Location": "/a"}, body=b"")
    with pytest.raises(PageUnavailable, match="重定向超过 5 次"):
        fetcher.get(web.url("/a"))
    assert len(web.requests) == 6


def test_a_redirect_to_the_metadata_address_is_refused(web, fetcher):
    web.route(
        "/go",
        status=302,
        headers={"Location": "http://169.254.169.254/latest/meta-data/"},
        body=b"",
    )
    with pytest.raises(AddressRefused, match="169.254.169.254"):
        fetch_article(web.url("/go"), fetcher)


def test_a_redirect_to_another_loopback_address_is_refused(web, fetcher):
    # Only 127.0.0.1 is allowed: 127.0.0.2 is loopback too, refused after the redirect.
    web.route("/go", status=307, headers={"Location": f"http://127.0.0.2:{web.port}/x"}, body=b"")
    with pytest.raises(AddressRefused, match="loopback"):
        fetcher.get(web.url("/go"))


def test_refused_addresses_through_the_real_resolver(web):
    web.route("/secret", body=page())
    port = web.port
    refused = [
        f"http://127.0.0.1:{port}/secret",  # loopback (nothing allowed here)
        f"http://localhost:{port}/secret",  # a name resolving to loopback
        f"http://2130706433:{port}/secret",  # 127.0.0.1 written as one number
        f"http://0x7f.1:{port}/secret",  # ... and in hex
        f"http://[::1]:{port}/secret",
        f"http://[::ffff:127.0.0.1]:{port}/secret",  # IPv4-mapped IPv6
        f"http://0.0.0.0:{port}/secret",
        "http://10.1.2.3/",
        "http://172.16.0.1/",
        "http://192.168.1.1/",
        "http://100.64.0.1/",
        "http://169.254.169.254/",
        "http://[fe80::1]/",
        "http://[fd00::1]/",
        "http://224.0.0.1/",
        "http://240.0.0.1/",
        "http://[2002:7f00:1::1]/",
        "http://[64:ff9b::a00:1]/",
    ]
    with Fetcher(FetchConfig(total_timeout=2.0)) as fetcher:
        for url in refused:
            with pytest.raises(AddressRefused):
                fetcher.get(url)
    assert web.requests == []  # nothing reached the server


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "ftp://example.org/x",
        "gopher://x/",
        "javascript:alert(1)",
        "http://",
        "not a url",
    ],
)
def test_only_http_and_https(url):
    with Fetcher(FetchConfig()) as fetcher, pytest.raises(FetchError):
        fetcher.get(url)


def test_an_unknown_host_is_one_line(monkeypatch):
    def no_such_host(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_such_host)
    with Fetcher(FetchConfig()) as fetcher, pytest.raises(PageUnavailable, match="找不到"):
        fetcher.get("http://news.invalid/")


def test_every_resolved_address_must_be_public(monkeypatch):
    # One public and one private answer: refused (the private one could be the one used).
    def mixed(host, port, *args, **kwargs):
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port)),
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.5", port)),
        ]

    monkeypatch.setattr(socket, "getaddrinfo", mixed)
    with Fetcher(FetchConfig()) as fetcher, pytest.raises(AddressRefused, match="10.0.0.5"):
        fetcher.get("http://news.example/")


def test_address_problem_classifies():
    import ipaddress as ip

    assert address_problem(ip.ip_address("93.184.216.34")) is None
    assert address_problem(ip.ip_address("2606:4700::1111")) is None
    assert address_problem(ip.ip_address("127.9.9.9")) == "loopback"
    assert address_problem(ip.ip_address("169.254.1.1")) == "link-local"
    assert address_problem(ip.ip_address("100.100.1.1")) is not None
    assert address_problem(ip.ip_address("::ffff:10.0.0.1")) is not None


def test_a_network_in_allow_hosts_allows_it(web):
    web.route("/p", body=page())
    with Fetcher(FetchConfig(allow_hosts=["127.0.0.0/8"])) as fetcher:
        assert fetcher.get(web.url("/p")).status == 200


def test_a_host_name_in_allow_hosts_allows_it_and_is_sent_as_host(web):
    web.route("/p", body=page())
    with Fetcher(FetchConfig(allow_hosts=["localhost"])) as fetcher:
        fetched = fetcher.get(f"http://localhost:{web.port}/p")
    assert fetched.status == 200
    assert web.requests[-1][1]["host"] == f"localhost:{web.port}"


def test_is_link():
    assert is_link(" https://news.example/a/1.html ")
    assert not is_link("see https://news.example/a/1.html")
    assert not is_link("ftp://x")


@pytest.fixture
def tls_web(tmp_path):
    """An HTTPS LocalWeb whose self-signed certificate names only ``localhost``."""
    import shutil
    import ssl
    import subprocess

    from localweb import LocalWeb

    if shutil.which("openssl") is None:
        pytest.skip("needs the openssl command to make a certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=DNS:localhost",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_context.load_cert_chain(cert, key)
    server = LocalWeb(tls=server_context).start()
    client_context = ssl.create_default_context(cafile=str(cert))
    yield server, client_context
    server.stop()


def test_https_goes_to_the_checked_address_with_the_name_as_sni(tls_web):
    server, trust = tls_web
    server.route("/p", body=page())
    config = FetchConfig(allow_hosts=["localhost"], total_timeout=5.0)
    with Fetcher(config, verify=trust) as fetcher:
        # The connection goes to the resolved 127.0.0.1, yet the certificate (for localhost)
        # is verified against the name: SNI and Host carry it.
        article = fetch_article(f"https://localhost:{server.port}/p", fetcher)
    assert article.title == "两江新区发布新政策"
    assert server.requests[-1][1]["host"] == f"localhost:{server.port}"
    # By IP the certificate does not match: the verification is real, not switched off.
    with (
        Fetcher(FetchConfig(allow_hosts=["127.0.0.1"]), verify=trust) as fetcher,
        pytest.raises(PageUnavailable),
    ):
        fetcher.get(f"https://127.0.0.1:{server.port}/p")


def test_a_hung_name_lookup_is_bounded_by_the_connect_timeout(monkeypatch):
    real = socket.getaddrinfo

    def hung(host, *args, **kwargs):
        if host == "slow-dns.example":
            time.sleep(1.5)
            raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", hung)
    with Fetcher(FetchConfig(connect_timeout=0.2)) as fetcher:
        started = time.monotonic()
        with pytest.raises(PageUnavailable, match="域名解析超时"):
            fetcher.get("http://slow-dns.example/")
        assert time.monotonic() - started < 1.0


@pytest.mark.parametrize("encoding", ["utf-8", "gb18030"])
def test_a_fetched_page_parses_exactly_as_the_same_file(web, fetcher, tmp_path, encoding):
    from bot.ingest.parsing import parse_file

    body = page("gbk" if encoding == "gb18030" else "utf-8", encoding)
    web.route("/same.html", body=body, content_type="text/html")
    fetched = fetch_article(web.url("/same.html"), fetcher)
    path = tmp_path / "same.html"
    path.write_bytes(body)
    [from_file] = parse_file(path)
    assert fetched.url == web.url("/same.html") and from_file.url is None
    for name in ("id", "title", "source", "reporters", "date", "paragraphs"):
        assert getattr(fetched, name) == getattr(from_file, name), name
