"""The scanner: one Hyperscan database for all detectors, then validation and context.

Flow for a body: bounded decode -> extract segments -> one block-mode scan over all
segments joined by NUL -> per match: trim, allow-list, validator, keyword window (or the
CSV header field of the match's column), confidence -> leftmost-longest dedupe per
detector -> findings (masked preview + keyed HMAC, never the raw value).
"""

from __future__ import annotations

import bisect
import functools
import hmac
import re
import threading
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import overload

import hyperscan

from gateway.errors import DecodeError, LimitExceeded, ScanError

from ._allow import AllowList
from ._decode import decode_body, encode_body, parse_encodings, unscannable_reason
from ._extract import JsonSegments, Segment, extract, prepare_extraction
from ._hsdb import compile_cached
from ._limits import Limits
from ._mask import mask
from ._model import FLAGS, Confidence, Detector, char_set, compile_database, key_endings
from ._normalize import Normalized, normalize_bytes, warm_up
from ._starts import _som_width, _Start, relaxed
from ._stream import StreamScan, compile_stream_database
from ._tables import (
    _DELIMITERS,
    _SNIFF_BYTES,
    _Columns,
    _fields,
    _Header,
    _Tables,
    _tables,
    header_end,
    sniff_table,
    text_table_hint,
)
from ._validators import VALIDATORS, Validator

__all__ = ["Finding", "ScanResult", "Scanner"]

_SEP = b"\x00"  # no pattern matches NUL; matches spanning two segments are dropped anyway
_DEFAULT_LIMITS = Limits()
_Opened = tuple[int, int, Collection[int]]
"""Rows ``[start, end)`` of a CSV body opened to the weak patterns of some detectors."""
_NEAR_MAX_WIDTH = 512
"""Keyword-required patterns whose matches are at most this long run only near keywords."""
@dataclass(frozen=True, slots=True)
class _Near:
    """Keyword-required patterns, scanned only in windows around their keywords.

    Weak shapes (dates, digit runs) match everywhere but count only with a keyword within
    ``keyword_window`` bytes. The main database holds each keyword as a caseless literal
    (ids ``keyword_base + k``); a second database holds the weak patterns and runs over
    the merged windows around keyword hits (and over the rows of a CSV whose header names
    a keyword: see :meth:`Scanner._near_hits`). A window reaches ``keyword_window + 2 * width
    + 2`` bytes past its keyword (``width`` is the pattern's longest match), so every match
    that could pass the keyword check lies strictly inside it with its leftmost start, and
    matches touching a window's inner edge (where ``\\b`` or ``^`` would see a false
    boundary) are dropped: the findings are those of a scan of the whole buffer.
    """

    keyword_base: int
    expressions: tuple[bytes, ...]
    """The main database's expressions (strong patterns, then keywords) and the stream
    database's flags (the block database drops SOM where starts can be recovered): the
    stream database is compiled from them, so both share ids."""
    flags: tuple[int, ...]
    keywords: tuple[bytes, ...]
    pads: tuple[int, ...]
    """Per keyword: how far its window reaches on each side."""
    owners: tuple[tuple[int, ...], ...]
    """Per keyword: the detectors with weak patterns that list it."""
    database: hyperscan.Database
    index: dict[int, tuple[int, int]]
    """Weak pattern id -> (detector, pattern)."""


@functools.lru_cache(maxsize=1024)
def _max_width(regex: str) -> int | None:
    """Longest match of a pattern (Python's parser reads these patterns), None if unbounded."""
    try:
        width = re._parser.parse(regex).getwidth()[1]  # type: ignore[attr-defined]
    except (re.error, RecursionError, OverflowError):
        return None
    return int(width) if width <= _NEAR_MAX_WIDTH else None


def _literal(word: bytes) -> bytes:
    return b"".join(bytes([c]) if chr(c).isalnum() and c < 128 else b"\\x%02x" % c
                    for c in word)


def _compile_stream(dets: tuple[Detector, ...], near: _Near | None) -> hyperscan.Database:
    """The stream-mode twin of the main database (same expressions, ids and flags)."""
    if near is None:
        return compile_stream_database(dets)
    try:
        return compile_cached(near.expressions, range(len(near.expressions)), near.flags,
                              hyperscan.HS_MODE_STREAM | hyperscan.HS_MODE_SOM_HORIZON_LARGE)
    except hyperscan.error as e:
        raise ScanError(f"stream database does not compile: {e}") from e


