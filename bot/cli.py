"""Command line: parses arguments, calls the library, turns BotError into one line.

    python -m bot parse FILE... [--json]
    python -m bot ask "QUESTION" [--top N] [--per-article M] [--json]
    python -m bot search --corpus CORPUS.jsonl --queries QUERIES.jsonl [--top K]
    python -m bot eval --squad FILE.json [FILE2.json ...]
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
from pathlib import Path
from typing import Sequence, TextIO

from .config import Config, Secrets, load_config
from .errors import ArticleError, BotError

log = logging.getLogger("bot")


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
        lines.append("contributors: " + "、".join(f"{c.name}（{c.role}）" for c in article.contributors))
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


def cmd_ask(args: argparse.Namespace, config: Config, out: TextIO) -> int:
    from .library import Library
    from .answers.render import render_plain

    with Library.open(config) as library:
        for problem in library.problems:
            print(f"warning: {problem}", file=sys.stderr)
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
    from .evaluation import evaluate_squad
    from .search.segment import Segmenter

    segmenter = Segmenter.from_config(config.segmentation, base_dir=config.base_dir)
    report = evaluate_squad([Path(p) for p in args.squad], segmenter=segmenter,
                            convert_contexts_to_simplified=args.contexts_to_simplified)
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
    from .store import ArticleStore

    articles = ArticleStore.backup(config.data_path / STORE_FILE, Path(args.destination))
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

    p = commands.add_parser("ask", help="answer a question from the corpus")
    p.add_argument("question")
    p.add_argument("--top", type=_positive_int, help="most quotes returned")
    p.add_argument("--per-article", type=_positive_int, help="most quotes from one article")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_ask)

    p = commands.add_parser("search", help="batch ranking for evaluation (JSONL in, JSONL out)")
    p.add_argument("--corpus", required=True, metavar="CORPUS.jsonl")
    p.add_argument("--queries", required=True, metavar="QUERIES.jsonl")
    p.add_argument("--top", type=_positive_int, default=10)
    p.set_defaults(handler=cmd_search)

    p = commands.add_parser("eval", help="recall@1/3/5 and MRR@10 on SQuAD-style files")
    p.add_argument("--squad", required=True, nargs="+", metavar="FILE.json")
    p.add_argument("--contexts-to-simplified", action="store_true",
                   help="convert the contexts (not the questions) to simplified characters first, "
                        "to measure traditional questions against a simplified corpus")
    p.set_defaults(handler=cmd_eval)

    p = commands.add_parser("check", help="health of the data directory: store integrity, index, "
                            "writability (read-only; safe while the bot runs)")
    p.set_defaults(handler=cmd_check)

    p = commands.add_parser("backup", help="consistent copy of the article store (safe while the bot runs)")
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
        logging.basicConfig(level=level, stream=sys.stderr,
                            format="%(asctime)s %(levelname)s %(name)s: %(message)s")
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
