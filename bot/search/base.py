"""The search interface: what every index backend offers, and the types it speaks.

Nothing outside ``bot.search`` knows which backend is in use: the library builds one with
``build_index`` / ``load_index`` and talks to it only through ``SearchIndex``.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, runtime_checkable


@dataclass(frozen=True)
class IndexDoc:
    doc_id: str
    tokens: Sequence[str]
    scope: str
    group: str  # the article id: lets a search stay within one article


@dataclass(frozen=True)
class Hit:
    doc_id: str
    score: float
    group: str


@runtime_checkable
class SearchIndex(Protocol):
    """What every index backend offers; nothing outside ``bot.search`` knows the backend."""

    meta: dict

    def add(self, docs: Iterable[IndexDoc]) -> None: ...
    def remove(self, doc_ids: Iterable[str]) -> int: ...
    def remove_group(self, group: str) -> int: ...
    def search(
        self,
        query_tokens: Sequence[str],
        k: int,
        *,
        scopes: Collection[str] | None = None,
        groups: Collection[str] | None = None,
    ) -> list[Hit]: ...
    def save(self, directory: Path, *, meta: Mapping[str, Any] = {}) -> None: ...
    @classmethod
    def load(cls, directory: Path) -> SearchIndex: ...
    def __len__(self) -> int: ...
    def __contains__(self, doc_id: object) -> bool: ...