def _compile_split(
    dets: tuple[Detector, ...],
) -> tuple[
    hyperscan.Database,
    dict[int, tuple[int, int]],
    _Near | None,
    dict[int, _Start],
    hyperscan.Database | None,
]:
    """The main database (strong patterns + keyword literals) and the weak-pattern one.

    Also the start recoverers of the main database's patterns compiled without SOM, and the
    database of the patterns that have a prefilter (their prefilters, under their ids).
    """
    strong: list[tuple[int, int]] = []
    weak: list[tuple[int, int, int]] = []  # detector, pattern, max width
    for d, det in enumerate(dets):
        for p, pat in enumerate(det.patterns):
            width = _max_width(pat.regex) if det.requires_keywords(p) and det.keywords else None
            if width is None:
                strong.append((d, p))
            else:
                weak.append((d, p, width))
    if not weak:
        db, index = compile_database(dets)
        return db, dict(enumerate(index)), None, {}, None
    reach: dict[int, int] = {}
    for d, _p, width in weak:
        pad = dets[d].keyword_window + _wide(dets[d].keywords) + 2 * width + 2
        reach[d] = max(reach.get(d, 0), pad)
    words: dict[bytes, set[int]] = {}
    for d in reach:
        for k in dets[d].keywords:
            words.setdefault(k.encode(), set()).add(d)
            for key in key_endings(k):
                # a JSON key ends at a NUL in the joined tokens ("box12_sin\0285 969 952"),
                # which _judge reads as ": "
                words.setdefault(key.encode() + _SEP, set()).add(d)
    keywords = tuple(words)
    base = len(strong)
    exprs = [dets[d].patterns[p].regex.encode() for d, p in strong]
    exprs += [_literal(k) for k in keywords]
    flags = [FLAGS] * len(strong) + [hyperscan.HS_FLAG_CASELESS] * len(keywords)
    starts: dict[int, _Start] = {}
    for i, (d, p) in enumerate(strong):
        som = _som_width(dets[d].patterns[p].regex)
        if som is not None:
            starts[i] = _Start(exprs[i], som[0], bounded=som[1])
    # a prefiltered pattern leaves the main database: in it, its unanchored run would slow
    # every byte's scan; alone, gated by its literal, it costs almost nothing. Its hits are
    # confirmed by the pattern itself, within the window only (a prefilter hit that is no
    # match must not send the search back to the buffer's start).
    pre: dict[int, bytes] = {}
    for i, (d, p) in enumerate(strong):
        prefilter = dets[d].patterns[p].prefilter
        if prefilter is not None and i in starts:
            pre[i] = prefilter.encode()
            starts[i] = _Start(exprs[i], starts[i].width)
    block_flags = [0 if i in starts else f for i, f in enumerate(flags)]
    main = [i for i in range(len(exprs)) if i not in pre]
    block = list(exprs)
    for i in main:
        loose = relaxed(exprs[i]) if i in starts else None
        if loose is not None:
            block[i] = loose
            starts[i] = _Start(exprs[i], starts[i].width, bounded=starts[i].bounded,
                               confirm=True)
    db = compile_cached([block[i] for i in main], main, [block_flags[i] for i in main],
                        hyperscan.HS_MODE_BLOCK)
    pre_db = (compile_cached(list(pre.values()), list(pre), [0] * len(pre),
                             hyperscan.HS_MODE_BLOCK) if pre else None)
    weak_ids = range(base + len(keywords), base + len(keywords) + len(weak))
    near_db = compile_cached([dets[d].patterns[p].regex.encode() for d, p, _ in weak],
                             weak_ids, [FLAGS] * len(weak), hyperscan.HS_MODE_BLOCK)
    near = _Near(
        base,
        tuple(exprs),
        tuple(flags),
        keywords,
        tuple(max(reach[d] for d in words[k]) for k in keywords),
        tuple(tuple(sorted(words[k])) for k in keywords),
        near_db,
        {i: (d, p) for i, (d, p, _) in zip(weak_ids, weak, strict=True)},
    )
    return db, {**dict(enumerate(strong)), **near.index}, near, starts, pre_db


@dataclass(frozen=True, slots=True)
class Finding:
    """One detected value, explained: what, where, how sure, and a keyed hash to correlate."""

    detector: str
    name: str
    category: str
    confidence: Confidence
    location: str
    masked: str
    hmac: str
    context: bool
    validator: str | None
    allowed: frozenset[str] = frozenset()
    """Names of the allow-lists (:meth:`Scanner.with_allow`) the value is on."""


@dataclass(frozen=True, slots=True)
class ScanResult:
    findings: tuple[Finding, ...]
    bytes_scanned: int
    file_type: str | None
    unscannable: str | None


@dataclass(frozen=True, slots=True)
class _Compiled:
    """Per-detector data precomputed once at build time."""

    detector: Detector
    validator: Validator | None
    keywords: tuple[bytes, ...]
    keyword_rx: re.Pattern[bytes] | None
    """Any of ``keywords``: one C search of a lowered window instead of ``k in window`` per
    keyword."""
    value_chars: frozenset[int] | None
    allow: frozenset[str]
    required: tuple[bool, ...]
    """Per pattern: its matches count only with a keyword near."""
    before_only: bool
    """``keyword_scope: before``."""
    levels: tuple[Confidence, Confidence]
    """Confidence of a match that passed, without and with a keyword near."""
    exclude_rx: re.Pattern[bytes] | None
    """One of the detector's ``exclude_keywords`` ending the text before a value."""
    trim_rx: re.Pattern[bytes] | None
    """Any of its ``trim_prefixes``, anchored, any case."""
    wide: int
    """The most bytes one of its keywords takes beyond one per character (UTF-8)."""

    @classmethod
    def of(cls, det: Detector) -> _Compiled:
        validator = VALIDATORS[det.validator] if det.validator else None
        keywords = tuple(k.encode() for k in det.keywords)
        conf = det.confidence
        level = conf.base
        if validator is not None and conf.validated is not None:
            level = max(level, conf.validated)
        near = level if conf.context is None else max(level, conf.context)
        return cls(
            det,
            validator,
            keywords,
            _any_of(keywords),
            char_set(det.value_chars) if det.value_chars else None,
            frozenset(det.allow_values),
            tuple(det.requires_keywords(p) for p in range(len(det.patterns))),
            det.keyword_scope == "before",
            (level, near),
            re.compile(rb"\b(?:" + b"|".join(re.escape(k.encode()) for k in det.exclude_keywords)
                       + rb")[ \t:=#-]*\Z") if det.exclude_keywords else None,
            re.compile(b"|".join(re.escape(t.encode()) for t in det.trim_prefixes),
                       re.IGNORECASE) if det.trim_prefixes else None,
            _wide(det.keywords),
        )


_Accepted = tuple[str, str] | None
"""(normalized, value) of a match's bytes that pass allow-list and validator, else None."""


@dataclass(frozen=True, slots=True)
class _Match:
    detector: int
    segment: int
    start: int  # offsets in the joined (normalized) buffer
    end: int
    seg_start: int  # offsets in the segment's original bytes (for rewrite and spans)
    seg_end: int
    normalized: str
    value: str
    context: bool
    confidence: Confidence
    distance: int = 1 << 30
    """Bytes between the value and the nearest keyword that gave it context."""
    weak: bool = False
    """A keyword-required shape (it counts only because of its keyword)."""


