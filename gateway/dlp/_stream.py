"""Streaming scans: a body scanned chunk by chunk in flat memory, whatever its size.

One Hyperscan stream per body over a second database compiled in stream mode with a large
start-of-match horizon, so a value split across chunks (HTTP/1 reads, HTTP/2 frames) is found
as if the body were one block. Hyperscan only reports offsets; to validate a match and look
for keywords around it, the stream keeps a bounded window of the most recent (decoded,
normalized) bytes. A match is judged once ``keyword_window`` bytes after it have arrived (or
at the end), then dropped from memory: what is kept is the findings, never the body.

Content encodings are undone incrementally under a ratio budget; text in another charset
(``charset=`` in the content type, else a UTF-16/32 byte-order mark) is transcoded to UTF-8
by an incremental decoder, which keeps a character split across chunks; text is normalized
as it goes; url-encoded forms are percent-decoded as they go. Bodies whose structure has to
be seen whole (multipart, archives, office documents, PDF) are also spooled to a temporary
file up to ``max_body_bytes`` and extracted at the end like a buffered body; bigger ones
keep the streamed findings and are marked unscannable (``limit_exceeded:body_size``).

A CSV/TSV body's header line (the first record, up to 8 KiB) is kept for the whole stream:
its field names are context for the values of their columns, as for a buffered body.
"""

from __future__ import annotations

import codecs
import contextlib
import re
import sys
import tempfile
import urllib.parse
from typing import TYPE_CHECKING

import hyperscan

from gateway.errors import DecodeError, LimitExceeded, ScanError

from ._decode import CodecError, StreamDecoder, unscannable_reason
from ._extract import (
    _BOMS,
    _UTF8_NAMES,
    LANES_SAMPLE,
    Segment,
    _charset,
    lanes_codec,
    parse_content_type,
)
from ._hsdb import compile_cached
from ._model import FLAGS, Detector
from ._normalize import normalize_chunk_text
from ._sniff import sniff_file_type

if TYPE_CHECKING:
    from ._scanner import Finding, Scanner, ScanResult, _Match, _Near
    from ._tables import _Columns, _Header

__all__ = ["StreamScan", "compile_stream_database"]

_SPOOL_MEMORY = 1024 * 1024
_STRUCTURED = frozenset(
    {"zip", "docx", "xlsx", "pptx", "odt", "ods", "odp", "pdf", "gzip", "tar", "7z", "bzip2", "xz"}
)
"""File types whose content is only readable whole: spooled and extracted at the end."""
_SKIP = frozenset({"png", "jpeg", "gif", "webp", "bmp", "tiff", "ico", "mp3", "ogg", "flac",
                   "mp4", "wasm", "elf"})
"""Media and executables: their bytes are counted, not scanned (as for buffered bodies)."""
_PCT_TAIL = re.compile(rb"%[0-9A-Fa-f]?$")
_NATIVE = "le" if sys.byteorder == "little" else "be"
_REOPEN = 512 + 2
"""How far back each round over a CSV body's opened rows starts: more than the longest
weak-pattern match (``_scanner._NEAR_MAX_WIDTH``), so the match that the last round left
for touching its end starts inside this round's rows."""


def _by_bom(head: bytes, declared: str | None, final: bool) -> tuple[str, int] | None:
    """(codec, mark length) for text whose byte order or charset only a BOM tells.

    ``declared`` is None (no charset: a UTF-16/32 mark, else UTF-8, as for buffered text),
    "utf-16" or "utf-32" (the mark gives the order; without one, the host's order, as
    ``bytes.decode("utf-16")`` does). None while ``head`` could still grow into a mark.
    """
    boms = [(b, c) for b, c in _BOMS if declared is None or c.startswith(declared)]
    for bom, codec in boms:
        if head.startswith(bom):
            return codec, len(bom)
        if not final and bom.startswith(head):
            return None
    return ("utf-8", 0) if declared is None else (f"{declared}-{_NATIVE}", 0)


