"""Find exact and near-duplicate statement texts in near-linear time.

Form letters ("Sammeleinwendungen") differ in salutation, name or a sentence; a mass campaign
brings thousands of them. The steps, each linear in the number of texts:

1. Normalise each text (NFKC, case-folded, punctuation removed, whitespace collapsed). Texts
   with the same normalised hash collapse into one entry before anything else is compared.
2. Cut each distinct text into word 3-shingles (64-bit hashes combined from word hashes) and
   compute a 64-value MinHash signature, banded into 16 bands × 4 rows (locality-sensitive hashing).
3. A text that shares a band bucket with earlier texts is verified (exact Jaccard of the
   shingle sets) only against the bucket's *representatives*: the first member of each
   cluster seen in that bucket, at most `MAX_REPRESENTATIVES`. Texts that pass are merged
   with union-find; a text that matched none becomes a representative itself. So a bucket
   of 4,000 near-identical letters costs 4,000 checks, never the 8 million pairs.
"""

import hashlib
import re
import unicodedata
from collections.abc import Callable

import numpy as np

SHINGLE_SIZE = 3
NUM_PERM = 64
BANDS = 16
ROWS = NUM_PERM // BANDS
MAX_REPRESENTATIVES = 16  # per bucket: bounds the work for unrelated texts that collide in a band
_rng = np.random.default_rng(20260101)  # fixed seed: the same texts always give the same groups
# Multiply-shift hashing of 32-bit values (Dietzfelbinger): ((a·x + b) mod 2^64) >> 32 with random 64-bit a, b.
# A linear hash without wrap-around, (a·x + b) mod p with small a, is nearly monotone in x: every
# "permutation" then picks the same minimum and the signature degenerates to one value.
_A = _rng.integers(0, np.iinfo(np.uint64).max, size=NUM_PERM, dtype=np.uint64, endpoint=True) | np.uint64(1)
_B = _rng.integers(0, np.iinfo(np.uint64).max, size=NUM_PERM, dtype=np.uint64, endpoint=True)
_SHIFT = np.uint64(32)
# Shingle hashes from word hashes: (w0·M0 + w1·M1 + w2·M2) mod 2^64, then a splitmix64 finaliser.
_M = _rng.integers(0, np.iinfo(np.uint64).max, size=SHINGLE_SIZE, dtype=np.uint64, endpoint=True) | np.uint64(1)
_MIX1, _MIX2 = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)
_WORD = re.compile(r"\w+", re.UNICODE)

Progress = Callable[[int, int], None]


def normalise(text: str) -> str:
    """Return `text` case-folded, NFKC-normalised, with punctuation removed and whitespace collapsed."""
    return " ".join(_WORD.findall(unicodedata.normalize("NFKC", text or "").casefold()))


def shingles(normalised: str, k: int = SHINGLE_SIZE) -> set[str]:
    """Return the set of word k-shingles of a normalised text (the whole text if it is shorter)."""
    words = normalised.split()
    if len(words) <= k:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i : i + k]) for i in range(len(words) - k + 1)}


def jaccard(a: set, b: set) -> float:
    """Return the Jaccard similarity of two sets (1.0 for two empty sets)."""
    if not a and not b:
        return 1.0
    common = len(a & b)
    return common / (len(a) + len(b) - common)


def _word_hash(word: str) -> int:
    return int.from_bytes(hashlib.blake2b(word.encode(), digest_size=8).digest(), "little")


def _shingle_hashes(words: list[str], known: dict[str, int]) -> np.ndarray:
    """Return the distinct 64-bit hashes of the word k-shingles (one hash of all words if the text is shorter).

    Hashing each distinct word once and combining the word hashes with numpy is ten times
    faster than hashing every shingle string; a collision of two 64-bit hashes is negligible.
    """
    ids = np.fromiter(
        (known[w] if w in known else known.setdefault(w, _word_hash(w)) for w in words),
        dtype=np.uint64,
        count=len(words),
    )
    k = min(SHINGLE_SIZE, len(ids))
    span = len(ids) - k + 1
    with np.errstate(over="ignore"):  # uint64 arithmetic wraps modulo 2^64 on purpose
        h = np.zeros(span, dtype=np.uint64)
        for offset in range(k):
            h += ids[offset : offset + span] * _M[offset]
        h ^= h >> np.uint64(31)
        h *= _MIX1
        h ^= h >> np.uint64(29)
        h *= _MIX2
        h ^= h >> np.uint64(32)
    return np.unique(h)


def _signature(hashes: np.ndarray) -> np.ndarray:
    """Return the MinHash signature (NUM_PERM values) of a set of 64-bit shingle hashes."""
    x = hashes >> _SHIFT  # multiply-shift hashing takes 32-bit keys
    with np.errstate(over="ignore"):  # uint64 arithmetic wraps modulo 2^64 on purpose
        values = (np.outer(_A, x) + _B[:, None]) >> _SHIFT
    return values.min(axis=1)


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[int, int] = {}

    def find(self, x: int) -> int:
        parent = self.parent
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def similar_clusters(
    texts: dict[int, str], threshold: float = 0.8, progress: Progress | None = None
) -> list[list[int]]:
    """Return clusters (lists of keys, sorted, each of size ≥ 2) of texts that are identical or near-identical.

    `progress(done, total)` is called now and then while the distinct texts are compared.
    """
    union = _UnionFind()
    first_by_hash: dict[bytes, int] = {}
    hashed: dict[int, np.ndarray] = {}
    known_words: dict[str, int] = {}
    for key in sorted(texts):
        norm = normalise(texts[key])
        if not norm:
            continue
        first = first_by_hash.setdefault(hashlib.blake2b(norm.encode(), digest_size=16).digest(), key)
        if first == key:
            hashed[key] = _shingle_hashes(norm.split(), known_words)
        else:
            union.union(first, key)
    shingle_sets: dict[int, set[int]] = {}
    buckets: dict[bytes, list[int]] = {}
    total = len(hashed)
    for done, (key, hashes) in enumerate(hashed.items(), start=1):
        shingle_set = shingle_sets[key] = set(hashes.tolist())
        bands = _signature(hashes).reshape(BANDS, ROWS)
        rejected: set[int] = set()
        for band in range(BANDS):
            representatives = buckets.setdefault(band.to_bytes(1, "little") + bands[band].tobytes(), [])
            matched = False
            for representative in representatives:
                if union.find(representative) == union.find(key):
                    matched = True
                elif representative not in rejected:
                    if jaccard(shingle_sets[representative], shingle_set) >= threshold:
                        union.union(representative, key)
                        matched = True
                    else:
                        rejected.add(representative)
            if not matched and len(representatives) < MAX_REPRESENTATIVES:
                representatives.append(key)
        if progress is not None and (done % 1000 == 0 or done == total):
            progress(done, total)
    clusters: dict[int, list[int]] = {}
    for key in union.parent:
        clusters.setdefault(union.find(key), []).append(key)
    return sorted((sorted(c) for c in clusters.values() if len(c) > 1), key=lambda c: c[0])
