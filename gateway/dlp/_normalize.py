"""Normalization before scanning, with offsets mapped back to the original text.

Detector patterns are ASCII. Text that hides a value from them with Unicode is folded first:

- NFKC compatibility forms (fullwidth digits U+FF10..FF19, mathematical digits, ligatures...);
- decimal digits of every script to ASCII (``٤١١١`` -> ``4111``);
- zero-width and bidi control characters removed (ZWSP, ZWJ, LRM, RLO, BOM, soft hyphen ...);
- odd separators (NBSP, thin space, figure space, ideographic space ...) to a space and Unicode
  dashes (hyphen, non-breaking hyphen, en dash, minus sign ...) to ``-``.

Pure ASCII, which is most traffic, is returned as it is without copying. Otherwise only the
characters that change are rewritten, and each change is recorded as a breakpoint, so a match
in the normalized bytes maps back to the exact original byte span (for redaction) and to
Python string offsets (for ``Scanner.scan_spans``).
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass
from functools import cache

__all__ = ["Normalized", "OffsetMap", "normalize_bytes", "normalize_chunk_text", "normalize_text"]

_REMOVE = frozenset(
    [
        0x00AD, 0x034F, 0x061C, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x180E, 0x3164, 0xFEFF, 0xFFA0,
        *range(0x200B, 0x2010),  # ZWSP ZWNJ ZWJ LRM RLM
        *range(0x202A, 0x202F),  # LRE RLE PDF LRO RLO
        *range(0x2060, 0x2065),  # word joiner, invisible operators
        *range(0x2066, 0x2070),  # isolates, deprecated format characters
        *range(0xFE00, 0xFE10),  # variation selectors
        *range(0xE0000, 0xE0080),  # tag characters
    ]
)
_SPACES = frozenset([0x00A0, 0x1680, 0x202F, 0x205F, 0x3000, *range(0x2000, 0x200B)])
_DASHES = frozenset([0x2010, 0x2011, 0x2012, 0x2013, 0x2014, 0x2015, 0x2212, 0xFE58, 0xFE63,
                     0xFF0D])


def _fold(ch: str) -> str:
    cp = ord(ch)
    if cp in _REMOVE:
        return ""
    if cp in _SPACES:
        return " "
    if cp in _DASHES:
        return "-"
    if unicodedata.category(ch) == "Nd":
        return str(unicodedata.decimal(ch))
    out = unicodedata.normalize("NFKC", ch)
    if out != ch:
        # a compatibility form may itself hold a removable or foldable character
        return "".join(_fold(c) if c != ch else c for c in out)
    return out


@cache
def _changing() -> re.Pattern[str]:
    """One character class of every code point that normalization changes (built once)."""
    ranges: list[tuple[int, int]] = []
    for cp in (*range(0x80, 0x20000), *range(0xE0000, 0xE0080)):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        ch = chr(cp)
        if _fold(ch) != ch:
            if ranges and ranges[-1][1] == cp - 1:
                ranges[-1] = (ranges[-1][0], cp)
            else:
                ranges.append((cp, cp))
    cls = "".join(
        re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}"
        for a, b in ranges
    )
    return re.compile(f"[{cls}]")


@cache
def _fold_cached(ch: str) -> str:
    return _fold(ch)


@dataclass(frozen=True, slots=True)
class OffsetMap:
    """Breakpoints ``(norm_pos, orig_pos, norm_len, orig_len)`` of each changed character."""

    norm: tuple[int, ...]
    points: tuple[tuple[int, int, int, int], ...]

    def start(self, pos: int) -> int:
        """Original offset of a match starting at normalized ``pos``."""
        i = bisect.bisect_right(self.norm, pos) - 1
        if i < 0:
            return pos
        n, o, nl, ol = self.points[i]
        if pos < n + nl:
            return o  # inside a replacement: the whole original character
        return o + ol + (pos - n - nl)

    def end(self, pos: int) -> int:
        """Original offset of a match ending (exclusive) at normalized ``pos``."""
        i = bisect.bisect_left(self.norm, pos) - 1
        if i < 0:
            return pos
        n, o, nl, ol = self.points[i]
        if pos <= n + nl:
            return o + ol
        return o + ol + (pos - n - nl)


@dataclass(frozen=True, slots=True)
class Normalized:
    data: bytes
    """Normalized UTF-8 (lone surrogates kept as surrogatepass)."""
    map: OffsetMap | None
    """Byte offsets back to the original; None when nothing changed (identity)."""


def _utf8_len(ch: str) -> int:
    cp = ord(ch)
    return 1 if cp < 0x80 else 2 if cp < 0x800 else 3 if cp < 0x10000 else 4


def normalize_text(text: str) -> tuple[str, list[tuple[int, int, int, int]]]:
    """Normalized text and its breakpoints in *character* offsets."""
    if text.isascii():
        return text, []
    pieces: list[str] = []
    points: list[tuple[int, int, int, int]] = []
    pos = 0
    shift = 0  # normalized length minus original length so far
    for m in _changing().finditer(text):
        i = m.start()
        ch = m.group()
        rep = _fold_cached(ch)
        pieces.append(text[pos:i])
        pieces.append(rep)
        points.append((i + shift, i, len(rep), 1))
        shift += len(rep) - 1
        pos = i + 1
    if not points:
        return text, []
    pieces.append(text[pos:])
    return "".join(pieces), points


def normalize_bytes(data: bytes) -> Normalized:
    """Normalize UTF-8 ``data``; invalid bytes pass through unchanged (they match nothing)."""
    if data.isascii():
        return Normalized(data, None)
    text = data.decode("utf-8", "surrogateescape")
    pieces: list[str] = []
    points: list[tuple[int, int, int, int]] = []
    pos = 0  # char offset in text
    opos = 0  # byte offset in data for char ``pos``
    npos = 0  # byte offset in the output
    for m in _changing().finditer(text):
        i = m.start()
        ch = m.group()
        between = text[pos:i]
        blen = len(between.encode("utf-8", "surrogateescape"))
        opos += blen
        npos += blen
        rep = _fold_cached(ch)
        rlen = len(rep.encode("utf-8"))
        olen = _utf8_len(ch)
        points.append((npos, opos, rlen, olen))
        pieces.append(between)
        pieces.append(rep)
        opos += olen
        npos += rlen
        pos = i + 1
    if not points:
        return Normalized(data, None)
    pieces.append(text[pos:])
    out = "".join(pieces).encode("utf-8", "surrogateescape")
    return Normalized(out, OffsetMap(tuple(p[0] for p in points), tuple(points)))


def normalize_chunk_text(text: str) -> str:
    """Normalize a decoded piece of a stream (no offsets are kept while streaming)."""
    if text.isascii():
        return text
    return _changing().sub(lambda m: _fold_cached(m.group()), text)


def warm_up() -> None:
    """Build the character table now (about 0.3 s), not on the first non-ASCII request."""
    _changing()