class _Collector:
    """Match callback target; kept referenced for the whole scan (hyperscan needs that).

    Ids from ``keyword_base`` on are keyword literals: their hits are kept apart as
    ``(keyword, end)`` and do not count against the match budget.
    """

    __slots__ = ("hits", "keyword_base", "keyword_hits", "limit")

    def __init__(self, limit: int, keyword_base: int | None = None) -> None:
        self.hits: list[tuple[int, int, int]] = []
        self.keyword_hits: list[tuple[int, int]] = []
        self.limit = limit
        self.keyword_base = keyword_base

    def on_match(self, pattern: int, start: int, end: int, flags: int, context: object) -> bool:
        """Record a match; returning True stops the scan once the budget is spent."""
        self.hits.append((pattern, start, end))
        return len(self.hits) >= self.limit

    def on_match_keywords(
        self, pattern: int, start: int, end: int, flags: int, context: object
    ) -> bool:
        """:meth:`on_match` for the main database of a scanner with keyword literals."""
        base = self.keyword_base
        if base is not None and pattern >= base:
            self.keyword_hits.append((pattern - base, end))
            return False
        self.hits.append((pattern, start, end))
        return len(self.hits) >= self.limit


class _MatchFlood(LimitExceeded):
    """Too many raw matches; carries what was found before the scan stopped."""

    def __init__(self, partial: list[_Match]) -> None:
        self.partial = partial
        super().__init__("too many pattern matches", limit="matches")