def _text_codec(charset: str) -> str:
    """The codec a declared charset names, "utf-8" for names that are not text codecs."""
    try:
        b"\0".decode(charset, "ignore")  # base64, zlib ... are codecs, not charsets
    except LookupError:
        return "utf-8"
    return charset


def compile_stream_database(detectors: tuple[Detector, ...]) -> hyperscan.Database:
    """The stream-mode twin of the block database (same expressions, ids and flags)."""
    index = [(d, p) for d, det in enumerate(detectors) for p in range(len(det.patterns))]
    try:
        db = compile_cached([detectors[d].patterns[p].regex.encode() for d, p in index],
                            range(len(index)), [FLAGS] * len(index),
                            hyperscan.HS_MODE_STREAM | hyperscan.HS_MODE_SOM_HORIZON_LARGE)
    except hyperscan.error as e:
        raise ScanError(f"stream database does not compile: {e}") from e
    return db


class _Flood(Exception):
    pass


class StreamScan:
    """One body, fed chunk by chunk: ``feed(chunk)`` then ``finish()`` -> ScanResult.

    ``feed`` never raises for bad content: the first problem is kept as the unscannable
    reason and the rest of the body is only counted. Call ``close()`` when a stream is
    abandoned (a client that went away) to release the Hyperscan stream.
    """

    def __init__(
        self, scanner: Scanner, content_type: str | None, content_encoding: str | None
    ) -> None:
        self._scanner = scanner
        self._limits = scanner.limits
        mime, params = parse_content_type(content_type)
        self._content_type = content_type
        self._form = mime == "application/x-www-form-urlencoded"
        self._multipart = mime.startswith("multipart/")
        # forms are percent-encoded bytes and multipart parts carry their own charsets: both
        # stay on the UTF-8 path, as in the buffered extraction
        charset = "utf-8" if self._form or self._multipart else (
            _text_codec(_charset(params)) if "charset" in params else None)
        self._declared = charset if charset in ("utf-16", "utf-32") else None
        self._codec: str | None = charset if charset != self._declared else None
        """None until the byte-order mark is read (no charset, or UTF-16/32 of no order)."""
        if self._codec in _UTF8_NAMES:
            self._codec = "utf-8"
        self._head = b""
        self._recode: codecs.IncrementalDecoder | None = None
        self._twin: StreamScan | None = None
        self._guessed = False
        """The charset is a guess from where NULs fall (no mark, no charset)."""
        """When only a byte-order mark said UTF-16/32: the same bytes read as UTF-8 (the
        buffered path scans both readings too), so a mark in front of UTF-8 hides nothing."""
        self.unscannable: str | None = None
        self.file_type: str | None = None
        self.bytes_in = 0
        self.bytes_scanned = 0
        self._decoder: StreamDecoder | None = None
        try:
            self._decoder = StreamDecoder(content_encoding, self._limits)
        except (DecodeError, LimitExceeded) as e:
            self.unscannable = unscannable_reason(e)
        self._utf8 = codecs.getincrementaldecoder("utf-8")("surrogateescape")
        self._pct_tail = b""
        self._started = False
        self._scan_on = True
        self._window = bytearray()
        self._base = 0  # stream offset of _window[0]
        self._total = 0  # stream offset after the last scanned byte
        self._keep = self._limits.stream_window
        self._after = max((d.keyword_window for d in scanner.detectors), default=0)
        self._pending: list[tuple[int, int, int]] = []
        near = scanner._near
        self._near = near
        self._keyword_base = near.keyword_base if near is not None else 1 << 62
        self._keyword_hits: list[tuple[int, int]] = []  # (keyword, stream end offset)
        self._raw_hits = 0
        self._matches: list[_Match] = []
        self._seen: set[tuple[int, int, int]] = set()
        self._spool: tempfile.SpooledTemporaryFile[bytes] | None = None
        self._spooled = 0
        self._spool_over = False
        # CSV/TSV: the header line, read once it has arrived, labels the columns below it
        from ._tables import _untyped_text, table_hint

        self._table = None if self._form or self._multipart else table_hint(content_type)
        self._sniff = (self._table is None and not self._form and not self._multipart
                       and _untyped_text(content_type))
        """Untyped text: whether its first rows (once they have arrived) read as a table."""
        self._header: _Header | None = None
        self._body = -1
        """Stream offset where the rows below a header that names keywords start."""
        self._quotes = 0
        """Quotes between ``_body`` and the window's start (for a value's column)."""
        self._opened = 0
        """Rows scanned for the weak patterns the header opened, up to this offset."""
        self._handler = self._on_match  # strong reference: hyperscan 0.9.1 needs it
        self._hs: hyperscan.Stream | None = scanner.stream_database.stream(
            match_event_handler=self._handler
        )
        self._hs.__enter__()
        self._closed = False

    # -- hyperscan callback -----------------------------------------------------------------

    def _on_match(self, pattern: int, start: int, end: int, flags: int, context: object) -> bool:
        if pattern >= self._keyword_base:
            self._keyword_hits.append((pattern - self._keyword_base, end))
            return False
        self._pending.append((pattern, start, end))
        self._raw_hits += 1
        return self._raw_hits >= self._limits.max_matches

    # -- feeding ----------------------------------------------------------------------------

    def feed(self, chunk: bytes) -> None:
        """Scan one piece of the body as it came on the wire (still content-encoded)."""
        self.bytes_in += len(chunk)
        if not chunk or self._decoder is None or not (self._scan_on or self._twin):
            return
        try:
            data = self._decoder.decode(chunk)
        except (DecodeError, LimitExceeded) as e:
            self._stop(unscannable_reason(e))
            return
        if not self._scan_on and self._twin is not None:
            self._twin.feed(data)  # the UTF-16/32 reading failed; the UTF-8 one goes on
            return
        self._take(data)

    def _take(self, data: bytes) -> None:
        if not data:
            return
        if not self._started:
            self._started = True
            kind = sniff_file_type(data[:4096])
            self.file_type = kind
            if kind is not None and kind != "text":
                self._table = None  # JSON, markup or a binary file: no delimited text
            if kind in _STRUCTURED or self._multipart:
                # closed in finish() or close(), whichever comes first
                self._spool = tempfile.SpooledTemporaryFile(  # noqa: SIM115
                    max_size=_SPOOL_MEMORY)
                self._codec = "utf-8"  # its text is decoded when it is extracted at the end
            if kind in _SKIP:
                self._scan_on = self._spool is not None
                self._hs_off()
        if self._spool is not None and not self._spool_over:
            if self._spooled + len(data) > self._limits.max_body_bytes:
                self._spool_over = True
                self._spool.close()
            else:
                self._spool.write(data)
                self._spooled += len(data)
        if self._hs is None:
            return
        if self._form:
            data = self._percent_decode(data)
        self._scan_text(data, final=False)

    def _scan_text(self, data: bytes, *, final: bool) -> None:
        """Decode ``data`` as text, normalize it and scan it as UTF-8."""
        try:
            data = self._to_utf8(data, final=final)
        except UnicodeError:
            self._undecodable(CodecError(f"text that is not {self._codec}",
                                         label=f"decode_error:{self._codec}"))
            return
        except LimitExceeded as e:
            self._undecodable(e)
            return
        if data:
            self._scan(data)

    def _to_utf8(self, data: bytes, *, final: bool) -> bytes:
        if self._codec is None:
            self._head += data
            picked = _by_bom(self._head, self._declared, final)
            if picked is None:
                return b""  # at most 3 bytes: not yet a whole byte-order mark
            if picked == ("utf-8", 0) and self._declared is None:
                # no mark, no charset: where the NULs of the first 4 KiB fall may still say
                # UTF-16/32 (as for a buffered body); that reading is a guess, so the bytes
                # are read as UTF-8 too, as when only a mark tells
                if len(self._head) < LANES_SAMPLE and not final:
                    return b""
                guess = lanes_codec(self._head[:LANES_SAMPLE])
                self._guessed = guess is not None
                picked = (guess or "utf-8", 0)
            self._codec, skip = picked
            if self._declared is None and self._codec != "utf-8":
                self._twin = StreamScan(self._scanner, "text/plain; charset=utf-8", None)
                self._twin.feed(self._head)
            data, self._head = self._head[skip:], b""
        elif self._twin is not None:
            self._twin.feed(data)
        if self._codec == "utf-8":
            # invalid UTF-8 goes through as it is: the patterns are ASCII, it matches nothing
            if data.isascii() and not self._utf8.getstate()[0]:
                return data
            text = self._utf8.decode(data, final)
            return normalize_chunk_text(text).encode("utf-8", "surrogateescape")
        if self._recode is None:
            self._recode = codecs.getincrementaldecoder(self._codec)("surrogateescape")
        text = self._recode.decode(data, final)
        if len(self._recode.getstate()[0]) > self._keep:
            # UTF-7 holds a whole base64 run back: the one decoder state that can grow
            raise LimitExceeded(f"{self._codec} decoder holds too much", limit="stream_window")
        # as the buffered path: bytes the charset cannot decode become lone surrogates
        return normalize_chunk_text(text).encode("utf-8", "surrogatepass")

    def _undecodable(self, error: CodecError | LimitExceeded) -> None:
        """Judge what was decoded, then stop: the rest is unscannable (the policy's fail mode),
        unless only NULs had said UTF-16/32: a wrong guess, and the UTF-8 reading goes on."""
        reason: str | None = None if self._guessed else unscannable_reason(error)
        try:
            with self._scanner.lock:
                self._scan_near(final=True)
        except hyperscan.ScanTerminated:
            reason = "limit_exceeded:matches"
        self._judge(final=True)
        if reason is None:
            self._scan_on = False
            self._release()
        else:
            self._stop(reason)

    def _percent_decode(self, data: bytes) -> bytes:
        data = self._pct_tail + data
        tail = _PCT_TAIL.search(data[-3:])
        if tail is not None:
            cut = len(data) - (len(data[-3:]) - tail.start())
            data, self._pct_tail = data[:cut], data[cut:]
        else:
            self._pct_tail = b""
        return urllib.parse.unquote_to_bytes(data.replace(b"+", b" "))

    def _scan(self, data: bytes) -> None:
        assert self._hs is not None
        self._window += data
        self._total += len(data)
        self.bytes_scanned += len(data)
        if self._sniff:
            self._sniff_table()
        if self._table is not None:
            self._read_header()
        try:
            with self._scanner.lock:
                self._hs.scan(data)
                self._scan_near(final=False)
        except hyperscan.ScanTerminated:
            self._judge(final=True)
            self._stop("limit_exceeded:matches")
            return
        except hyperscan.error as e:
            raise ScanError(f"hyperscan stream scan failed: {type(e).__name__}") from e
        self._judge(final=False)
        # keep what a later match may still need: the window, the earliest pending start
        # and the windows of keywords whose surroundings are still to be scanned
        keep_from = self._total - self._keep
        if self._pending:
            keep_from = min(keep_from, min(p[1] for p in self._pending))
        if self._keyword_hits and self._near is not None:
            near = self._near
            keep_from = min(keep_from, min(e - len(near.keywords[k]) - near.pads[k]
                                           for k, e in self._keyword_hits))
        if self._header is not None and self._header.weak:
            keep_from = min(keep_from, self._opened - _REOPEN - 2)
        cut = keep_from - self._base
        if cut > len(self._window) // 2 and cut > 0:
            if self._header is not None:
                self._quotes += self._window.count(b'"', max(0, self._body - self._base), cut)
            del self._window[:cut]
            self._base += cut

    def _sniff_table(self) -> None:
        """Untyped text read as a table as the buffered path reads it (:func:`looks_tabular`),
        once its first rows or the ``_SNIFF_BYTES`` it reads have arrived."""
        from ._tables import _SNIFF_BYTES, _SNIFF_ROWS, looks_tabular

        window = self._window
        if self._base or self.file_type not in (None, "text"):
            self._sniff = False
            return
        if window.count(b"\n", 0, _SNIFF_BYTES) <= _SNIFF_ROWS and len(window) <= _SNIFF_BYTES:
            return  # not yet what the buffered path reads (its first rows, or 16 KiB)
        self._sniff = False
        self._table = looks_tabular(bytes(window[: _SNIFF_BYTES + 1]))

    def _read_header(self) -> None:
        """Once the first record has arrived: what its fields name (bounded; a first record
        longer than the header bound, or none at all, is no header)."""
        from ._tables import _HEADER_MAX, header_end

        assert self._table is not None
        window = self._window
        nl = header_end(window, 0, len(window)) if self._base == 0 else -1
        if nl < 0:
            if self._base or len(window) >= _HEADER_MAX:
                self._table = None
            return
        self._header = self._scanner._header(bytes(window[:nl]).rstrip(b"\r"), self._table)
        self._table = None
        self._body = self._opened = nl + 1

    def _scan_near(self, *, final: bool) -> None:
        """Weak patterns around the keywords whose windows have fully arrived (lock held)."""
        near = self._near
        if near is None:
            return
        if self._header is not None and self._header.weak:
            self._scan_opened(near, final=final)
        if not self._keyword_hits:
            return
        total = self._total
        if final:
            ready, self._keyword_hits = self._keyword_hits, []
        else:
            ready = [h for h in self._keyword_hits if h[1] + near.pads[h[0]] <= total]
            if not ready:
                return
            self._keyword_hits = [h for h in self._keyword_hits
                                  if h[1] + near.pads[h[0]] > total]
        hits = self._scanner._near_hits(near, bytes(self._window), self._base, ready,
                                        final=final)
        self._pending += hits
        self._raw_hits += len(hits)
        if self._raw_hits >= self._limits.max_matches:
            raise hyperscan.ScanTerminated("match budget spent")

    def _scan_opened(self, near: _Near, *, final: bool) -> None:
        """Weak patterns of the detectors a CSV header names over the rows that arrived.

        Each round starts ``_REOPEN`` bytes before the last one ended, so a match that the
        last one dropped for touching its end (it may have gone on) is found whole; what the
        last round kept (ending before that end) is not taken again.
        """
        assert self._header is not None
        done, total = self._opened, self._total
        if total <= done and not final:
            return
        lo = max(self._body, done - _REOPEN)
        origin = max(self._base, lo - 2)  # only the rows this round reads (and 2 bytes before)
        hits = self._scanner._near_hits(near, bytes(self._window[origin - self._base :]), origin,
                                        [], final=final, opened=[(lo, total, self._header.weak)])
        hits = [h for h in hits if h[2] >= done]
        self._opened = total
        self._pending += hits
        self._raw_hits += len(hits)
        if self._raw_hits >= self._limits.max_matches:
            raise hyperscan.ScanTerminated("match budget spent")

    def _judge(self, *, final: bool) -> None:
        if not self._pending:
            return
        ready = self._pending if final else [p for p in self._pending if p[2] + self._after
                                             <= self._total]
        if not ready:
            return
        self._pending = [] if final else [p for p in self._pending if p[2] + self._after
                                          > self._total]
        buf = bytes(self._window)
        base = self._base
        hits = [(p, s - base, e - base) for p, s, e in ready if s >= base]
        columns: list[_Columns] = []
        if self._header is not None:
            from ._tables import _Columns

            columns.append(_Columns(buf, max(0, self._body - base), len(buf), self._header,
                                    quotes=self._quotes, anchored=base <= self._body))
        # matches that started before the window are longer than any value we validate
        for m in self._scanner._evaluate_stream(buf, hits, base, columns):
            if len(self._matches) >= self._limits.max_matches:
                self._stop("limit_exceeded:matches")
                return
            self._matches.append(m)

    def _hs_off(self) -> None:
        if self._hs is not None:
            try:
                with self._scanner.lock:
                    self._hs.__exit__(None, None, None)
            except hyperscan.error:
                pass  # closing only reports end-of-data matches; a failed close has none
            self._hs = None

    def _stop(self, reason: str) -> None:
        if self.unscannable is None:
            self.unscannable = reason
        self._scan_on = False
        self._release()

    def _release(self) -> None:
        """Drop what is pending, the Hyperscan stream and the spool (the twin reading the
        bytes as UTF-8, if any, goes on: a failed UTF-16 reading must not stop it)."""
        self._pending.clear()
        self._hs_off()
        if self._spool is not None:
            self._spool.close()
            self._spool = None

    # -- the end ----------------------------------------------------------------------------

    def finish(self) -> ScanResult:
        """End of body: flush decoders, close the stream (end-of-data matches), judge all."""
        from ._scanner import ScanResult, _dedupe

        if self._closed:
            raise RuntimeError("stream already finished")
        if self._decoder is not None and not self._scan_on and self._twin is not None:
            with contextlib.suppress(DecodeError, LimitExceeded):  # primary's reason stands
                self._twin.feed(self._decoder.flush())
        if self._decoder is not None and self._scan_on:
            try:
                self._take(self._decoder.flush())
                if self._pct_tail and self._hs is not None:
                    self._scan(self._pct_tail)
                if self._hs is not None:
                    self._scan_text(b"", final=True)
            except (DecodeError, LimitExceeded) as e:
                self._stop(unscannable_reason(e))
        if self._hs is not None:
            try:
                with self._scanner.lock:
                    self._hs.__exit__(None, None, None)  # reports matches ending at the end
            except hyperscan.ScanTerminated:
                self.unscannable = self.unscannable or "limit_exceeded:matches"
            self._hs = None
            try:
                with self._scanner.lock:
                    self._scan_near(final=True)
            except hyperscan.ScanTerminated:
                self.unscannable = self.unscannable or "limit_exceeded:matches"
            self._judge(final=True)
        self._closed = True
        segments = [Segment("body", b"")]
        findings: tuple[Finding, ...] = self._scanner._findings(_dedupe(self._matches), segments)
        result = ScanResult(findings, self.bytes_scanned, self.file_type, self.unscannable)
        if self._spool is not None:
            result = self._finish_spool(result)
        if self._twin is not None:
            twin, self._twin = self._twin, None
            other = twin.finish()
            known = set(result.findings)
            result = ScanResult(
                result.findings + tuple(f for f in other.findings if f not in known),
                result.bytes_scanned + other.bytes_scanned,
                result.file_type,
                result.unscannable or other.unscannable,
            )
        return result

    def _finish_spool(self, streamed: ScanResult) -> ScanResult:
        from ._scanner import ScanResult

        spool, self._spool = self._spool, None
        assert spool is not None
        if self._spool_over:
            return ScanResult(streamed.findings, streamed.bytes_scanned, streamed.file_type,
                              streamed.unscannable or "limit_exceeded:body_size")
        with spool:
            spool.seek(0)
            whole = spool.read()
        if streamed.unscannable is not None:
            return streamed
        # the structured scan sees everything the streamed one saw, and where it was
        return self._scanner.scan_body(whole, content_type=self._content_type,
                                       content_encoding=None)

    def close(self) -> None:
        """Release the Hyperscan stream and the spool without a verdict (abandoned body)."""
        self._closed = True
        if self._twin is not None:
            self._twin.close()
            self._twin = None
        self._release()
