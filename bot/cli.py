"""Command line: parses arguments, calls the library, turns BotError into one line.

python -m bot parse FILE... [--json]
python -m bot add URL|FILE... [--scope shared|chat:ID] [--json]
python -m bot feeds add URL [--scope S] | list [--json] | poll [--force] [--json] | remove ID
python -m bot ask "QUESTION" [--top N] [--per-article M] [--json]
python -m bot ask --questions Q.jsonl --json
python -m bot search --corpus CORPUS.jsonl --queries QUERIES.jsonl [--top K]
python -m bot eval --squad FILE.json [FILE2.json ...] [--chunk N]
python -m bot eval --relevance DIR
python -m bot check
python -m bot backup FILE.sqlite3
python -m bot run
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from .config import Config, Secrets, load_config
from .errors import ArticleError, BotError

# Lone surrogates stand for undecodable bytes of a file name or an argument
# (surrogateescape); written as they are, they would reach stdout as raw, invalid UTF-8.
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _escaped(text: str) -> str:
    return _LONE_SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _print_json(obj: object, out: TextIO) -> None:
    """One JSON line, always valid UTF-8 (undecodable bytes appear as ``\\udcXX``)."""
    out.write(_escaped(json.dumps(obj, ensure_ascii=False)) + "\n")


# Files named on the command line are the operator's own, so far larger than a Telegram upload
# may be; the bound only stops a mistyped path to a disk image or a database dump.
MAX_LOCAL_FILE_BYTES = 100_000_000


def cmd_parse(args: argparse.Namespace, config: Config, out: TextIO) -> int:
    from .ingest.parsing import parse_file

    status = 0
    for name in args.files:
        try:
            articles = parse_file(Path(name), max_bytes=MAX_LOCAL_FILE_BYTES)
        except ArticleError as exc:
            print(f"error: {exc}", file=sys.stderr)
            status = 1
            continue
        for article in articles:
            if args.json:
                _print_json(article.to_json(), out)
            else:
                out.write(_escaped(_describe(article)) + "\n")
    return status


def _describe(article) -> str:  # type: ignore[no-untyped-def]
    lines = [
        f"id:           {article.id}",
        f"title:        {article.title or '-'}",
        f"source:       {article.source or '-'}",
        f"reporters:    {'、'.join(article.reporters) or '-'}",
    ]
    if article.contributors:
        lines.append(
            "contributors: " + "、".join(f"{c.name}（{c.role}）" for c in article.contributors)
        )
    if article.editors:
        lines.append(f"editors:      {'、'.join(article.editors)}")
    if article.photographers:
        lines.append(f"photographers:{'、'.join(article.photographers)}")
    lines += [
        f"date:         {article.date or article.date_text or '-'}",
        f"url:          {article.url or '-'}",
        f"section:      {article.section or '-'}",
        "",
    ]
    for p in article.paragraphs:
        marker = "##" if p.kind == "heading" else "  "
        lines.append(f"{marker} [{p.id}] {p.text}")
    return "\n".join(lines) + "\n"


def _scope(text: str) -> str:
    from .models import SHARED_SCOPE

    if text == SHARED_SCOPE:
        return text
    kind, _, chat_id = text.partition(":")
    if kind != "chat" or not chat_id.lstrip("-").isdigit():
        raise argparse.ArgumentTypeError(f"must be 'shared' or 'chat:<chat id>', not {text!r}")
    return f"chat:{int(chat_id)}"


def cmd_add(args: argparse.Namespace, config: Config, out: TextIO) -> int:
    """Store (and index) the articles of links and files; one line per article or failure."""
    from .errors import FetchError
    from .ingest.fetch import Fetcher, fetch_article, is_link
    from .ingest.parsing import parse_file
    from .library import Library

    status = 0
    with Library.open(config) as library, Fetcher(config.fetch) as fetcher:
        for item in args.items:
            try:
                if is_link(item):
                    articles = [fetch_article(item.strip(), fetcher)]
                else:
                    articles = parse_file(Path(item), max_bytes=MAX_LOCAL_FILE_BYTES)
                for article in articles:
                    stored = library.add_article(article, args.scope)
                    if args.json:
                        _print_json(stored.to_json(), out)
                    else:
                        out.write(f"added {stored.id}: {stored.title or '-'}\n")
            except (ArticleError, FetchError) as exc:
                print(f"error: {exc}", file=sys.stderr)
                status = 1
    return status


def _feed_line(feed) -> str:  # type: ignore[no-untyped-def]
    state = (
        f"paused: {feed.paused}"
        if feed.paused
        else (f"failing ({feed.failures}): {feed.last_error}" if feed.failures else "ok")
    )
    return (
        f"{feed.id}\t{feed.scope}\t{feed.interval // 60} min\t{state}\t"
        f"{feed.title or '-'}\t{feed.url}"
    )


def cmd_feeds(args: argparse.Namespace, config: Config, out: TextIO) -> int:
    """feeds add / list / poll / remove: the feed poller without Telegram."""
    from .errors import FeedError, FetchError
    from .feeds import FeedPoller
    from .library import Library

    with Library.open(config) as library, FeedPoller(library) as poller:
        if args.feeds_command == "add":
            try:
                result = poller.follow(
                    args.url,
                    args.scope,
                    interval_minutes=args.interval,
                    fetch_pages=False if args.no_pages else None,
                )
            except (FetchError, FeedError) as exc:
                print(f"error: {exc}", file=sys.stderr)
                return 1
            if result.error:
                print(f"error: {result.error}", file=sys.stderr)
                return 1
            out.write(
                f"following feed {result.feed.id}: {result.feed.title or result.feed.url} "
                f"({len(result.added)} articles stored)\n"
            )
        elif args.feeds_command == "list":
            for feed in poller.list_feeds():
                if args.json:
                    _print_json(feed.to_json(), out)
                else:
                    out.write(_feed_line(feed) + "\n")
        elif args.feeds_command == "poll":
            status = 0
            for result in poller.poll_due(force=args.force):
                if result.error:
                    status = 1
                    print(f"error: feed {result.feed.id}: {result.error}", file=sys.stderr)
                for article in result.added:
                    if args.json:
                        _print_json({**article.to_json(), "feed": result.feed.id}, out)
                    else:
                        out.write(
                            f"feed {result.feed.id}: added {article.id}: {article.title or '-'}\n"
                        )
            return status
        elif args.feeds_command == "remove":
            if not poller.unfollow(args.feed_id):
                print(f"error: no feed with id {args.feed_id}", file=sys.stderr)
                return 1
            out.write(f"stopped following feed {args.feed_id} (its articles stay)\n")
    return 0


def cmd_ask(args: argparse.Namespace, config: Config, out: TextIO) -> int:
    from .answers.render import render_plain
    from .library import Library

    if (args.question is None) == (args.questions is None):
        raise BotError("give either a QUESTION or --questions FILE.jsonl")
    with Library.open(config) as library:
        for problem in library.problems:
            print(f"warning: {problem}", file=sys.stderr)
        if args.questions is not None:
            from .evaluation import answer_batch

            for row in answer_batch(
                library, Path(args.questions), top=args.top, per_article=args.per_article
            ):
                _print_json(row, out)
            return 0
        answers = library.ask(args.question, top=args.top, per_article=args.per_article)
        if args.json:
            _print_json(answers.to_json(), out)
        else:
            out.write(render_plain(answers) + "\n")
    return 0


def cmd_search(args: argparse.Namespace, config: Config, out: TextIO) -> int:
    from .evaluation import batch_search, read_jsonl
    from .search.segment import Segmenter

    segmenter = Segmenter.from_config(config.segmentation, base_dir=config.base_dir)
    corpus = list(read_jsonl(Path(args.corpus)))
    queries = list(read_jsonl(Path(args.queries)))
    for row in batch_search(corpus, queries, segmenter=segmenter, top=args.top):
        _print_json(row, out)
    return 0


def cmd_eval(args: argparse.Namespace, config: Config, out: TextIO) -> int:
    from .evaluation import evaluate_relevance, evaluate_squad
    from .search.segment import Segmenter

    if (args.squad is None) == (args.relevance is None):
        raise BotError("give either --squad FILE.json ... or --relevance DIR")
    segmenter = Segmenter.from_config(config.segmentation, base_dir=config.base_dir)
    if args.relevance is not None:
        for line in evaluate_relevance(
            Path(args.relevance), config=config, segmenter=segmenter
        ).lines():
            out.write(line + "\n")
        return 0
    report = evaluate_squad(
        [Path(p) for p in args.squad],
        segmenter=segmenter,
        convert_contexts_to_simplified=args.contexts_to_simplified,
        chunk=args.chunk,
    )
    for line in report.lines():
        out.write(line + "\n")
    return 0


def cmd_check(args: argparse.Namespace, config: Config, out: TextIO) -> int:
    from .library import check_data

    ok, lines = check_data(config)
    for line in lines:
        out.write(line + "\n")
    return 0 if ok else 1


def cmd_backup(args: argparse.Namespace, config: Config, out: TextIO) -> int:
    from .library import STORE_FILE
    from .storefiles import backup

    articles = backup(config.data_path / STORE_FILE, Path(args.destination))
    out.write(f"backed up {articles} articles to {args.destination} (integrity checked)\n")
    return 0


def cmd_run(args: argparse.Namespace, config: Config, out: TextIO) -> int:
    from .tg.app import run

    run(config, Secrets.from_env())
    return 0


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot",
        description="Answers questions about news articles by quoting them, with credit.",
    )
    parser.add_argument("--config", metavar="FILE", help="config file (default: ./config.yaml)")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = commands.add_parser("parse", help="print the parsed article(s) of files")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--json", action="store_true", help="one JSON object per article and line")
    p.set_defaults(handler=cmd_parse)

    p = commands.add_parser("add", help="store and index the articles of links and files")
    p.add_argument("items", nargs="+", metavar="URL|FILE")
    p.add_argument(
        "--scope", type=_scope, default="shared", help="shared (default) or chat:<chat id>"
    )
    p.add_argument("--json", action="store_true", help="one JSON object per stored article")
    p.set_defaults(handler=cmd_add)

    p = commands.add_parser("feeds", help="follow RSS/Atom feeds: add, list, poll, remove")
    feeds = p.add_subparsers(dest="feeds_command", required=True, metavar="ACTION")
    f = feeds.add_parser("add", help="follow a feed (its current items are stored at once)")
    f.add_argument("url")
    f.add_argument(
        "--scope", type=_scope, default="shared", help="shared (default) or chat:<chat id>"
    )
    f.add_argument(
        "--interval",
        type=_positive_int,
        metavar="MINUTES",
        help="polling interval (default feeds.interval_minutes)",
    )
    f.add_argument(
        "--no-pages",
        action="store_true",
        help="never fetch an item's page, even when the item is only a summary",
    )
    f = feeds.add_parser("list", help="every followed feed and its state")
    f.add_argument("--json", action="store_true")
    f = feeds.add_parser("poll", help="fetch every due feed once and store new items")
    f.add_argument("--force", action="store_true", help="every feed, due or not")
    f.add_argument("--json", action="store_true", help="one JSON object per new article")
    f = feeds.add_parser("remove", help="stop following a feed (its articles stay)")
    f.add_argument("feed_id", type=_positive_int, metavar="ID")
    p.set_defaults(handler=cmd_feeds)

    p = commands.add_parser(
        "ask", help="answer a question (or a JSONL file of them) from the corpus"
    )
    p.add_argument("question", nargs="?")
    p.add_argument(
        "--questions",
        metavar="Q.jsonl",
        help='one {"id", "question"} a line; prints one JSON line per question',
    )
    p.add_argument("--top", type=_positive_int, help="most quotes returned")
    p.add_argument("--per-article", type=_positive_int, help="most quotes from one article")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_ask)

    p = commands.add_parser("search", help="batch ranking for evaluation (JSONL in, JSONL out)")
    p.add_argument("--corpus", required=True, metavar="CORPUS.jsonl")
    p.add_argument("--queries", required=True, metavar="QUERIES.jsonl")
    p.add_argument("--top", type=_positive_int, default=10)
    p.set_defaults(handler=cmd_search)

    p = commands.add_parser(
        "eval",
        help="recall@1/3/5 and MRR@10 on SQuAD-style files; "
        "answer-or-silent figures on a relevance set",
    )
    p.add_argument("--squad", nargs="+", metavar="FILE.json")
    p.add_argument(
        "--chunk",
        type=_positive_int,
        metavar="N",
        help="cut contexts into ~N-character passages at sentence ends",
    )
    p.add_argument(
        "--relevance",
        metavar="DIR",
        help="corpus.jsonl + questions.jsonl (id, question, kind, gold)",
    )
    p.add_argument(
        "--contexts-to-simplified",
        action="store_true",
        help="convert the contexts (not the questions) to simplified characters first, "
        "to measure traditional questions against a simplified corpus",
    )
    p.set_defaults(handler=cmd_eval)

    p = commands.add_parser(
        "check",
        help="health of the data directory: store integrity, index, "
        "writability (read-only; safe while the bot runs)",
    )
    p.set_defaults(handler=cmd_check)

    p = commands.add_parser(
        "backup", help="consistent copy of the article store (safe while the bot runs)"
    )
    p.add_argument("destination", metavar="FILE.sqlite3")
    p.set_defaults(handler=cmd_backup)

    p = commands.add_parser("run", help="run the Telegram bot (token from TELEGRAM_BOT_TOKEN)")
    p.set_defaults(handler=cmd_run)
    return parser


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    args = build_parser().parse_args(argv)
    out = out or sys.stdout
    try:
        config = load_config(args.config)
        # Only the long-running bot reports progress; one-shot commands print just warnings.
        level = config.log_level if args.command == "run" else "WARNING"
        logging.basicConfig(
            level=level, stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
        )
        # httpx logs every request URL, and a Bot API URL carries the token.
        logging.getLogger("httpx").setLevel(logging.WARNING)
        return args.handler(args, config, out)
    except BotError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
