"""The index on disk: string tables, durable writes and block checksums.

Array files are written under fresh names and fsynced; each carries the sha256 of every
``HASH_BLOCK`` bytes, checked on load (``SearchIndexError`` on any mismatch).
"""

from __future__ import annotations

import hashlib
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from ..errors import SearchIndexError

# Separator of the string tables on disk; ids and tokens may not contain it.
SEPARATOR = "\n"
# Array files are checksummed per block of this many bytes (blocks verify in parallel).
HASH_BLOCK = 32 << 20


def encode_strings(strings: list[str]) -> np.ndarray:
    # surrogatepass: any Python str round-trips, even a lone surrogate from a bad client
    return np.frombuffer(SEPARATOR.join(strings).encode("utf-8", "surrogatepass"), dtype=np.uint8)


def decode_strings(blob: np.ndarray, count: int) -> list[str]:
    if count == 0:
        if len(blob):
            raise SearchIndexError("corrupt index: string table not empty")
        return []
    strings = blob.tobytes().decode("utf-8", "surrogatepass").split(SEPARATOR)
    if len(strings) != count:
        raise SearchIndexError(f"corrupt index: {len(strings)} strings where {count} were written")
    return strings


def write_durably(path: Path, data: bytes) -> None:
    with open(path, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def sync_directory(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return  # not possible on every platform; the data files themselves are synced
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def block_digests(data: bytes | memoryview, block: int = 0) -> list[str]:
    """sha256 of every ``HASH_BLOCK`` bytes of ``data`` (at least one, for empty data)."""
    block = block or HASH_BLOCK
    view = memoryview(data)
    return [
        hashlib.sha256(view[start : start + block]).hexdigest()
        for start in range(0, max(len(view), 1), block)
    ]


def read_arrays(directory: Path, specs: dict) -> dict[str, np.ndarray]:
    """Read every array file and check its size and block checksums. hashlib releases the
    GIL, so the blocks are hashed on a second thread while the next file is read: loading a
    1M-paragraph index (~340 MB) stays well under a second."""
    arrays: dict[str, np.ndarray] = {}
    checks = []
    with ThreadPoolExecutor(max_workers=2) as pool:
        for name, spec in specs.items():
            if Path(spec["file"]).name != spec["file"]:
                raise SearchIndexError(f"{directory}: manifest names a file outside the index")
            path = directory / spec["file"]
            try:
                data = path.read_bytes()
            except FileNotFoundError:
                raise SearchIndexError(f"{path}: missing (half-written index?)") from None
            if len(data) != spec["bytes"]:
                raise SearchIndexError(
                    f"{path}: {len(data)} bytes where {spec['bytes']} were written "
                    "(truncated or corrupt)"
                )
            block = int(spec["block_bytes"])
            expected = list(spec["sha256"])
            view = memoryview(data)
            starts = range(0, max(len(data), 1), block)
            if len(starts) != len(expected):
                raise SearchIndexError(f"{path}: checksum list does not fit the file")
            for start, digest in zip(starts, expected, strict=False):
                checks.append(
                    (path, pool.submit(block_digests, view[start : start + block], block), digest)
                )
            arrays[name] = np.frombuffer(data, dtype=np.dtype(spec["dtype"])).reshape(
                tuple(spec["shape"])
            )
        for path, future, digest in checks:
            if future.result() != [digest]:
                raise SearchIndexError(f"{path}: checksum mismatch (corrupt)")
    return arrays
