"""config.yaml validation: every problem is one line naming the key at fault."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import Config, Secrets, load_config, parse_config
from bot.errors import ConfigError

REPO = Path(__file__).resolve().parent.parent


def test_committed_config_is_valid_and_resolves_paths_against_its_folder():
    config = load_config(REPO / "config.yaml")
    assert config.retrieval.top_k >= 1
    assert config.answers.max_per_article == 2
    assert config.corpus_paths == [REPO / "corpus"]
    assert config.data_path == REPO / "data"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("retrieval: {top_k: 0}", "config.yaml: retrieval.top_k: must be an integer >= 1"),
        ("retrieval: {top_k: five}", "config.yaml: retrieval.top_k: must be an integer >= 1"),
        ("retrieval: {top_k: true}", "config.yaml: retrieval.top_k: must be an integer >= 1"),
        (
            "answers: {duplicate_similarity: 2}",
            "config.yaml: answers.duplicate_similarity: must be a number between 0 and 1",
        ),
        (
            "telegram: {mode: carrier-pigeon}",
            "config.yaml: telegram.mode: must be one of polling, webhook",
        ),
        (
            "telegram: {webhook: {port: 70000}}",
            "config.yaml: telegram.webhook.port: must be a port number between 1 and 65535",
        ),
        (
            "telegram: {owners: [alice]}",
            "config.yaml: telegram.owners: must be a list of integers (Telegram user ids)",
        ),
        (
            "corpus: {paths: corpus}",
            "config.yaml: corpus.paths: must be a list of non-empty strings",
        ),
        ("retrieval: 5", "config.yaml: retrieval: must be a mapping"),
        ("retrieval: {min_score: .nan}", "config.yaml: retrieval.min_score: must be a number >= 0"),
        ("retrieval: {min_score: .inf}", "config.yaml: retrieval.min_score: must be a number >= 0"),
        (
            "answers: {duplicate_similarity: .nan}",
            "config.yaml: answers.duplicate_similarity: must be a number between 0 and 1",
        ),
        (
            "telegram: {mode: webhook}",
            "config.yaml: telegram.webhook.public_url: is required when telegram.mode is webhook",
        ),
        ("- just\n- a list", "config.yaml: must be a mapping of settings at the top level"),
        ("retrieval: {top_k: [", "config.yaml: not valid YAML at line 1"),
    ],
)
def test_bad_values_name_the_key(text, message):
    with pytest.raises(ConfigError) as caught:
        parse_config(text)
    assert str(caught.value) == message
    assert "\n" not in str(caught.value)


def test_unknown_key_is_named_with_its_path():
    with pytest.raises(ConfigError) as caught:
        parse_config("retrieval: {topk: 3}")
    assert str(caught.value).startswith("config.yaml: retrieval.topk: unknown key")
    assert caught.value.key == "retrieval.topk"


@pytest.mark.parametrize("text", ["token: 123:abc", "telegram: {bot_token: 123:abc}"])
def test_secrets_are_refused_in_the_file(text):
    with pytest.raises(ConfigError, match="secrets do not belong in the config file"):
        parse_config(text)


def test_empty_file_gives_defaults():
    assert parse_config("") == Config()


def test_integers_are_accepted_for_float_settings():
    config = parse_config("retrieval: {min_score: 2}")
    assert config.retrieval.min_score == 2.0 and isinstance(config.retrieval.min_score, float)


def test_missing_explicit_file_is_one_line(tmp_path):
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path / "nope.yaml")
    assert str(caught.value) == f"{tmp_path / 'nope.yaml'}: file not found"


def test_undecodable_file_is_one_line(tmp_path):
    path = tmp_path / "config.yaml"
    path.write_bytes(b"\xff\xfe\x00garbage\x80")
    with pytest.raises(ConfigError, match="cannot be read"):
        load_config(path)


def test_secrets_come_from_the_environment_only():
    secrets = Secrets.from_env(
        {"TELEGRAM_BOT_TOKEN": "1:x", "TELEGRAM_API_BASE_URL": "http://127.0.0.1:9/bot"}
    )
    assert secrets.bot_token == "1:x"
    assert secrets.api_base_url == "http://127.0.0.1:9/bot"
    assert secrets.webhook_secret is None
    assert Secrets.from_env({}).bot_token is None


@pytest.mark.parametrize(
    "text, message",
    [
        (
            "fetch: {allow_hosts: ['a b']}",
            "fetch.allow_hosts: 'a b' is neither a host name nor a network",
        ),
        ("fetch: {allow_hosts: [10.0.0.0/33]}", "fetch.allow_hosts: '10.0.0.0/33' is neither"),
        ("fetch: {allow_hosts: 127.0.0.1}", "fetch.allow_hosts: must be a list of host names"),
        ("fetch: {max_bytes: 0}", "fetch.max_bytes: must be an integer >= 1"),
        ("fetch: {total_timeout: .nan}", "fetch.total_timeout: must be a number"),
        ("feeds: {jitter: 2}", "feeds.jitter: must be a number between 0 and 1"),
        ("feeds: {concurrency: 0}", "feeds.concurrency: must be an integer >= 1"),
    ],
)
def test_fetch_and_feeds_values_are_checked(text, message):
    with pytest.raises(ConfigError) as caught:
        parse_config(text)
    assert message in str(caught.value)


def test_allow_hosts_takes_names_and_networks():
    config = parse_config("fetch: {allow_hosts: [news.internal, 10.20.0.0/16, '::1']}")
    assert config.fetch.allow_hosts == ["news.internal", "10.20.0.0/16", "::1"]
    assert Config().fetch.allow_hosts == [] and Config().feeds.interval_minutes == 30
