"""Delimited text (CSV, TSV): a header line names its columns, and a column's name is
context for every value in it, as a keyword next to the value would be."""

from __future__ import annotations

import bisect
import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field

from ._extract import Extracted

_TABLE_TYPES: dict[str, bytes] = {
    "text/csv": b"",
    "application/csv": b"",
    "text/x-csv": b"",
    "application/x-csv": b"",
    "text/comma-separated-values": b"",
    "text/tab-separated-values": b"\t",
    "application/vnd.ms-excel": b"",  # what Windows browsers send for a .csv file
}
"""Content types of delimited text -> the delimiter they fix (b"": sniffed from the header).
They count for bodies that read as plain text only (a real .xls is a binary container)."""
_DELIMITERS = b",;\t|"
_HEADER_MAX = 8192
"""A first record longer than this is no header (and is not kept by streams)."""
_RECORD_MAX = 64 * 1024
"""How far back from a value its record's start is looked for; longer records get no
column context (a stray quote must not make every hit walk back to it)."""


def _untyped_text(content_type: str | None) -> bool:
    """No content type, or one that says only "text" (a table may still be sniffed)."""
    return not content_type or content_type.partition(";")[0].strip().lower() in (
        "text/plain", "application/octet-stream")


_Tables = Sequence[tuple[int, bytes, int]]
"""(segment, delimiter hint, lines of prose that may come before the header) of the segments
of a body that are delimited text."""
_PREAMBLE = 3
"""Lines a table sniffed in untyped text may follow ("Here is the export:", a blank line)."""
_TABLE_FILES = {".csv": b"", ".tsv": b"\t", ".tab": b"\t"}


def _tables(content_type: str | None, ex: Extracted) -> _Tables:
    """The segments of an extracted body that are delimited text: the body itself for a
    CSV/TSV content type, and the text parts of a form upload whose file name says so (a
    part's own content type is not kept by the extraction)."""
    if ex.file_type == "text" and ex.segments and ex.segments[0].location == "body":
        found = text_table_hint(content_type, ex.segments[0].data)
        if found is not None:
            return [(0, *found)]
    if not content_type or not content_type.lstrip().lower().startswith("multipart/"):
        return ()
    out = []
    for i, seg in enumerate(ex.segments[: ex.primary]):
        if seg.location.startswith("multipart:") and "/" in seg.location:
            name = seg.location.rpartition("/")[2].lower()
            hint = _TABLE_FILES.get(name[name.rfind("."):]) if "." in name else None
            if hint is not None:
                out.append((i, hint, 0))
    return out


def table_hint(content_type: str | None) -> bytes | None:
    """The delimiter hint of a CSV/TSV content type (b"": sniff it), None for other types."""
    if not content_type:
        return None
    return _TABLE_TYPES.get(content_type.partition(";")[0].strip().lower())


def text_table_hint(content_type: str | None, text: bytes) -> tuple[bytes, int] | None:
    """The delimiter hint of text and how many lines may come before its header: its CSV/TSV
    content type (none), else, for untyped text, what its first rows read as
    (:func:`looks_tabular`, a few lines of prose allowed first); None when it is no table."""
    hint = table_hint(content_type)
    if hint is not None:
        return hint, 0
    if _untyped_text(content_type):
        found = sniff_table(text, _PREAMBLE)
        if found is not None:
            return found[0], _PREAMBLE
    return None


_RULE = b" \t\r-+=|:"
"""What the rule lines of a table printed by psql or mysql consist of ("----+----")."""
_SNIFF_ROWS = 5
_SNIFF_BYTES = 2 * _HEADER_MAX
"""How much of untyped text :func:`looks_tabular` reads (streams wait for as much)."""


def looks_tabular(data: bytes) -> bytes | None:
    """The delimiter of text that reads as a table from its first line, else None."""
    found = sniff_table(data)
    return None if found is None else found[0]


