"""config.yaml: loaded once at start-up, validated, turned into frozen dataclasses.

Every problem is reported as one ``ConfigError`` line naming the key at fault, e.g.
``config.yaml: retrieval.top_k: must be an integer >= 1``. Secrets never live here: the bot
token and the webhook secret come from the environment only (see ``Secrets``).
"""

from __future__ import annotations

import ipaddress
import math
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field, fields, is_dataclass
from pathlib import Path
from typing import Any, cast, get_type_hints

import yaml

from .errors import ConfigError

DEFAULT_CONFIG_PATH = Path("config.yaml")


def _int_at_least(low: int) -> Callable[[Any], str | None]:
    def check(value: Any) -> str | None:
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            return f"must be an integer >= {low}"
        return None

    return check


def _number_at_least(low: float) -> Callable[[Any], str | None]:
    def check(value: Any) -> str | None:
        if (
            isinstance(value, bool)
            or not isinstance(value, (int, float))
            or not math.isfinite(value)
            or value < low
        ):
            return f"must be a number >= {low}"
        return None

    return check


def _fraction(value: Any) -> str | None:
    # NaN fails the comparison too.
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
        return "must be a number between 0 and 1"
    return None


def _string(value: Any) -> str | None:
    return None if isinstance(value, str) and value.strip() else "must be a non-empty string"


def _optional_string(value: Any) -> str | None:
    return None if value is None else _string(value)


def _boolean(value: Any) -> str | None:
    return None if isinstance(value, bool) else "must be true or false"


def _string_list(value: Any) -> str | None:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        return "must be a list of non-empty strings"
    return None


def _int_list(value: Any) -> str | None:
    if not isinstance(value, list) or not all(
        isinstance(v, int) and not isinstance(v, bool) for v in value
    ):
        return "must be a list of integers (Telegram user ids)"
    return None


def _one_of(*choices: str) -> Callable[[Any], str | None]:
    def check(value: Any) -> str | None:
        return None if value in choices else "must be one of " + ", ".join(choices)

    return check