class Scanner:
    """Compiled detectors plus limits. Build once per detector/policy load, share freely.

    Scans are serialized by a lock (one Hyperscan scratch per database).
    """

    detectors: tuple[Detector, ...]

    def __init__(
        self,
        detectors: tuple[Detector, ...],
        database: hyperscan.Database,
        index: Mapping[int, tuple[int, int]] | Sequence[tuple[int, int]],
        hmac_key: bytes,
        limits: Limits,
        stream_database: hyperscan.Database | None = None,
        near: _Near | None = None,
        starts: Mapping[int, _Start] | None = None,
        pre_database: hyperscan.Database | None = None,
    ) -> None:
        self.detectors = detectors
        self._db = database
        self._pre_db = pre_database
        self._starts = {} if starts is None else starts
        self._stream_db = stream_database
        self._index = index
        self._near = near
        self._stream_index = tuple(
            (d, p) for d, det in enumerate(detectors) for p in range(len(det.patterns))
        )
        self._key = hmac_key
        self._limits = limits
        self._lock = threading.Lock()
        self._compiled = tuple(_Compiled.of(d) for d in detectors)
        words: dict[bytes, list[int]] = {}
        for d, comp in enumerate(self._compiled):
            for k in comp.keywords:
                words.setdefault(k, []).append(d)
        self._words = tuple((k, _label(k), tuple(ds)) for k, ds in words.items())
        vetoes: dict[bytes, list[int]] = {}
        for d, det in enumerate(detectors):
            for veto in det.exclude_keywords:
                vetoes.setdefault(veto.encode(), []).append(d)
        self._vetoes = tuple((k, b"", tuple(ds)) for k, ds in vetoes.items())
        """Every exclude keyword and its detectors (a header field may name one)."""
        """Every detector keyword and the detectors that list it (to read a header)."""
        self._weak = frozenset(d for d, _p in near.index.values()) if near else frozenset()
        self._headers: dict[tuple[bytes, bytes], _Header | None] = {}
        """Header line and delimiter hint -> what it names (exports repeat their header)."""
        self._allow: tuple[AllowList, ...] = ()

    @classmethod
    def build(
        cls,
        detectors: Sequence[Detector],
        *,
        hmac_key: bytes,
        limits: Limits = _DEFAULT_LIMITS,
    ) -> Scanner:
        """Compile one block-mode Hyperscan database for all detectors (the costly step)."""
        if len(hmac_key) < 16:
            raise ValueError("hmac_key must be at least 16 bytes")
        dets = tuple(detectors)
        ids = [d.id for d in dets]
        if len(set(ids)) != len(ids):
            raise ValueError("detector ids must be unique")
        db, index, near, starts, pre_db = _compile_split(dets)
        stream_db = _compile_stream(dets, near)
        warm_up()
        prepare_extraction()
        return cls(dets, db, index, bytes(hmac_key), limits, stream_db, near, starts, pre_db)

    def with_limits(self, limits: Limits) -> Scanner:
        """The same compiled detectors under other limits (no recompilation)."""
        twin = Scanner(self.detectors, self._db, self._index, self._key, limits,
                       self._stream_db, self._near, self._starts, self._pre_db)
        twin._lock = self._lock  # one scratch space per database: share its lock too
        twin._headers = self._headers
        twin._allow = self._allow
        return twin

    def with_allow(self, lists: Sequence[AllowList]) -> Scanner:
        """The same scanner, marking each finding with the allow-lists its value is on."""
        twin = self.with_limits(self._limits)
        twin._allow = tuple(lists)
        return twin

    def _allowed(self, value: str, normalized: str) -> frozenset[str]:
        return frozenset(a.name for a in self._allow if a.allows(value, normalized)) \
            if self._allow else frozenset()

    @property
    def limits(self) -> Limits:
        return self._limits

    @property
    def lock(self) -> threading.Lock:
        """Serializes use of the Hyperscan scratch space (block and stream scans)."""
        return self._lock

    @property
    def stream_database(self) -> hyperscan.Database:
        if self._stream_db is None:
            self._stream_db = _compile_stream(self.detectors, self._near)
        return self._stream_db

    def open_stream(
        self, *, content_type: str | None, content_encoding: str | None
    ) -> StreamScan:
        """A scan fed chunk by chunk (``feed``), ended by ``finish()`` -> ScanResult.

        Memory stays flat whatever the body's size; a value split across chunks is found.
        """
        return StreamScan(self, content_type, content_encoding)

    # -- public ---------------------------------------------------------------------------

    def scan_body(
        self, body: bytes, *, content_type: str | None, content_encoding: str | None
    ) -> ScanResult:
        """Decode, extract and scan one body. Content problems become ``unscannable``."""
        try:
            decoded = decode_body(body, content_encoding, self._limits)
        except (DecodeError, LimitExceeded) as e:
            return ScanResult((), 0, None, unscannable_reason(e))
        try:
            ex = extract(decoded, content_type, self._limits, fast=True)
        except (DecodeError, LimitExceeded) as e:
            # the structure could not be taken apart: still scan the bytes as plain text
            segments = [Segment("body", decoded)]
            matches, flood = self._scan_budgeted(segments)
            return ScanResult(
                self._findings(matches, segments),
                len(decoded),
                None,
                unscannable_reason(e) if flood is None else flood,
            )
        if ex.fast is not None:
            fast = ex.fast
            matches, flood = self._scan_budgeted(fast)
            findings = self._findings(matches, fast)
            return ScanResult(findings, fast.nbytes, ex.file_type, flood or ex.unscannable)
        matches, flood = self._scan_budgeted(ex.segments, _tables(content_type, ex))
        findings = self._findings(matches, ex.segments)
        scanned = sum(len(s.data) for s in ex.segments)
        return ScanResult(findings, scanned, ex.file_type, flood or ex.unscannable)

    def scan_text(self, text: str, *, location: str = "text") -> list[Finding]:
        """Scan one string (a header value, a URL, a chat message).

        Raises LimitExceeded (``limit="matches"``) when the match budget runs out.
        """
        segments = [Segment(location, text.encode("utf-8", "surrogatepass"))]
        return list(self._findings(self._scan(segments), segments))

    def scan_spans(
        self, text: str, *, location: str = "text", content_type: str | None = None
    ) -> list[tuple[Finding, int, int]]:
        """Like :meth:`scan_text`, with each finding's ``start``/``end`` as Python string
        offsets into ``text`` (the original text: normalization is mapped back).

        A CSV/TSV ``content_type`` reads the text's header as a body's would be read; so
        does text without a content type that looks like a table (:func:`looks_tabular`).
        Raises LimitExceeded (``limit="matches"``) when the match budget runs out.
        """
        data = text.encode("utf-8", "surrogatepass")
        segments = [Segment(location, data)]
        found = text_table_hint(content_type, data)
        matches = self._scan(segments, () if found is None else [(0, *found)])
        findings = self._findings(matches, segments)
        if text.isascii():
            return [(f, m.seg_start, m.seg_end) for f, m in zip(findings, matches, strict=True)]
        chars = _CharOffsets(data)
        return [
            (f, chars.at(m.seg_start), chars.at(m.seg_end))
            for f, m in zip(findings, matches, strict=True)
        ]

    def redact(
        self,
        body: bytes,
        *,
        content_type: str | None,
        content_encoding: str | None,
        detectors: Collection[str] | None = None,
        allowed: str | None = None,
    ) -> bytes:
        """Mask matched values in place and re-encode the body as it came.

        Only ``detectors`` (ids) are masked when given, and values on the allow-list named
        ``allowed`` are left as they are. A body without matches is returned unchanged (same
        bytes). Raises ContentError when the body cannot be rebuilt.
        """
        return self.rewrite(body, content_type=content_type, content_encoding=content_encoding,
                            detectors=detectors, allowed=allowed,
                            replace=lambda _detector, value: mask(value))

    def rewrite(
        self,
        body: bytes,
        *,
        content_type: str | None,
        content_encoding: str | None,
        replace: Callable[[str, str], str],
        detectors: Collection[str] | None = None,
        allowed: str | None = None,
    ) -> bytes:
        """Replace each matched value by ``replace(detector_id, value)`` and re-encode; values
        on the allow-list named ``allowed`` (a rule's: :meth:`with_allow`) stay.

        The general form of :meth:`redact` (masking) used by tokenization. Overlapping matches
        of different detectors are replaced as one span, attributed to the leftmost match.
        JSON stays valid, forms and multipart parts are re-encoded, the content encoding is
        re-applied. Raises ContentError when the body cannot be rebuilt.
        """
        decoded = decode_body(body, content_encoding, self._limits)
        ex = extract(decoded, content_type, self._limits)
        if ex.unscannable is not None:
            raise DecodeError("body holds content that cannot be inspected, so not rewritten")
        wanted = None if detectors is None else frozenset(detectors)
        tables = _tables(content_type, ex)
        matches = [
            m
            for m in self._scan(ex.segments, tables)
            if (wanted is None or self.detectors[m.detector].id in wanted)
            and (allowed is None or allowed not in self._allowed(m.value, m.normalized))
        ]
        if not matches:
            return body
        if ex.rebuild is None or any(m.segment >= ex.primary for m in matches):
            # a value inside a document, an archive or a decoded blob cannot be put back
            raise DecodeError("matched values sit in content that cannot be rewritten")
        replacements: dict[int, bytes] = {}
        by_segment: dict[int, list[_Match]] = {}
        for m in matches:
            by_segment.setdefault(m.segment, []).append(m)
        for seg, found in by_segment.items():
            data = ex.segments[seg].data
            out = bytearray()
            pos = 0
            for s, e, detector in _merged_spans(found):
                value = data[s:e].decode("utf-8", "surrogatepass")
                out += data[pos:s] + replace(self.detectors[detector].id, value).encode(
                    "utf-8", "surrogatepass"
                )
                pos = e
            out += data[pos:]
            replacements[seg] = bytes(out)
        return encode_body(ex.rebuild(replacements), parse_encodings(content_encoding))

    def transform(
        self,
        body: bytes,
        *,
        content_type: str | None,
        content_encoding: str | None,
        fn: Callable[[str], str],
    ) -> bytes:
        """Apply ``fn`` to every extracted text piece (JSON strings, form values, text parts).

        For rewrites that are not driven by detectors, such as detokenization: the body is
        decoded, rebuilt with the same structure and re-encoded. Unchanged bodies come back as
        the same bytes. Raises ContentError when the body cannot be decoded or rebuilt.
        """
        decoded = decode_body(body, content_encoding, self._limits)
        ex = extract(decoded, content_type, self._limits)
        if ex.unscannable is not None or ex.rebuild is None:
            raise DecodeError("body cannot be decoded and rebuilt")
        replacements: dict[int, bytes] = {}
        for i, seg in enumerate(ex.segments[: ex.primary]):
            text = seg.data.decode("utf-8", "surrogatepass")
            new = fn(text)
            if new != text:
                replacements[i] = new.encode("utf-8", "surrogatepass")
        if not replacements:
            return body
        return encode_body(ex.rebuild(replacements), parse_encodings(content_encoding))

    # -- internals ------------------------------------------------------------------------

    def _scan_budgeted(
        self, segments: Sequence[Segment] | JsonSegments, tables: _Tables = ()
    ) -> tuple[list[_Match], str | None]:
        """Matches, and the unscannable reason if the match budget stopped the scan early."""
        try:
            return self._scan(segments, tables), None
        except _MatchFlood as e:
            return e.partial, unscannable_reason(e)

    def _scan(
        self, segments: Sequence[Segment] | JsonSegments, tables: _Tables = ()
    ) -> list[_Match]:
        """``tables``: (segment, delimiter hint) of the segments that are delimited text."""
        if isinstance(segments, JsonSegments):
            extra = segments.extra
            if len(segments) > 1 and all(s.data.isascii() for s in extra):
                # ASCII JSON: nothing to fold; the buffer is the joined tokens as they are
                buf = segments.joined
                offsets = list(segments.starts)
                pos = len(buf) + len(_SEP)
                for s in extra:
                    offsets.append(pos)
                    pos += len(s.data) + len(_SEP)
                if extra:
                    buf = _SEP.join([buf, *(s.data for s in extra)])
                return self._scan_joined(buf, _PlainNorms(segments), offsets, segments.keyed)
            segments = segments.materialize()
        if not segments:
            return []
        if len(segments) > 1 and all(s.data.isascii() for s in segments):
            norms = [Normalized(s.data, None) for s in segments]  # nothing to fold
        else:
            norms = [normalize_bytes(s.data) for s in segments]
        buf = norms[0].data if len(norms) == 1 else _SEP.join(n.data for n in norms)
        if not buf:
            return []
        offsets, pos = [], 0
        for n in norms:
            offsets.append(pos)
            pos += len(n.data) + len(_SEP)
        keyed = frozenset(i for i, s in enumerate(segments) if s.keyed)
        columns = [c for i, hint, preamble in tables
                   if (c := self._columns(buf, offsets[i], len(norms[i].data), hint, preamble))]
        return self._scan_joined(buf, norms, offsets, keyed.__contains__ if keyed else None,
                                 columns)

    def _header(self, line: bytes, hint: bytes) -> _Header | None:
        """What a header line names (None: nothing), remembered per line."""
        key = (line, hint)
        if key in self._headers:
            return self._headers[key]
        lowered = line.lower()
        if hint:
            delimiter = hint[0]
        else:
            outside = b"".join(lowered.split(b'"')[::2])
            delimiter = max(_DELIMITERS, key=outside.count)
            if not outside.count(delimiter):
                delimiter = _DELIMITERS[0]  # one column
        fields = [f.lower() for f in _fields(line, delimiter)]
        named = _naming(self._words, lowered, fields)
        excluded = _naming(self._vetoes, lowered, fields)
        header = None if not named and not excluded else _Header(
            delimiter, named, frozenset(named) & self._weak, excluded)
        if len(self._headers) >= 256:
            self._headers.clear()
        self._headers[key] = header
        return header

    def _columns(self, buf: bytes, start: int, size: int, hint: bytes,
                 preamble: int = 0) -> _Columns | None:
        """Column context of the delimited text ``buf[start:start + size]`` (its header up to
        ``preamble`` lines down); None when its header names no keyword."""
        if preamble:
            found = sniff_table(buf[start : start + min(size, _SNIFF_BYTES)], preamble)
            if found is None:
                return None
            start, size = start + found[1], size - found[1]
        nl = header_end(buf, start, start + size)
        if nl < 0:
            return None
        header = self._header(buf[start:nl].rstrip(b"\r"), hint)
        return None if header is None else _Columns(buf, nl + 1, start + size, header)

    def _scan_joined(
        self,
        buf: bytes,
        norms: Sequence[Normalized],
        offsets: list[int],
        keyed: Callable[[int], bool] | None = None,
        columns: Sequence[_Columns] = (),
    ) -> list[_Match]:
        """Scan segments joined by NUL (``offsets`` where each starts) and judge the hits.

        ``keyed(i)``: segment ``i`` is a JSON value whose key is segment ``i - 1``;
        ``columns``: of the segments that are delimited text whose header names keywords.
        """
        near = self._near
        collector = _Collector(self._limits.max_matches,
                               None if near is None else near.keyword_base)
        # strong reference for the duration of the scan
        handler = collector.on_match if near is None else collector.on_match_keywords
        try:
            with self._lock:
                self._db.scan(buf, match_event_handler=handler)
                if self._pre_db is not None:
                    self._pre_db.scan(buf, match_event_handler=handler)
                opened = [(c.body, c.end, c.header.weak) for c in columns if c.header.weak]
                if near is not None and (collector.keyword_hits or opened):
                    self._scan_near(near, buf, collector, opened)
        except hyperscan.ScanTerminated as e:
            hits = self._with_starts(buf, collector.hits)
            raise _MatchFlood(self._evaluate(buf, norms, offsets, hits, keyed=keyed,
                                             columns=columns)) from e
        except hyperscan.error as e:
            raise ScanError(f"hyperscan scan failed: {type(e).__name__}") from e
        return self._evaluate(buf, norms, offsets, self._with_starts(buf, collector.hits),
                              keyed=keyed, columns=columns)

    def _with_starts(
        self, buf: bytes, hits: list[tuple[int, int, int]]
    ) -> list[tuple[int, int, int]]:
        """Hits of patterns compiled without SOM get their leftmost start back."""
        starts = self._starts
        if not starts:
            return hits
        out: list[tuple[int, int, int]] = []
        for pattern, start, end in hits:
            found = starts.get(pattern)
            if found is not None:
                start = found.start(buf, end)
                if start < 0:
                    continue  # cannot happen for the shared dialect; never guess a start
            out.append((pattern, start, end))
        return out

    def _scan_near(
        self, near: _Near, buf: bytes, collector: _Collector, opened: Sequence[_Opened] = ()
    ) -> None:
        """Weak patterns over the merged windows around keyword hits (lock held)."""
        hits = collector.hits
        for hit in self._near_hits(near, buf, 0, collector.keyword_hits, final=True,
                                   opened=opened):
            hits.append(hit)
            if len(hits) >= collector.limit:
                raise hyperscan.ScanTerminated("match budget spent")

    def _near_hits(
        self,
        near: _Near,
        buf: bytes,
        origin: int,
        keyword_hits: Sequence[tuple[int, int]],
        *,
        final: bool,
        opened: Sequence[_Opened] = (),
    ) -> list[tuple[int, int, int]]:
        """Weak-pattern hits near ``keyword_hits`` (keyword, end); the lock must be held.

        ``buf`` holds offsets ``[origin, origin + len(buf))`` (a stream keeps only a recent
        window) and ends the data when ``final``. A hit is kept only if a keyword of its
        own detector starts within ``keyword_window`` of it, or if it lies in rows
        ``opened`` for its detector by a CSV header that names one of its keywords
        (``(start, end, detectors)``; each is necessary for the exact check in
        :meth:`_judge`; a match there may hold one delimiter on each side, as the trim
        allows). Opened rows are scanned with two bytes more on each side, so such a match
        touches no window edge. Offsets in and out are absolute.
        """
        limit = origin + len(buf)
        spans: list[tuple[int, int]] = []
        for lo, hi, _dets in opened:
            spans.append((max(origin, lo - 2), min(limit, hi + 2)))
        starts: dict[int, list[int]] = {}
        for k, end in keyword_hits:
            ks = end - len(near.keywords[k])
            pad = near.pads[k]
            spans.append((max(origin, ks - pad), min(limit, end + pad)))
            for d in near.owners[k]:
                starts.setdefault(d, []).append(ks)
        spans.sort()
        for positions in starts.values():
            positions.sort()
        windows: list[tuple[int, int]] = []
        for a, b in spans:
            if windows and a <= windows[-1][1]:
                if b > windows[-1][1]:
                    windows[-1] = (windows[-1][0], b)
            else:
                windows.append((a, b))
        raw: list[tuple[int, int, int]] = []

        def on_near(pattern: int, start: int, end: int, flags: int, context: object) -> bool:
            raw.append((pattern, start, end))
            return False

        out: list[tuple[int, int, int]] = []
        for a, b in windows:
            raw.clear()
            near.database.scan(buf[a - origin : b - origin], match_event_handler=on_near)
            inner_end = b < limit or not final
            for pattern, start, end in raw:
                if (start == 0 and a > 0) or (end == b - a and inner_end):
                    continue  # at an inner window edge: a false \b or ^ may have made it
                d = near.index[pattern][0]
                s, e = start + a, end + a
                found = starts.get(d)
                if found:
                    w = self.detectors[d].keyword_window
                    i = bisect.bisect_left(found, s - w - self._compiled[d].wide)
                    if i < len(found) and found[i] <= e + w:
                        out.append((pattern, s, e))
                        continue
                if any(d in dets and lo - 1 <= s and e <= hi + 1 for lo, hi, dets in opened):
                    out.append((pattern, s, e))
        return out

    def _evaluate(
        self,
        buf: bytes,
        norms: Sequence[Normalized],
        offsets: list[int],
        hits: list[tuple[int, int, int]],
        *,
        dedupe: bool = True,
        index: Mapping[int, tuple[int, int]] | Sequence[tuple[int, int]] | None = None,
        keyed: Callable[[int], bool] | None = None,
        columns: Sequence[_Columns] = (),
    ) -> list[_Match]:
        index = self._index if index is None else index
        compiled = self._compiled
        lowered: bytes | None = None
        keyword_anywhere: dict[int, bool] = {}
        memos: dict[int, dict[bytes, _Accepted]] = {}
        accepted: list[_Match] = []
        seen: set[tuple[int, int, int]] = set()
        single = len(offsets) == 1
        for pattern_id, raw_start, raw_end in hits:
            d, p = index[pattern_id]
            comp = compiled[d]
            start, end = raw_start, raw_end
            if comp.value_chars is not None:
                while start < end and buf[start] not in comp.value_chars:
                    start += 1
                while end > start and buf[end - 1] not in comp.value_chars:
                    end -= 1
            if comp.trim_rx is not None and (cut := comp.trim_rx.match(buf, start, end)):
                start = cut.end()
            if (d, start, end) in seen or start >= end:
                continue
            seen.add((d, start, end))
            seg = 0 if single else bisect.bisect_right(offsets, start) - 1
            seg_start = offsets[seg]
            seg_end = seg_start + len(norms[seg].data)
            if end > seg_end:
                continue  # spans two segments
            required = comp.required[p]
            if required and comp.keywords:
                anywhere = keyword_anywhere.get(d)
                if anywhere is None:
                    if lowered is None:
                        lowered = buf.translate(_LOWER_KEYED)
                    # bytes.find per word: far faster over a whole body than a caseless regex
                    # (or a header naming it: a stream's window may no longer hold it)
                    anywhere = any(k in lowered for k in comp.keywords) or any(
                        d in c.header.named for c in columns)
                    keyword_anywhere[d] = anywhere
                if not anywhere:
                    continue  # prefilter: no keyword anywhere, no weak match can count
            # a JSON value's key (the segment before it) reads as text just before the value
            lo = offsets[seg - 1] if (keyed is not None and seg and comp.keywords
                                      and keyed(seg)) else seg_start
            memo = memos.get(d)
            if memo is None:
                memo = memos[d] = {}
            judged = self._judge(comp, required, buf, start, end, lo, seg_end, memo=memo,
                                 columns=columns, detector=d)
            if judged is None:
                continue
            normalized, value, context, level, distance = judged
            omap = norms[seg].map
            rs, re_ = start - seg_start, end - seg_start
            if omap is not None:
                rs, re_ = omap.start(rs), omap.end(re_)
            accepted.append(
                _Match(d, seg, start, end, rs, re_, normalized, value, context, level, distance,
                       required)
            )
        return _dedupe(accepted) if dedupe else accepted

    def _evaluate_stream(
        self,
        window: bytes,
        hits: list[tuple[int, int, int]],
        base: int,
        columns: Sequence[_Columns] = (),
    ) -> list[_Match]:
        """Judge stream hits (offsets into ``window``); returned offsets are stream offsets."""
        found = self._evaluate(window, [Normalized(window, None)], [0], hits, dedupe=False,
                               index=self._stream_index if self._near is None else self._index,
                               columns=columns)
        return [replace(m, start=m.start + base, end=m.end + base) for m in found]

    def _judge(
        self,
        comp: _Compiled,
        required: bool,
        buf: bytes,
        start: int,
        end: int,
        lo: int,
        hi: int,
        *,
        memo: dict[bytes, _Accepted] | None = None,
        columns: Sequence[_Columns] = (),
        detector: int = -1,
    ) -> tuple[str, str, bool, Confidence, int] | None:
        """Allow-list, validator, keyword window, confidence and keyword distance of one
        trimmed match.

        ``lo``/``hi`` bound the context window (the segment, or what a stream still holds;
        ``lo`` is the key's start for a keyed JSON value). ``memo`` keeps, for one scan and
        one detector, what :func:`_accept` said of each value: a value recurs (one address in
        many rows) and python-stdnum is most of the cost of a hit. Without a keyword in the
        window, a CSV header naming the value's column (one of ``columns``, for ``detector``)
        is the keyword: it stands before the value, so ``keyword_scope`` is met.
        """
        raw = buf[start:end]
        if memo is None:
            accepted = _accept(comp, raw)
        elif raw in memo:
            accepted = memo[raw]
        else:
            accepted = memo[raw] = _accept(comp, raw)
        if accepted is None:
            return None
        normalized, value = accepted
        exclude = comp.exclude_rx
        if exclude is not None and exclude.search(buf[max(lo, start - 64) : start].lower()):
            return None  # "firmware 2.0.1.3": the same shape, something else
        if exclude is not None and any(c.excludes(detector, start, end) for c in columns):
            return None  # in a part_number column
        context = False
        distance = 1 << 30
        rx = comp.keyword_rx
        if rx is not None:
            w = comp.detector.keyword_window
            # before and after the value, not inside it ("mail" in "mail.example.com");
            # with keyword_scope "before" only a label ahead of the value counts. The
            # window grows by the bytes a keyword in another script takes beyond one per
            # character: "जन्मतिथि" (8 characters, 24 bytes) may label a date as "birthday"
            # does
            before = buf[max(lo, start - w - comp.wide) : start].lower()
            if b"\0" in before:  # a JSON value after its key, read as "key: value"
                before = before.replace(b"\0", b": ")
            ends = [m.end() for m in rx.finditer(before, max(0, len(before) - w))]
            if not ends and comp.wide and not before.isascii():  # another script's label
                ends = [m.end() for m in rx.finditer(before) if not m.group().isascii()
                        and len(before) - m.start() <= w + _extra(m.group())]
            if ends:
                context, distance = True, len(before) - ends[-1]  # the nearest one
            elif not comp.before_only:
                after = rx.search(buf[end : min(hi, end + w + comp.wide)].lower())
                if after is not None and after.end() <= w + _extra(after.group()):
                    context, distance = True, after.start()
            if not context and columns:
                context = any(c.names(detector, start, end) for c in columns)
                distance = w
        if required and not context:
            return None
        return normalized, value, context, comp.levels[context], distance

    def _findings(
        self, matches: Sequence[_Match], segments: Sequence[Segment] | JsonSegments
    ) -> tuple[Finding, ...]:
        """:meth:`_finding` of each match; a value that recurs is masked and hashed once, and
        a finding that recurs (same value, place and judgement) is one shared frozen object."""
        masked: dict[str, str] = {}
        digests: dict[str, str] = {}
        same: dict[tuple[int, int, str, str, bool, Confidence], Finding] = {}
        out: list[Finding] = []
        for m in matches:
            key = (m.detector, m.segment, m.value, m.normalized, m.context, m.confidence)
            found = same.get(key)
            if found is not None:
                out.append(found)
                continue
            det = self.detectors[m.detector]
            shown = masked.get(m.value)
            if shown is None:
                shown = masked[m.value] = mask(m.value)
            digest = digests.get(m.normalized)
            if digest is None:
                digest = digests[m.normalized] = self._digest(m.normalized)
            found = same[key] = Finding(
                detector=det.id,
                name=det.name,
                category=det.category,
                confidence=m.confidence,
                location=segments[m.segment].location,
                masked=shown,
                hmac=digest,
                context=m.context,
                validator=det.validator,
                allowed=self._allowed(m.value, m.normalized),
            )
            out.append(found)
        return tuple(out)

    def _digest(self, normalized: str) -> str:
        """The keyed hash that correlates a value across findings without keeping it."""
        return hmac.digest(self._key, normalized.encode("utf-8", "surrogatepass"),
                           "sha256").hex()

    def _finding(self, m: _Match, segments: Sequence[Segment] | JsonSegments) -> Finding:
        det = self.detectors[m.detector]
        return Finding(
            detector=det.id,
            name=det.name,
            category=det.category,
            confidence=m.confidence,
            location=segments[m.segment].location,
            masked=mask(m.value),
            hmac=self._digest(m.normalized),
            context=m.context,
            validator=det.validator,
            allowed=self._allowed(m.value, m.normalized),
        )


