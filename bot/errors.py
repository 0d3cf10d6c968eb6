"""The one exception tree of the package.

Everything the library raises on purpose derives from ``BotError``; the CLI turns any
``BotError`` into one line on stderr, the Telegram layer into one polite reply. Anything
else escaping is a bug.

    BotError
    ├── ConfigError          config.yaml missing, malformed, or a key with a bad value
    ├── ArticleError         an article could not be read or parsed
    │   ├── UnreadableFile   binary, undecodable, too large, missing
    │   └── ParseError       read fine, but no article could be made of it
    ├── SearchIndexError     the search index is missing, corrupt or of another version
    ├── StoreError           the article store cannot be opened or written
    │   └── QuotaExceeded    a chat's or a person's storage quota would be exceeded
    ├── QuestionError        a question that cannot be asked (empty, too long)
    ├── FetchError           a link could not be fetched (one line naming the URL)
    │   ├── AddressRefused   not http(s), or an address the bot may not reach (SSRF guard)
    │   ├── PageUnavailable  network failure, timeout, HTTP error status, too many redirects
    │   ├── NotAPage         a content type that is no web page (or no feed)
    │   └── TooLarge         more bytes than fetch.max_bytes
    └── FeedError            a feed that cannot be read or followed (not RSS/Atom, quota)
"""

from __future__ import annotations


class BotError(Exception):
    """Base of every error the package raises deliberately."""


class ConfigError(BotError):
    """config.yaml is missing, malformed, or has a key with a bad value.

    ``key`` is the dotted path of the key at fault (``retrieval.top_k``), or None when the
    file as a whole is at fault.
    """

    def __init__(self, message: str, *, key: str | None = None, path: str | None = None):
        self.key = key
        self.path = path
        prefix = f"{path}: " if path else ""
        where = f"{key}: " if key else ""
        super().__init__(f"{prefix}{where}{message}")


class ArticleError(BotError):
    """An article could not be read or parsed. ``origin`` names the file or record."""

    def __init__(self, message: str, *, origin: str | None = None):
        self.origin = origin
        super().__init__(f"{origin}: {message}" if origin else message)


class UnreadableFile(ArticleError):
    """The bytes could not be turned into text (binary, unknown encoding, too large, missing)."""


class ParseError(ArticleError):
    """The text was read but holds no article (empty after cleaning, wrong record types)."""


class SearchIndexError(BotError):
    """The persisted search index is missing, corrupt, or was written by another version."""


class StoreError(BotError):
    """The article store cannot be opened, read or written."""


class QuotaExceeded(StoreError):
    """Storing an article would exceed a quota: ``key`` names its config key, ``limit`` and
    ``used`` are in bytes.

    A ``StoreError`` so that every path that copes with a store refusing a write (nothing
    half-stored, one line for the user) copes with this one too.
    """

    def __init__(self, message: str, *, key: str, limit: int, used: int):
        self.key = key
        self.limit = limit
        self.used = used
        super().__init__(message)


class QuestionError(BotError):
    """The question cannot be asked as given (empty, too long)."""


class FetchError(BotError):
    """A link could not be fetched; the message is one line for the user, ``url`` the link."""

    def __init__(self, message: str, *, url: str | None = None):
        self.url = url
        super().__init__(f"{message}：{url}" if url else message)


class AddressRefused(FetchError):
    """Not an http(s) link, or its host resolves to an address the bot must not reach."""


class PageUnavailable(FetchError):
    """The server could not be reached, timed out, answered an error or redirected too often."""


class NotAPage(FetchError):
    """The server answered with something that is not a web page (or not a feed)."""


class TooLarge(FetchError):
    """The page is larger than ``fetch.max_bytes``."""


class FeedError(BotError):
    """A feed cannot be read or followed (not RSS/Atom/OPML, per-chat quota, unknown id)."""
