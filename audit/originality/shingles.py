"""Pure helpers of the originality check: normalised text, shingles, MinHash band keys, overlap.

Nothing here touches the database. The check (audit.originality.services) stores band keys made
here and verifies the candidates they find with the exact overlap computed here.

- A text is normalised to its letters and digits (NFKC, lower case, then what Python's regular
  expressions call word characters, less the underscore):
  whitespace, punctuation and layout never matter, so a copy re-typed with other line breaks or
  other quotation marks is the same text.
- A shingle is SHINGLE_SIZE consecutive characters of the normalised text. 5 was measured best
  for Chinese essays (benchmarks/shingle_size.py prints the measurement): shorter shingles are
  shared by unrelated essays on the same speech (every essay writes
  习近平新时代中国特色社会主义思想), longer ones are broken by each word a copier changes.
- MinHash (datasketch, NUM_PERM permutations, fixed seed) of the shingle set, cut into bands as
  datasketch.MinHashLSH cuts it for LSH_THRESHOLD; each band is one 64-bit key. Two texts whose
  shingle sets are similar share at least one key with high probability.

Changing SHINGLE_SIZE, NUM_PERM, MINHASH_SEED, MINHASH_SCHEME or LSH_THRESHOLD changes every
key: run `manage.py originality_reindex` after.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

#: Characters per shingle (see the module docstring and benchmarks/shingle_size.py).
SHINGLE_SIZE = 5
#: MinHash permutations; with LSH_THRESHOLD they fix the bands.
NUM_PERM = 128
MINHASH_SEED = 1
#: datasketch's permutation scheme, named so that a change of its default cannot silently make
#: new keys differ from the stored ones.
MINHASH_SCHEME = "affine32"
#: The Jaccard similarity LSH aims to find. Low on purpose: the check's measure is the share of
#: the essay's shingles found in the other text (containment), and a half-copied essay, or one
#: copied whole from a text twice its length, has a Jaccard similarity of only 0.2 to 0.33.
LSH_THRESHOLD = 0.2
#: datasketch weighs missing a similar pair against offering a dissimilar one; missing a copy is
#: worse, and a false candidate costs only its verification.
LSH_WEIGHTS = (0.3, 0.7)


#: What normalise drops: anything but letters and digits (Python's \w, less the underscore).
_NOT_LETTER_OR_DIGIT = re.compile(r"[\W_]+")


@lru_cache(maxsize=1 << 16)
def _normal_chars(ch: str) -> str:
    """What one character of the original text becomes in the normalised text ("" if nothing)."""
    return _NOT_LETTER_OR_DIGIT.sub("", unicodedata.normalize("NFKC", ch).lower())


@dataclass(frozen=True)
class NormalText:
    """A text reduced to its letters and digits.

    text: the normalised characters; origin[i]: the index in the original text of the character
    that text[i] came from (so a shingle found in text maps back to a span of the original).
    """

    text: str
    origin: tuple[int, ...]


def normalise(text: str) -> NormalText:
    """The letters and digits of text, NFKC-folded and lower-cased, with where each came from."""
    chars: list[str] = []
    origin: list[int] = []
    for index, ch in enumerate(text):
        for c in _normal_chars(ch):
            chars.append(c)
            origin.append(index)
    return NormalText("".join(chars), tuple(origin))


def shingle_list(normal: str, size: int = SHINGLE_SIZE) -> list[str]:
    """The shingles of a normalised text in order, one per start position (repeats kept)."""
    return [normal[i : i + size] for i in range(len(normal) - size + 1)]


def shingles(text: str, size: int = SHINGLE_SIZE) -> frozenset[str]:
    """The set of shingles of text (normalised first); empty for a text shorter than size."""
    # The whole text at once, in C (NFKC, lower case, then everything but letters and digits
    # out): the check verifies up to a hundred candidates, so this is its main cost. The same
    # characters as normalise keeps, text by text.
    normal = _NOT_LETTER_OR_DIGIT.sub("", unicodedata.normalize("NFKC", text).lower())
    return frozenset(normal[i : i + size] for i in range(len(normal) - size + 1))


@cache
def lsh_bands() -> tuple[tuple[int, int], ...]:
    """The (start, end) slices of the MinHash signature that make the bands, as
    datasketch.MinHashLSH chooses them for LSH_THRESHOLD, NUM_PERM and LSH_WEIGHTS."""
    # datasketch is imported where it is used: it brings numpy and scipy (300 MB of address
    # space), which a Celery pool process capped by CELERY_WORKER_MEMORY_LIMIT_MB pays only
    # when it checks an essay, not when it renders a PDF.
    from datasketch import MinHashLSH

    lsh = MinHashLSH(threshold=LSH_THRESHOLD, num_perm=NUM_PERM, weights=LSH_WEIGHTS)
    return tuple((start, end) for start, end in lsh.hashranges)


@cache
def _permutations() -> tuple[np.ndarray, np.ndarray]:
    """MinHash's random permutations for NUM_PERM and MINHASH_SEED, made once: datasketch makes
    them again for every MinHash otherwise, which costs more than hashing an essay."""
    from datasketch import MinHash  # imported here: see lsh_bands

    return MinHash(num_perm=NUM_PERM, seed=MINHASH_SEED, scheme=MINHASH_SCHEME).permutations


def band_keys(shingle_set: Iterable[str]) -> list[int]:
    """One signed 64-bit key per LSH band for a set of shingles; [] for an empty set.

    The key hashes the band's number with its MinHash values (BLAKE2b, 8 bytes), so equal keys
    mean the same band of equal values: the stored index needs one column and one B-tree index.
    """
    items = [s.encode("utf-8") for s in shingle_set]
    if not items:
        return []
    from datasketch import MinHash  # imported here: see lsh_bands

    minhash = MinHash(
        num_perm=NUM_PERM,
        seed=MINHASH_SEED,
        scheme=MINHASH_SCHEME,
        permutations=_permutations(),
        # CRC-32 in C, not datasketch's default SHA-1 in Python: a quarter of the time per
        # essay. The affine32 scheme mixes each value (MurmurHash3's finaliser) before permuting,
        # so CRC's linearity does not show.
        hashfunc=zlib.crc32,
    )
    minhash.update_batch(items)
    import numpy as np  # with datasketch: see lsh_bands

    values = np.asarray(minhash.hashvalues, dtype="<u8")
    keys = []
    for band, (start, end) in enumerate(lsh_bands()):
        digest = hashlib.blake2b(
            values[start:end].tobytes(), digest_size=8, person=band.to_bytes(8, "little")
        ).digest()
        keys.append(int.from_bytes(digest, "little", signed=True))
    return keys


@dataclass(frozen=True)
class Overlap:
    """How much of an essay is found in another text, materials set apart.

    own: the essay's shingles that are not in the session's materials (the essay's own text);
    shared: how many of those the other text also has.
    """

    own: int
    shared: int

    @property
    def percent(self) -> float:
        """shared as a percentage of own (0 when the essay has no text of its own)."""
        return 100 * self.shared / self.own if self.own else 0.0


def overlap(essay: frozenset[str], other: frozenset[str], material: frozenset[str]) -> Overlap:
    """The share of essay's own shingles (those not in material) that other also has.

    Shingles the session's materials also have are quotations the members share, never copying
    between them, so they count neither in the share nor in its base.
    """
    own = essay - material
    return Overlap(own=len(own), shared=len(own & other))


def marked_spans(
    text: str, marked: frozenset[str], size: int = SHINGLE_SIZE
) -> list[tuple[int, int]]:
    """The spans (start, end) of the original text covered by shingles in marked, merged.

    Spans run from the first to the last original character of each run of marked shingles, so
    the punctuation between two copied words is marked with them.
    """
    normal = normalise(text)
    covered = [False] * len(normal.text)
    for i, shingle in enumerate(shingle_list(normal.text, size)):
        if shingle in marked:
            for j in range(i, i + size):
                covered[j] = True
    spans: list[tuple[int, int]] = []
    for i, on in enumerate(covered):
        if not on:
            continue
        start, end = normal.origin[i], normal.origin[i] + 1
        if spans and (i > 0 and covered[i - 1]):
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((start, end))
    return spans


def segments(text: str, spans_by_kind: dict[str, list[tuple[int, int]]]) -> list[tuple[str, str]]:
    """text cut into (piece, kind) in order: kind is "" for unmarked text, else the name of the
    spans that cover it; where spans of two kinds overlap, the first kind named wins."""
    kinds = [""] * len(text)
    for kind in reversed(list(spans_by_kind)):
        for start, end in spans_by_kind[kind]:
            for i in range(start, min(end, len(text))):
                kinds[i] = kind
    pieces: list[tuple[str, str]] = []
    for ch, kind in zip(text, kinds, strict=True):
        if pieces and pieces[-1][1] == kind:
            pieces[-1] = (pieces[-1][0] + ch, kind)
        else:
            pieces.append((ch, kind))
    return pieces
