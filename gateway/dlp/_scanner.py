"""The scanner: one Hyperscan database for all detectors, then validation and context.

Flow for a body: bounded decode -> extract segments -> one block-mode scan over all
segments joined by NUL -> per match: trim, allow-list, validator, keyword window,
confidence -> leftmost-longest dedupe per detector -> findings (masked preview + keyed
HMAC, never the raw value).
"""

from __future__ import annotations

import bisect
import hashlib
import hmac
import threading
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass

import hyperscan

from gateway.errors import DecodeError, LimitExceeded, ScanError

from ._decode import decode_body, encode_body, parse_encodings, unscannable_reason
from ._extract import Segment, extract
from ._limits import Limits
from ._mask import mask
from ._model import Confidence, Detector, char_set, compile_database
from ._validators import VALIDATORS, Validator

__all__ = ["Finding", "ScanResult", "Scanner"]

_SEP = b"\x00"  # no pattern matches NUL; matches spanning two segments are dropped anyway
_DEFAULT_LIMITS = Limits()


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
    value_chars: frozenset[int] | None
    allow: frozenset[str]


@dataclass(frozen=True, slots=True)
class _Match:
    detector: int
    segment: int
    start: int  # offsets in the joined buffer
    end: int
    normalized: str
    value: str
    context: bool
    confidence: Confidence