def sniff_table(data: bytes, preamble: int = 0) -> tuple[bytes, int] | None:
    """The delimiter of text that reads as a table although nothing said so (a CSV export
    pasted into a chat, sent as text/plain or scanned by ``casb scan``) and the offset of
    its header line, else None.

    A table here: a header line of at most ``_HEADER_MAX`` bytes and at least two more
    lines (rule lines aside), the first ``_SNIFF_ROWS`` of which hold the header's number of
    fields for one delimiter, outside quotes (at least two fields); or, for a short table
    that prose follows, at least two rows that do, with tabs or at least three fields; or a
    single row under a header a rule underlines (as psql prints it: "(1 row)" follows), or
    of at least three fields (five with commas). Up to ``preamble`` lines may come first
    (the header is the first line after which the rows agree). Prose lines seldom agree on
    a comma count; only the first lines are read, never the rest of the body.
    """
    head = data[:_SNIFF_BYTES]
    pieces = head.split(b"\n", preamble + _SNIFF_ROWS + 1)
    if len(pieces) > preamble + _SNIFF_ROWS + 1 or len(head) < len(data):
        pieces.pop()  # the rest of the body, or a line the head cut
    lines: list[tuple[int, bytes]] = []
    ruled: set[int] = set()  # lines a rule follows: a header as psql and mysql print one
    at = 0
    for piece in pieces:
        if not piece.strip(_RULE) and lines and b"-" in piece:
            ruled.add(len(lines) - 1)
        elif piece.strip():  # blank lines and rules (----+----) go
            lines.append((at, piece.rstrip(b"\r")))
        at += len(piece) + 1
    for skip in range(min(preamble, len(lines)) + 1):
        table = [ln for _, ln in lines[skip : skip + _SNIFF_ROWS + 1]]
        if len(table) < 2 or len(table[0]) > _HEADER_MAX or b'":' in table[0]:
            continue  # (a JSON member's line: pretty-printed JSON is no table)
        if b'"' in b"".join(table):
            # quoted fields: delimiters inside quotes do not count; a field that runs on
            # to the next line (an odd number of quotes) leaves it to a content type
            if any(ln.count(b'"') & 1 for ln in table):
                return None
            table = [b"".join(ln.split(b'"')[::2]) for ln in table]
        for delimiter in _DELIMITERS:
            n = table[0].count(delimiter)
            rows = next((k for k, ln in enumerate(table[1:]) if ln.count(delimiter) != n),
                        len(table) - 1)
            every = len(table) >= 3 and rows == len(table) - 1
            enough = every or (rows >= 2 and (delimiter == 9 or n >= 2))
            # one row: under a ruled header, or of many fields (prose seldom has two
            # semicolons, tabs or pipes, or four commas, in each of two lines)
            one = rows >= 1 and (skip in ruled or n >= (4 if delimiter == 44 else 2))
            if n and (enough or one):
                return bytes([delimiter]), lines[skip][0]
    return None


def header_end(buf: bytes | bytearray, start: int, end: int) -> int:
    """Offset of the newline ending the first record of ``buf[start:end]`` (quotes may hold
    newlines), -1 if it does not end within ``_HEADER_MAX`` bytes."""
    stop = min(end, start + _HEADER_MAX)
    nl = buf.find(b"\n", start, stop)
    while nl >= 0 and buf.count(b'"', start, nl) & 1:
        nl = buf.find(b"\n", nl + 1, stop)
    return nl


@dataclass(frozen=True, slots=True)
class _Header:
    """What a delimited text's header line says: its delimiter and, per detector, the
    columns whose field name holds one of the detector's keywords."""

    delimiter: int
    named: dict[int, frozenset[int]]
    weak: frozenset[int]
    """The detectors of ``named`` with keyword-required patterns (their columns are opened
    to the weak-pattern database)."""
    excluded: dict[int, frozenset[int]] = field(default_factory=dict)
    """Per detector, the columns whose field name holds one of its ``exclude_keywords``
    (a ``part_number`` column of SSN-shaped part numbers)."""


