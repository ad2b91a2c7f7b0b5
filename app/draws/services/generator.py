"""The draw's deterministic random generator: HMAC-SHA256 in counter mode, unbiased integers, Fisher–Yates.

Never Python's `random`, whose sequences are not promised stable across versions. The algorithm is
versioned: a record stores the version it was drawn with, and verification re-runs that version.
Each sampling step uses its own labelled stream, so steps cannot influence one another.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Sequence
from typing import Any, TypeVar

ALGORITHM_VERSION = "hmac-sha256-fy/1"
T = TypeVar("T")


def canonical(value: Any) -> bytes:
    """Canonical JSON bytes (sorted keys, no spaces, UTF-8): the one way anything is hashed here."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def sha256(value: Any) -> str:
    """Hex SHA-256 of the canonical JSON of a value."""
    return hashlib.sha256(canonical(value)).hexdigest()


def derive_seed(pool_hashes: dict[str, str], nonce: str, entropy: str, version: str = ALGORITHM_VERSION) -> str:
    """The seed: from the frozen pools, the server's committed nonce and the witness's entropy."""
    return sha256({"pools": pool_hashes, "nonce": nonce, "entropy": entropy, "algorithm": version})


class Stream:
    """An endless byte stream HMAC-SHA256(seed, label ‖ counter) for one labelled step."""

    def __init__(self, seed: str, label: str) -> None:
        self._key = bytes.fromhex(seed)
        self._label = label.encode("utf-8")
        self._counter = 0
        self._buffer = b""

    def _take(self, size: int) -> bytes:
        while len(self._buffer) < size:
            block = hmac.new(self._key, self._label + b"\x00" + self._counter.to_bytes(8, "big"), hashlib.sha256)
            self._buffer += block.digest()
            self._counter += 1
        chunk, self._buffer = self._buffer[:size], self._buffer[size:]
        return chunk

    def below(self, n: int) -> int:
        """A uniform integer in [0, n): 64-bit draws with rejection of the biased tail."""
        if n <= 0:
            raise ValueError("n must be positive")
        limit = (1 << 64) - ((1 << 64) % n)
        while True:
            value = int.from_bytes(self._take(8), "big")
            if value < limit:
                return value % n

    def shuffled(self, items: Sequence[T]) -> list[T]:
        """A Fisher–Yates shuffle of a copy."""
        result = list(items)
        for i in range(len(result) - 1, 0, -1):
            j = self.below(i + 1)
            result[i], result[j] = result[j], result[i]
        return result

    def sample(self, items: Sequence[T], k: int) -> list[T]:
        """k distinct items, in draw order (a partial Fisher–Yates from the front)."""
        pool = list(items)
        k = min(k, len(pool))
        for i in range(k):
            j = i + self.below(len(pool) - i)
            pool[i], pool[j] = pool[j], pool[i]
        return pool[:k]