def _accept(comp: _Compiled, raw: bytes) -> _Accepted:
    """The value and its normalized form if the allow-list and the validator let it pass."""
    value = raw.decode("utf-8", "replace")
    validator = comp.validator
    if validator is None:
        normalized = value.strip()
        return None if normalized in comp.allow else (normalized, value)
    normalized = validator.compact(value)
    if normalized in comp.allow or not validator.accepts(normalized):
        return None
    return normalized, value


class _PlainNorms(Sequence[Normalized]):
    """Fast-path JSON segments as they are (ASCII: normalization changes nothing)."""

    def __init__(self, segments: JsonSegments) -> None:
        self._segments = segments

    def __len__(self) -> int:
        return len(self._segments)

    @overload
    def __getitem__(self, index: int) -> Normalized: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[Normalized]: ...
    def __getitem__(self, index: int | slice) -> Normalized | Sequence[Normalized]:
        if isinstance(index, slice):
            return [self[i] for i in range(len(self))[index]]
        seg = self._segments
        data = seg.parts[index] if 0 <= index < seg.count else seg[index].data
        return Normalized(data, None)


_LOWER_KEYED = bytes.maketrans(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ\0", b"abcdefghijklmnopqrstuvwxyz:")
"""Lower case, and a JSON key's end (the NUL before its value) as the colon of a label."""
def _wide(keywords: Sequence[str]) -> int:
    return max((len(k.encode()) - len(k) for k in keywords), default=0)


def _extra(word: bytes) -> int:
    """Bytes a matched keyword takes beyond one per character."""
    return 0 if word.isascii() else len(word) - len(word.decode("utf-8", "replace"))


_FIELD_TOKENS = re.compile(rb"[^a-z0-9\x80-\xff]+")


def _naming(words: Sequence[tuple[bytes, bytes, tuple[int, ...]]], lowered: bytes,
            fields: list[bytes]) -> dict[int, frozenset[int]]:
    """Per detector, the columns whose header field holds one of its words (or, for a
    word with a :func:`_label`, that label as a whole token of the field)."""
    found: dict[int, set[int]] = {}
    tokens: list[list[bytes]] | None = None
    for word, label, owners in words:
        if word in lowered or (label and label in lowered):
            if tokens is None:
                tokens = [_FIELD_TOKENS.split(f) for f in fields]
            for c, field in enumerate(fields):
                if word in field or (label and label in tokens[c]):
                    for d in owners:
                        found.setdefault(d, set()).add(c)
    return {d: frozenset(cs) for d, cs in found.items()}


def _label(keyword: bytes) -> bytes:
    """A keyword written with the punctuation that labels a value in text ("sin:", "mobil ",
    "(sin)"), as a header field names its column: the word alone, matched as a whole token
    of the field (b"" when the keyword has no such punctuation)."""
    word = keyword.strip(b" :=#.()-")
    return word if word != keyword and _FIELD_TOKENS.fullmatch(word) is None and \
        len(_FIELD_TOKENS.split(word)) == 1 else b""


def _any_of(words: tuple[bytes, ...]) -> re.Pattern[bytes] | None:
    """A pattern found in a text exactly when one of ``words`` is (None for no words)."""
    return re.compile(b"|".join(map(re.escape, words))) if words else None


def _dedupe(matches: list[_Match]) -> list[_Match]:
    """Leftmost-longest per detector: overlapping matches of one detector count once."""
    matches.sort(key=lambda m: (m.detector, m.start, -m.end))
    out: list[_Match] = []
    last_detector, last_end = -1, -1
    for m in matches:
        if m.detector == last_detector and m.start < last_end:
            continue
        out.append(m)
        last_detector, last_end = m.detector, m.end
    out.sort(key=lambda m: (m.start, m.detector))
    return _arbitrate(out)


def _arbitrate(matches: list[_Match]) -> list[_Match]:
    """One value read by several detectors: those whose own keyword is nearest win.

    "CPR-nr: 111096-6563" is a Danish CPR number that also passes the Finnish check, and in
    "Reisepass 823294437,...\n2,SSN ..." the passport label is nearer than the next row's
    "SSN": a value is not also reported by a detector whose keyword is farther, or absent
    (same span only: an address inside a labelled database URL still counts). A weak shape
    (counted only for its keyword) displaces a strong one only when that has no keyword at
    all. ``matches`` are sorted by start.
    """
    out: list[_Match] = []
    i = 0
    while i < len(matches):
        j = i + 1
        while j < len(matches) and matches[j].start == matches[i].start:
            j += 1
        group = matches[i:j]
        if len(group) > 1:
            group = [m for m in group if not any(
                n.context and n.end == m.end and (not m.context or (
                    n.distance < m.distance and n.weak <= m.weak)) for n in group)]
        out += group
        i = j
    return out


def _merged_spans(matches: list[_Match]) -> list[tuple[int, int, int]]:
    """Across detectors: overlapping spans (original segment offsets) merge into their union."""
    spans: list[tuple[int, int, int]] = []
    for m in sorted(matches, key=lambda m: (m.seg_start, m.seg_end)):
        if spans and m.seg_start < spans[-1][1]:
            spans[-1] = (spans[-1][0], max(spans[-1][1], m.seg_end), spans[-1][2])
        else:
            spans.append((m.seg_start, m.seg_end, m.detector))
    return spans


class _CharOffsets:
    """UTF-8 byte offsets to string offsets; monotonic queries are answered incrementally."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.byte = 0
        self.char = 0

    def at(self, offset: int) -> int:
        if offset < self.byte:
            self.byte = self.char = 0
        # offsets fall on character boundaries (matches map back to whole characters)
        self.char += len(self.data[self.byte : offset].decode("utf-8", "surrogatepass"))
        self.byte = offset
        return self.char