def _port(value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 65535:
        return "must be a port number between 1 and 65535"
    return None


def _url_path(value: Any) -> str | None:
    if not isinstance(value, str) or not value.strip("/"):
        return "must be a non-empty URL path"
    return None


def _http_url_or_null(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.startswith(("http://", "https://")):
        return "must be an http:// or https:// URL, or null"
    return None


def setting(default: Any, check: Callable[[Any], str | None]) -> Any:
    """A config leaf: its default and the check its value must pass."""
    if isinstance(default, list):
        return field(default_factory=lambda: list(default), metadata={"check": check})
    return field(default=default, metadata={"check": check})


@dataclass(frozen=True)
class CorpusConfig:
    # Files or folders ingested as the shared corpus, relative to the config file.
    paths: list[str] = setting(["corpus"], _string_list)


@dataclass(frozen=True)
class SegmentationConfig:
    # Words jieba would split wrongly (names of people, places, organisations).
    user_words: list[str] = setting([], _string_list)
    # Optional jieba user-dictionary file (one "word [freq] [tag]" a line).
    user_dict_file: str | None = setting(None, _optional_string)
    # Extra stopwords on top of the built-in list.
    extra_stopwords: list[str] = setting([], _string_list)


@dataclass(frozen=True)
class RetrievalConfig:
    top_k: int = setting(5, _int_at_least(1))
    # Paragraphs scoring below this raw BM25 score are never considered (0: no floor; the
    # confidence below is what decides, as raw scores grow with the corpus).
    min_score: float = setting(0.0, _number_at_least(0))
    # Answers below this confidence (0-1, bot/answers/confidence.py) are not shown: the
    # reader gets "not found" instead. Calibration curve: bench/README.md.
    min_confidence: float = setting(0.3, _fraction)


@dataclass(frozen=True)
class AnswersConfig:
    max_per_article: int = setting(2, _int_at_least(1))
    per_message: int = setting(3, _int_at_least(1))
    # Longest excerpt shown, in characters; the best sentences are kept whole.
    excerpt_chars: int = setting(220, _int_at_least(40))
    # Two paragraphs whose character-shingle overlap exceeds this are the same story.
    duplicate_similarity: float = setting(0.8, _fraction)


@dataclass(frozen=True)
class WebhookConfig:
    listen: str = setting("127.0.0.1", _string)
    port: int = setting(8443, _port)
    path: str = setting("telegram", _url_path)
    # The https URL Telegram posts to; required in webhook mode.
    public_url: str | None = setting(None, _http_url_or_null)


@dataclass(frozen=True)
class LimitsConfig:
    max_document_bytes: int = setting(2_000_000, _int_at_least(1))
    max_question_chars: int = setting(300, _int_at_least(1))
    max_articles_per_chat: int = setting(500, _int_at_least(1))
    # Per-user question budget: this many questions per window.
    questions_per_window: int = setting(10, _int_at_least(1))
    window_seconds: int = setting(60, _int_at_least(1))
    # Storage quotas (UTF-8 bytes of article text and metadata as stored): all of one chat's
    # articles, and what one person may add (in all chats) per UTC day.
    max_bytes_per_chat: int = setting(20_000_000, _int_at_least(1))
    max_upload_bytes_per_user_per_day: int = setting(10_000_000, _int_at_least(1))


@dataclass(frozen=True)
class TelegramConfig:
    mode: str = setting("polling", _one_of("polling", "webhook"))
    # Another Bot API server (self-hosted telegram-bot-api, or a stand-in in tests).
    # TELEGRAM_API_BASE_URL / TELEGRAM_API_FILE_URL in the environment win over these.
    api_base_url: str | None = setting(None, _http_url_or_null)
    api_file_url: str | None = setting(None, _http_url_or_null)
    # Telegram user ids allowed to administer the bot in any chat.
    owners: list[int] = setting([], _int_list)
    # Interface language when a user's language_code does not say: zh-hans, zh-hant or en.
    default_language: str = setting("zh-hans", _one_of("zh-hans", "zh-hant", "en"))
    # How long a getChatMember answer is trusted, in seconds.
    admin_cache_seconds: int = setting(60, _int_at_least(0))
    webhook: WebhookConfig = field(default_factory=WebhookConfig)
    limits: LimitsConfig = field(default_factory=LimitsConfig)


_HOST_NAME = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$")


def _host_or_network_list(value: Any) -> str | None:
    if _string_list(value):
        return "must be a list of host names or networks (example.org, 10.0.0.0/8)"
    for entry in value:
        try:
            ipaddress.ip_network(entry.strip(), strict=False)
        except ValueError:
            if not _HOST_NAME.match(entry.strip()):
                return f"{entry!r} is neither a host name nor a network (10.0.0.0/8)"
    return None


@dataclass(frozen=True)
class FetchConfig:
    # Hosts (exact names) or networks (IP or CIDR) the bot may fetch from although they are
    # loopback/private/reserved; empty: only public addresses.
    allow_hosts: list[str] = setting([], _host_or_network_list)
    connect_timeout: float = setting(5.0, _number_at_least(0.01))
    # Whole fetch (every redirect, the body) must finish within this many seconds.
    total_timeout: float = setting(20.0, _number_at_least(0.01))
    max_bytes: int = setting(5_000_000, _int_at_least(1))
    max_redirects: int = setting(5, _int_at_least(0))
    user_agent: str = setting(
        "newsquote-bot/0.1 (news quotes with credit; fetches links and feeds its admins give it)",
        _string,
    )


@dataclass(frozen=True)
class FeedsConfig:
    interval_minutes: int = setting(30, _int_at_least(1))
    # No feed is polled more often than this, whatever it asks.
    min_interval_minutes: int = setting(5, _int_at_least(1))
    # Each next poll moves by up to this share of the interval, so feeds do not poll in step.
    jitter: float = setting(0.1, _fraction)
    # Requests in flight at once over all feeds (one at a time per host regardless).
    concurrency: int = setting(4, _int_at_least(1))
    pause_after_failures: int = setting(10, _int_at_least(1))
    # Items whose own text is shorter than summary_chars get their linked page fetched.
    fetch_pages: bool = setting(True, _boolean)
    summary_chars: int = setting(200, _int_at_least(0))
    max_per_chat: int = setting(20, _int_at_least(1))
    # Articles kept per feed; the oldest are removed first (also when a chat's quota is full).
    max_items_per_feed: int = setting(200, _int_at_least(1))
    # Item keys remembered per feed for de-duplication (oldest forgotten first).
    remember_items: int = setting(2000, _int_at_least(10))


@dataclass(frozen=True)
class Config:
    corpus: CorpusConfig = field(default_factory=CorpusConfig)
    # Index files and the SQLite article store, relative to the config file.
    data_dir: str = setting("data", _string)
    log_level: str = setting("INFO", _one_of("DEBUG", "INFO", "WARNING", "ERROR"))
    segmentation: SegmentationConfig = field(default_factory=SegmentationConfig)
    retrieval: RetrievalConfig = field(default_factory=RetrievalConfig)
    answers: AnswersConfig = field(default_factory=AnswersConfig)
    telegram: TelegramConfig = field(default_factory=TelegramConfig)
    fetch: FetchConfig = field(default_factory=FetchConfig)
    feeds: FeedsConfig = field(default_factory=FeedsConfig)
    # Folder the relative paths above are resolved against (the config file's folder).
    base_dir: Path = field(default=Path("."), compare=False)

    def resolve(self, relative: str) -> Path:
        path = Path(relative).expanduser()
        return path if path.is_absolute() else self.base_dir / path

    @property
    def data_path(self) -> Path:
        return self.resolve(self.data_dir)

    @property
    def corpus_paths(self) -> list[Path]:
        return [self.resolve(p) for p in self.corpus.paths]


def _build(cls: type, raw: Any, prefix: str, path: str) -> Any:
    """Turn a mapping into ``cls``, checking every key; errors name the dotted key."""
    where = prefix.rstrip(".") or None
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise ConfigError("must be a mapping", key=where, path=path)
    hints = get_type_hints(cls)
    known = {f.name: f for f in fields(cls) if f.name != "base_dir"}
    for key in raw:
        if key not in known:
            raise ConfigError(
                "unknown key (known: " + ", ".join(sorted(known)) + ")",
                key=f"{prefix}{key}",
                path=path,
            )
    values: dict[str, Any] = {}
    for name, spec in known.items():
        if name not in raw:
            continue
        value = raw[name]
        hint = hints[name]
        if is_dataclass(hint):
            values[name] = _build(cast(type, hint), value, f"{prefix}{name}.", path)
            continue
        problem = spec.metadata["check"](value)
        if problem:
            raise ConfigError(problem, key=f"{prefix}{name}", path=path)
        if isinstance(value, int) and not isinstance(value, bool) and hint is float:
            value = float(value)
        values[name] = value
    return cls(**values)


def parse_config(text: str, *, path: str = "config.yaml", base_dir: Path | None = None) -> Config:
    """Validate YAML text as a config; raises ``ConfigError`` naming the key at fault."""
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise ConfigError(f"not valid YAML{where}", path=path) from None
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise ConfigError("must be a mapping of settings at the top level", path=path)
    for secret in ("token", "bot_token", "secret_token"):
        if secret in raw or secret in (
            raw.get("telegram") or {} if isinstance(raw.get("telegram"), dict) else {}
        ):
            raise ConfigError(
                "secrets do not belong in the config file; set TELEGRAM_BOT_TOKEN / "
                "TELEGRAM_WEBHOOK_SECRET in the environment",
                key=secret,
                path=path,
            )
    config = _build(Config, raw, "", path)
    if config.telegram.mode == "webhook" and not config.telegram.webhook.public_url:
        raise ConfigError(
            "is required when telegram.mode is webhook",
            key="telegram.webhook.public_url",
            path=path,
        )
    return _with_base(config, base_dir or Path("."))


def _with_base(config: Config, base_dir: Path) -> Config:
    object.__setattr__(config, "base_dir", base_dir)
    return config


def load_config(path: str | os.PathLike[str] | None = None) -> Config:
    """Load and validate a config file. ``None`` means ./config.yaml, or defaults if absent."""
    explicit = path is not None
    file = Path(path) if path is not None else DEFAULT_CONFIG_PATH
    if not file.exists():
        if explicit:
            raise ConfigError("file not found", path=str(file))
        return _with_base(Config(), Path("."))
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot be read ({exc.__class__.__name__})", path=str(file)) from None
    return parse_config(text, path=str(file), base_dir=file.resolve().parent)


@dataclass(frozen=True)
class Secrets:
    """What only the environment may hold."""

    bot_token: str | None
    webhook_secret: str | None
    api_base_url: str | None
    api_file_url: str | None

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Secrets:
        env = dict(os.environ) if env is None else env
        return cls(
            bot_token=env.get("TELEGRAM_BOT_TOKEN") or None,
            webhook_secret=env.get("TELEGRAM_WEBHOOK_SECRET") or None,
            api_base_url=env.get("TELEGRAM_API_BASE_URL") or None,
            api_file_url=env.get("TELEGRAM_API_FILE_URL") or None,
        )