def _fields(line: bytes, delimiter: int) -> list[bytes]:
    """The header's fields as written (quotes kept: a keyword may include one, as for JSON
    keys); delimiters inside quotes do not split."""
    sep = bytes([delimiter])
    if b'"' not in line:
        return line.split(sep)
    fields: list[bytes] = []
    current = b""
    for i, part in enumerate(line.split(b'"')):
        if i:
            current += b'"'
        if i % 2:
            current += part  # inside quotes
            continue
        pieces = part.split(sep)
        current += pieces[0]
        for piece in pieces[1:]:
            fields.append(current)
            current = piece
    fields.append(current)
    return fields


def _column(record: bytes, delimiter: int) -> int | None:
    """The column in which the first part of a record ends, read by the csv module (quoted
    delimiters and newlines); None if the record itself ends before that."""
    text = record.decode("utf-8", "surrogateescape")
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=chr(delimiter), strict=False)
    row = next(rows, [])
    return None if next(rows, None) is not None else max(len(row) - 1, 0)


class _Columns:
    """Column context of one delimited text held in ``buf[body:end]`` (the rows below the
    header): a value counts as labelled when the header field of its column names one of
    its detector's keywords, as a keyword just before the value would.

    A value's column is found from its record only, per value: the record starts after the
    last newline before it that is outside quotes (the parity of the quotes between the body's
    start and the value tells, counted in C from the nearest point already counted), and the
    record's start up to the value is read by the csv module when it holds quotes.
    ``quotes`` is the number of quotes before ``body`` in the text (a stream keeps a window);
    ``anchored``: ``body`` is a record start (false for a stream window that starts mid-body).
    """

    __slots__ = ("_buf", "_counts", "_delimiter", "_marks", "_named", "_quoted", "anchored",
                 "body", "end", "header")

    def __init__(self, buf: bytes, body: int, end: int, header: _Header, *, quotes: int = 0,
                 anchored: bool = True) -> None:
        self._buf = buf
        self.body = body
        self.end = end
        self.header = header
        self.anchored = anchored
        self._delimiter = bytes([header.delimiter])
        self._named = header.named
        self._quoted = bool(quotes & 1) or buf.find(b'"', body, end) >= 0
        self._marks = [body]
        self._counts = [quotes]

    def names(self, detector: int, start: int, end: int) -> bool:
        """The header of the column holding ``buf[start:end]`` names one of the detector's
        keywords (False outside the rows, across a delimiter or a record end)."""
        return self._in(self._named.get(detector), start, end)

    def excludes(self, detector: int, start: int, end: int) -> bool:
        """The header of the value's column names one of the detector's exclude_keywords."""
        return self._in(self.header.excluded.get(detector), start, end)

    def _in(self, columns: frozenset[int] | None, start: int, end: int) -> bool:
        if columns is None or start < self.body or end > self.end:
            return False
        rs = self._record(start)
        if rs is None:
            return False
        buf, delimiter = self._buf, self._delimiter
        if buf.find(b'"', rs, end) < 0:
            value = buf[start:end]
            if delimiter in value or b"\n" in value:
                return False
            return buf.count(delimiter, rs, start) in columns
        column = _column(buf[rs:start], delimiter[0])
        return column in columns and _column(buf[rs:end], delimiter[0]) == column

    def _record(self, pos: int) -> int | None:
        """Where the record holding ``pos`` starts; None when that is out of reach."""
        buf, lo = self._buf, self.body
        floor = max(lo, pos - _RECORD_MAX)
        p = pos
        inside = self._parity(pos) if self._quoted else 0
        while True:
            nl = buf.rfind(b"\n", floor, p)
            if nl < 0:
                return lo if floor == lo and self.anchored else None
            if self._quoted:
                inside ^= buf.count(b'"', nl, p) & 1
            if not inside:
                return nl + 1
            p = nl

    def _parity(self, pos: int) -> int:
        """1 if ``pos`` lies inside quotes (an odd number of quotes before it)."""
        marks = self._marks
        i = bisect.bisect_right(marks, pos) - 1
        count = self._counts[i] + self._buf.count(b'"', marks[i], pos)
        if i == len(marks) - 1 and pos > marks[i]:
            marks.append(pos)  # hits come mostly in order: count each stretch once
            self._counts.append(count)
        return count & 1
