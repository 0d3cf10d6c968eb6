"""The docs are checked against the code: every command the README lists exists in the CLI and
every CLI command is listed; every config key the README or DESIGN names exists in
``bot/config.py`` and every key there is documented in the README's configuration table."""

from __future__ import annotations

import argparse
import dataclasses
import re
from pathlib import Path

from bot.cli import build_parser
from bot.config import Config

REPO = Path(__file__).resolve().parents[1]
README = (REPO / "README.md").read_text(encoding="utf-8")
DESIGN = (REPO / "docs" / "DESIGN.md").read_text(encoding="utf-8")


def config_keys(instance: object = None, prefix: str = "") -> set[str]:
    """Every leaf key of the config, dotted (``telegram.limits.window_seconds``)."""
    instance = Config() if instance is None else instance
    keys: set[str] = set()
    for field in dataclasses.fields(instance):  # type: ignore[arg-type]
        if field.name == "base_dir":  # set from the file's location, not a key
            continue
        value = getattr(instance, field.name)
        if dataclasses.is_dataclass(value):
            keys |= config_keys(value, f"{prefix}{field.name}.")
        else:
            keys.add(prefix + field.name)
    return keys


def sections(cls: type = Config, prefix: str = "") -> set[str]:
    """The dotted names of the config's sections (``telegram``, ``telegram.limits``)."""
    found: set[str] = set()
    instance = cls()
    for field in dataclasses.fields(cls):
        value = getattr(instance, field.name)
        if dataclasses.is_dataclass(value):
            found.add(prefix + field.name)
            found |= sections(type(value), f"{prefix}{field.name}.")
    return found


def named_keys(text: str) -> set[str]:
    """Dotted names in backticks whose first part is a config section: ``retrieval.top_k``."""
    tops = {s for s in sections() if "." not in s}
    names = set(re.findall(r"`([a-z_]+(?:\.[a-z_]+)+)`", text))
    files = {"jsonl", "json", "txt", "yaml", "md", "html", "py", "sqlite3", "opml"}
    return {n for n in names if n.split(".")[0] in tops and n.split(".")[-1] not in files}


def cli_commands() -> set[str]:
    parser = build_parser()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return set(action.choices)
    raise AssertionError("the CLI has no subcommands")


def readme_table_commands() -> list[str]:
    """The first word of every row of the README's "Command line" table."""
    section = README.split("## Command line", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^\| `([a-z][a-z-]*)[ `]", section, flags=re.M)


def test_config_walk_finds_nested_keys():
    keys = config_keys()
    assert "telegram.limits.window_seconds" in keys and "retrieval.top_k" in keys
    assert "data_dir" in keys and "telegram" not in keys


def test_every_key_the_docs_name_exists_in_the_config():
    known = config_keys() | sections()
    for name, text in (("README.md", README), ("docs/DESIGN.md", DESIGN)):
        unknown = sorted(named_keys(text) - known)
        assert not unknown, f"{name} names config keys that bot/config.py does not have: {unknown}"


def test_every_config_key_is_documented_in_the_readme():
    table = README.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"^\| `([a-z_.]+)` \|", table, flags=re.M))
    missing = sorted(config_keys() - documented)
    assert not missing, f"README's configuration table lacks: {missing}"
    stale = sorted(documented - config_keys())
    assert not stale, f"README's configuration table documents keys that do not exist: {stale}"


def test_every_readme_command_exists_and_every_command_is_in_the_readme():
    listed = readme_table_commands()
    assert listed, "the README's command table was not found"
    commands = cli_commands()
    assert not sorted(set(listed) - commands), (
        f"README lists unknown commands: {set(listed) - commands}"
    )
    assert not sorted(commands - set(listed)), f"README omits commands: {commands - set(listed)}"