class _Collector:
    """Match callback target; kept referenced for the whole scan (hyperscan needs that)."""

    __slots__ = ("hits", "limit")

    def __init__(self, limit: int) -> None:
        self.hits: list[tuple[int, int, int]] = []
        self.limit = limit

    def on_match(self, pattern: int, start: int, end: int, flags: int, context: object) -> bool:
        """Record a match; returning True stops the scan once the budget is spent."""
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
        index: tuple[tuple[int, int], ...],
        hmac_key: bytes,
        limits: Limits,
    ) -> None:
        self.detectors = detectors
        self._db = database
        self._index = index
        self._key = hmac_key
        self._limits = limits
        self._lock = threading.Lock()
        self._compiled = tuple(
            _Compiled(
                d,
                VALIDATORS[d.validator] if d.validator else None,
                tuple(k.encode() for k in d.keywords),
                char_set(d.value_chars) if d.value_chars else None,
                frozenset(d.allow_values),
            )
            for d in detectors
        )

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
        db, index = compile_database(dets)
        return cls(dets, db, index, bytes(hmac_key), limits)

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
            ex = extract(decoded, content_type, self._limits)
        except (DecodeError, LimitExceeded) as e:
            # the structure could not be taken apart: still scan the bytes as plain text
            segments = [Segment("body", decoded)]
            matches, flood = self._scan_budgeted(segments)
            return ScanResult(
                tuple(self._finding(m, segments) for m in matches),
                len(decoded),
                None,
                unscannable_reason(e) if flood is None else flood,
            )
        matches, flood = self._scan_budgeted(ex.segments)
        findings = tuple(self._finding(m, ex.segments) for m in matches)
        scanned = sum(len(s.data) for s in ex.segments)
        return ScanResult(findings, scanned, ex.file_type, flood or ex.unscannable)

    def scan_text(self, text: str, *, location: str = "text") -> list[Finding]:
        """Scan one string (a header value, a URL, a chat message).

        Raises LimitExceeded (``limit="matches"``) when the match budget runs out.
        """
        segments = [Segment(location, text.encode("utf-8", "surrogatepass"))]
        return [self._finding(m, segments) for m in self._scan(segments)]

    def redact(
        self,
        body: bytes,
        *,
        content_type: str | None,
        content_encoding: str | None,
        detectors: Collection[str] | None = None,
    ) -> bytes:
        """Mask matched values in place and re-encode the body as it came.

        Only ``detectors`` (ids) are masked when given. A body without matches is returned
        unchanged (same bytes). Raises ContentError when the body cannot be rebuilt.
        """
        return self.rewrite(body, content_type=content_type, content_encoding=content_encoding,
                            detectors=detectors, replace=lambda _detector, value: mask(value))

    def rewrite(
        self,
        body: bytes,
        *,
        content_type: str | None,
        content_encoding: str | None,
        replace: Callable[[str, str], str],
        detectors: Collection[str] | None = None,
    ) -> bytes:
        """Replace each matched value by ``replace(detector_id, value)`` and re-encode.

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
        matches = [
            m
            for m in self._scan(ex.segments)
            if wanted is None or self.detectors[m.detector].id in wanted
        ]
        if not matches or ex.rebuild is None:
            return body
        offsets = self._offsets(ex.segments)
        replacements: dict[int, bytes] = {}
        by_segment: dict[int, list[_Match]] = {}
        for m in matches:
            by_segment.setdefault(m.segment, []).append(m)
        for seg, found in by_segment.items():
            data = ex.segments[seg].data
            base = offsets[seg]
            out = bytearray()
            pos = 0
            for start, end, detector in _merged_spans(found):
                s, e = start - base, end - base
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
        for i, seg in enumerate(ex.segments):
            text = seg.data.decode("utf-8", "surrogatepass")
            new = fn(text)
            if new != text:
                replacements[i] = new.encode("utf-8", "surrogatepass")
        if not replacements:
            return body
        return encode_body(ex.rebuild(replacements), parse_encodings(content_encoding))

    # -- internals ------------------------------------------------------------------------

    def _scan_budgeted(self, segments: Sequence[Segment]) -> tuple[list[_Match], str | None]:
        """Matches, and the unscannable reason if the match budget stopped the scan early."""
        try:
            return self._scan(segments), None
        except _MatchFlood as e:
            return e.partial, unscannable_reason(e)

    @staticmethod
    def _offsets(segments: Sequence[Segment]) -> list[int]:
        offsets, pos = [], 0
        for seg in segments:
            offsets.append(pos)
            pos += len(seg.data) + len(_SEP)
        return offsets

    def _scan(self, segments: Sequence[Segment]) -> list[_Match]:
        if not segments:
            return []
        buf = segments[0].data if len(segments) == 1 else _SEP.join(s.data for s in segments)
        if not buf:
            return []
        offsets = self._offsets(segments)
        collector = _Collector(self._limits.max_matches)
        handler = collector.on_match  # strong reference for the duration of the scan
        try:
            with self._lock:
                self._db.scan(buf, match_event_handler=handler)
        except hyperscan.ScanTerminated as e:
            raise _MatchFlood(self._evaluate(buf, segments, offsets, collector.hits)) from e
        except hyperscan.error as e:
            raise ScanError(f"hyperscan scan failed: {type(e).__name__}") from e
        return self._evaluate(buf, segments, offsets, collector.hits)

    def _evaluate(
        self,
        buf: bytes,
        segments: Sequence[Segment],
        offsets: list[int],
        hits: list[tuple[int, int, int]],
    ) -> list[_Match]:
        lowered: bytes | None = None
        keyword_anywhere: dict[int, bool] = {}
        accepted: list[_Match] = []
        seen: set[tuple[int, int, int]] = set()
        for pattern_id, raw_start, raw_end in hits:
            d, p = self._index[pattern_id]
            comp = self._compiled[d]
            start, end = raw_start, raw_end
            if comp.value_chars is not None:
                while start < end and buf[start] not in comp.value_chars:
                    start += 1
                while end > start and buf[end - 1] not in comp.value_chars:
                    end -= 1
            if (d, start, end) in seen or start >= end:
                continue
            seen.add((d, start, end))
            seg = bisect.bisect_right(offsets, start) - 1
            seg_start = offsets[seg]
            seg_end = seg_start + len(segments[seg].data)
            if end > seg_end:
                continue  # spans two segments
            required = comp.detector.requires_keywords(p)
            if required and comp.keywords:
                if lowered is None:
                    lowered = buf.lower()
                if d not in keyword_anywhere:
                    keyword_anywhere[d] = any(k in lowered for k in comp.keywords)
                if not keyword_anywhere[d]:
                    continue  # prefilter: no keyword anywhere, no weak match can count
            value = buf[start:end].decode("utf-8", "replace")
            normalized = comp.validator.compact(value) if comp.validator else value.strip()
            if normalized in comp.allow:
                continue
            if comp.validator is not None and not comp.validator.is_valid(value):
                continue
            context = False
            if comp.keywords:
                w = comp.detector.keyword_window
                # before and after the value, not inside it ("mail" in "mail.example.com")
                before = buf[max(seg_start, start - w) : start].lower()
                after = buf[end : min(seg_end, end + w)].lower()
                context = any(k in before or k in after for k in comp.keywords)
            if required and not context:
                continue
            conf = comp.detector.confidence
            level = conf.base
            if comp.validator is not None and conf.validated is not None:
                level = max(level, conf.validated)
            if context and conf.context is not None:
                level = max(level, conf.context)
            accepted.append(_Match(d, seg, start, end, normalized, value, context, level))
        return _dedupe(accepted)

    def _finding(self, m: _Match, segments: Sequence[Segment]) -> Finding:
        det = self.detectors[m.detector]
        digest = hmac.new(self._key, m.normalized.encode("utf-8", "surrogatepass"), hashlib.sha256)
        return Finding(
            detector=det.id,
            name=det.name,
            category=det.category,
            confidence=m.confidence,
            location=segments[m.segment].location,
            masked=mask(m.value),
            hmac=digest.hexdigest(),
            context=m.context,
            validator=det.validator,
        )


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
    return out


def _merged_spans(matches: list[_Match]) -> list[tuple[int, int, int]]:
    """Across detectors: overlapping spans merge into their union (start, end, first detector)."""
    spans: list[tuple[int, int, int]] = []
    for m in sorted(matches, key=lambda m: (m.start, m.end)):
        if spans and m.start < spans[-1][1]:
            spans[-1] = (spans[-1][0], max(spans[-1][1], m.end), spans[-1][2])
        else:
            spans.append((m.start, m.end, m.detector))
    return spans
