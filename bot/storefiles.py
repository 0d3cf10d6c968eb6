"""Read-only work on a store file while the bot may be running: a consistent backup, the
integrity check and the summary ``python -m bot check`` prints. Every function opens its own
read-only connection (``ArticleStore.open_readable``) and never writes the file."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from .errors import StoreError
from .store import ArticleStore


def backup(path: Path, destination: Path) -> int:
    """A consistent copy of the store at ``path`` (safe while the bot runs: SQLite's
    online backup through a read-only connection), written to ``destination`` atomically
    and integrity-checked; returns the number of articles in the copy."""
    destination = Path(destination)
    if destination.exists():
        raise StoreError(f"{destination} exists; not overwriting it")
    temporary = destination.with_name(destination.name + ".partial")
    try:
        source = ArticleStore.open_readable(path)
        try:
            copy = sqlite3.connect(temporary)
            try:
                source.backup(copy)
                check = copy.execute("PRAGMA integrity_check").fetchone()[0]
                articles = copy.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
            finally:
                copy.close()
        finally:
            source.close()
        if check != "ok":
            raise StoreError(f"the copy of {path} fails its integrity check: {check}")
        os.replace(temporary, destination)
        return articles
    except sqlite3.Error as exc:
        raise StoreError(f"cannot back up {path}: {exc}") from None
    finally:
        temporary.unlink(missing_ok=True)


def integrity(path: Path) -> str:
    """SQLite's full ``integrity_check`` of the file, read-only: "ok" or the problems."""
    try:
        source = ArticleStore.open_readable(path)
        try:
            rows = source.execute("PRAGMA integrity_check").fetchall()
        finally:
            source.close()
    except sqlite3.Error as exc:
        return str(exc)
    return "; ".join(str(r[0]) for r in rows[:5])


def inspect(path: Path) -> tuple[dict[str, int], str, str | None]:
    """Read-only: articles per scope, the corpus digest and the schema version of a store
    file (for ``python -m bot check``, safe while the bot runs)."""
    source = ArticleStore.open_readable(path)
    try:
        scopes = dict(
            source.execute("SELECT scope, COUNT(*) FROM articles GROUP BY scope").fetchall()
        )
        meta = dict(
            source.execute(
                "SELECT key, value FROM meta WHERE key IN ('corpus_digest', 'schema_version')"
            ).fetchall()
        )
    except sqlite3.Error as exc:
        raise StoreError(f"{path} cannot be read: {exc}") from None
    finally:
        source.close()
    return scopes, meta.get("corpus_digest", f"{0:032x}"), meta.get("schema_version")
