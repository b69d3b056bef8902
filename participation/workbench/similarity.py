"""Find exact and near-duplicate statement texts: normalised hash, word 3-shingles, MinHash + LSH, Jaccard check.

Form letters ("Sammeleinwendungen") differ in salutation, name or a sentence. Each text is
normalised (case-folded, punctuation removed, whitespace collapsed) and cut into word
shingles of three words. Identical normalised texts share a SHA-1 and form one bucket.
Otherwise a 64-value MinHash signature is banded (16 bands × 4 rows); texts sharing any band
are candidates, and a candidate pair is accepted when the exact Jaccard similarity of the
shingle sets reaches the threshold. Accepted pairs are merged with union-find.
"""

import hashlib
import re
import unicodedata
from collections import defaultdict

import numpy as np

SHINGLE_SIZE = 3
NUM_PERM = 64
BANDS = 16
ROWS = NUM_PERM // BANDS
_PRIME = np.uint64((1 << 61) - 1)
_rng = np.random.default_rng(20260101)  # fixed seed: the same texts always give the same groups
_A = _rng.integers(1, (1 << 31) - 1, size=NUM_PERM, dtype=np.uint64)
_B = _rng.integers(0, (1 << 31) - 1, size=NUM_PERM, dtype=np.uint64)
_WORD = re.compile(r"\w+", re.UNICODE)


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
    return len(a & b) / len(a | b)


def _signature(shingle_set: set[str]) -> np.ndarray:
    hashes = np.fromiter(
        (int.from_bytes(hashlib.blake2b(s.encode(), digest_size=4).digest(), "little") for s in shingle_set),
        dtype=np.uint64,
        count=len(shingle_set),
    )
    # (a*x + b) mod p with x < 2^32, a, b < 2^31: no uint64 overflow.
    values = (np.outer(_A, hashes) + _B[:, None]) % _PRIME
    return values.min(axis=1)


class _UnionFind:
    def __init__(self):
        self.parent = {}

    def find(self, x):
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a, b):
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def similar_clusters(texts: dict[int, str], threshold: float = 0.8) -> list[list[int]]:
    """Return clusters (lists of keys, sorted, each of size ≥ 2) of texts that are identical or near-identical."""
    union = _UnionFind()
    by_hash: dict[str, int] = {}
    shingle_sets: dict[int, set[str]] = {}
    for key in sorted(texts):
        norm = normalise(texts[key])
        if not norm:
            continue
        digest = hashlib.sha1(norm.encode()).hexdigest()
        if digest in by_hash:
            union.union(by_hash[digest], key)
            continue
        by_hash[digest] = key
        shingle_sets[key] = shingles(norm)
    buckets: dict[tuple, list[int]] = defaultdict(list)
    for key, shingle_set in shingle_sets.items():
        signature = _signature(shingle_set)
        for band in range(BANDS):
            buckets[(band, signature[band * ROWS : (band + 1) * ROWS].tobytes())].append(key)
    checked = set()
    for members in buckets.values():
        if len(members) < 2:
            continue
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                if (a, b) in checked:
                    continue
                checked.add((a, b))
                if union.find(a) != union.find(b) and jaccard(shingle_sets[a], shingle_sets[b]) >= threshold:
                    union.union(a, b)
    clusters: dict[int, list[int]] = defaultdict(list)
    for key in union.parent:
        clusters[union.find(key)].append(key)
    return sorted((sorted(c) for c in clusters.values() if len(c) > 1), key=lambda c: c[0])
