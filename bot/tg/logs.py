"""Secrets never reach a log line: a filter that redacts every log record, wherever it goes.

The token is part of every Bot API URL, and it reaches log records in several spellings:
as is (``/bot123:ABC/sendMessage``), lowercased by PTB's error messages
(``/bot123:abc/getfile``), percent-encoded in file-download URLs (``/bot123%3AABC/``), and
inside exception texts and tracebacks. ``SecretRedactor`` replaces each of them,
case-insensitively, in the record itself (message, arguments, exception and stack text), so
every handler sees the redacted record. ``install_redaction`` puts it on the record factory
(records created from then on, whatever handler an operator adds later) and, as a filter, on
every handler of the root logger (records made by hand with ``makeLogRecord``).
"""

from __future__ import annotations

import logging
import re
import urllib.parse
from collections.abc import Callable, Iterable
from typing import Any

REDACTED = "<redacted>"
#: A token's secret half is redacted on its own only when it is this long (a short test value
#: such as ``TEST`` would otherwise blank out ordinary words).
MIN_SECRET_PART = 16


def secret_spellings(secret: str) -> set[str]:
    """The forms a secret takes in URLs and messages: raw, percent-encoded (once, twice)."""
    forms = {secret}
    once = urllib.parse.quote(secret, safe="")
    forms.update({once, urllib.parse.quote(once, safe="")})
    _, _, secret_part = secret.partition(":")
    if len(secret_part) >= MIN_SECRET_PART:
        forms.add(secret_part)
    return {form for form in forms if form}


class SecretRedactor(logging.Filter):
    """Redacts secrets (any case, raw or percent-encoded) from log records, in place."""

    def __init__(self, secrets: Iterable[str | None] = ()) -> None:
        super().__init__()
        self.secrets: list[str] = []
        self._pattern: re.Pattern[str] | None = None
        self.add(*secrets)

    def add(self, *secrets: str | None) -> None:
        """Redact these secrets too (an empty or None value is ignored)."""
        self.secrets += [s for s in secrets if s and s not in self.secrets]
        forms = {form for secret in self.secrets for form in secret_spellings(secret)}
        # Longest first: a raw token must not leave its percent-encoded tail behind.
        alternatives = sorted(forms, key=len, reverse=True)
        self._pattern = (
            re.compile("|".join(map(re.escape, alternatives)), re.IGNORECASE)
            if alternatives
            else None
        )

    def redact(self, text: str) -> str:
        """``text`` with every spelling of every secret replaced by ``<redacted>``."""
        if self._pattern is None:
            return text
        return self._pattern.sub(REDACTED, text)

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact the record in place; never drops it."""
        if self._pattern is None:
            return True
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: redact what is there, as logging shows it
            message = f"{record.msg!r} % {record.args!r}"
        record.msg, record.args = self.redact(message), None
        if record.exc_info and not record.exc_text:
            # Formatted here once, so every handler's formatter uses the redacted text.
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


#: The process-wide redactor ``install_redaction`` installs (one, however often it is called).
_INSTALLED: SecretRedactor | None = None


def install_redaction(*secrets: str | None) -> SecretRedactor:
    """Redact these secrets from every log record from now on (idempotent; secrets add up)."""
    global _INSTALLED
    if _INSTALLED is None:
        _INSTALLED = SecretRedactor()
        redactor = _INSTALLED
        make_record: Callable[..., logging.LogRecord] = logging.getLogRecordFactory()

        def redacting_factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
            record = make_record(*args, **kwargs)
            redactor.filter(record)
            return record

        logging.setLogRecordFactory(redacting_factory)
    _INSTALLED.add(*secrets)
    for handler in logging.getLogger().handlers:
        if _INSTALLED not in handler.filters:
            handler.addFilter(_INSTALLED)
    return _INSTALLED


class RedactingFormatter(logging.Formatter):
    """A formatter whose records are redacted first (for a handler set up by hand)."""

    def __init__(self, inner: logging.Formatter | None, secrets: list[str]):
        super().__init__()
        self.inner = inner or logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
        self.redactor = SecretRedactor(secrets)

    def format(self, record: logging.LogRecord) -> str:
        """The inner formatter's line from the redacted record (and redacted once more)."""
        self.redactor.filter(record)
        return self.redactor.redact(self.inner.format(record))
