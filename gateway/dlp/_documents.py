"""Documents and archives: the text inside, within size, ratio, entry, depth and time budgets.

zip (and the office formats built on it: docx, xlsx, pptx, odt, ods, odp), tar, gzip, bzip2,
xz, 7z and PDF. Archives nest up to ``max_archive_depth``. Every decompression is read in
bounded pieces and charged to one budget per body, so a bomb (ratio, total size, entry count,
overlapping zip entries as in the "better zip bomb") stops with LimitExceeded after a few
megabytes and within ``max_extract_seconds``. Encrypted archives and documents raise
:class:`Encrypted` (``unscannable="encrypted:<type>"``).
"""

from __future__ import annotations

import bz2
import html
import io
import itertools
import lzma
import re
import tarfile
import time
import zipfile
import zlib
from dataclasses import dataclass, field
from typing import Any

from gateway.errors import DecodeError, LimitExceeded

from ._limits import Limits
from ._sniff import TEXT_TYPES, looks_textual, sniff_file_type

__all__ = ["EXTRACTABLE", "Budget", "Encrypted", "extract_document"]

EXTRACTABLE = frozenset(
    {"zip", "docx", "xlsx", "pptx", "odt", "ods", "odp", "tar", "gzip", "bzip2", "xz", "7z",
     "pdf", "ole2"}
)
_PIECE = 64 * 1024


class Encrypted(DecodeError):
    """A password-protected archive or document: its content cannot be inspected."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        super().__init__(f"encrypted {kind}")
        self.reason = f"encrypted:{kind}"


@dataclass
class Budget:
    """What one body may still spend on extraction."""

    limits: Limits
    deadline: float = 0.0
    used: int = 0
    entries: int = 0
    unsupported: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.deadline = time.monotonic() + self.limits.max_extract_seconds

    def tick(self) -> None:
        if time.monotonic() > self.deadline:
            raise LimitExceeded("document extraction took too long", limit="time")

    def entry(self) -> None:
        self.entries += 1
        if self.entries > self.limits.max_entries:
            raise LimitExceeded("too many archive entries", limit="entries")
        self.tick()

    def take(self, n: int) -> None:
        self.used += n
        if self.used > self.limits.max_decoded_bytes:
            raise LimitExceeded("archive content exceeds the size limit", limit="decoded_size")

    def ratio(self, total: int, compressed: int) -> None:
        if total > max(compressed * self.limits.max_ratio, self.limits.ratio_floor_bytes):
            raise LimitExceeded("archive entry expands too much", limit="ratio")


Pieces = list[tuple[str, bytes]]
"""(location suffix, UTF-8 text) pairs."""


def extract_document(data: bytes, kind: str, budget: Budget, depth: int = 0) -> Pieces:
    """Text pieces of one document or archive (recursing into nested ones)."""
    if depth > budget.limits.max_archive_depth:
        raise LimitExceeded("archives nested too deeply", limit="archive_depth")
    budget.tick()
    if kind in ("zip", "docx", "xlsx", "pptx", "odt", "ods", "odp"):
        return _zip(data, kind, budget, depth)
    if kind == "tar":
        return _tar(data, budget, depth)
    if kind in ("gzip", "bzip2", "xz"):
        return _inner(_decompress(data, kind, budget), kind, budget, depth)
    if kind == "7z":
        return _sevenzip(data, budget, depth)
    if kind == "pdf":
        return _pdf(data, budget)
    if kind == "ole2":
        if "EncryptedPackage".encode("utf-16-le") in data:
            raise Encrypted("ooxml")  # an encrypted docx/xlsx/pptx is an OLE2 container
        budget.unsupported.append("ole2")
        return []
    budget.unsupported.append(kind)
    return []


def _inner(data: bytes, name: str, budget: Budget, depth: int) -> Pieces:
    """One decompressed member: text is kept, nested documents are opened."""
    kind = sniff_file_type(data)
    if kind in TEXT_TYPES:
        return [(name, data)]
    if kind in EXTRACTABLE:
        return [(f"{name}!{loc}", text) for loc, text in
                extract_document(data, kind, budget, depth + 1)]
    if kind is None and looks_textual(data):
        return [(name, data)]
    return []


# -- compressed streams --------------------------------------------------------------------


def _decompress(data: bytes, kind: str, budget: Budget) -> bytes:
    out = bytearray()
    try:
        if kind == "gzip":
            gz = zlib.decompressobj(16 + zlib.MAX_WBITS)
            pending = data
            while not gz.eof:
                piece = gz.decompress(pending, _PIECE)
                pending = gz.unconsumed_tail
                out += piece
                budget.take(len(piece))
                budget.ratio(len(out), len(data))
                budget.tick()
                if not pending and len(piece) < _PIECE:
                    break
            return bytes(out)
        obj: Any = bz2.BZ2Decompressor() if kind == "bzip2" else lzma.LZMADecompressor()
        first = True
        while not obj.eof:
            piece = obj.decompress(data if first else b"", max_length=_PIECE)
            first = False
            out += piece
            budget.take(len(piece))
            budget.ratio(len(out), len(data))
            budget.tick()
            if obj.needs_input:
                break
    except (zlib.error, OSError, EOFError, lzma.LZMAError) as e:
        raise DecodeError(f"corrupt {kind} file") from e
    return bytes(out)


# -- zip and the office formats ------------------------------------------------------------

_OOXML_PARTS = {
    "docx": re.compile(r"^word/(document|header\d*|footer\d*|footnotes|endnotes|comments)\.xml$"),
    "xlsx": re.compile(r"^xl/(sharedStrings|worksheets/sheet\d+)\.xml$"),
    "pptx": re.compile(r"^ppt/(slides/slide\d+|notesSlides/notesSlide\d+)\.xml$"),
}
_ODF = {"odt", "ods", "odp"}
_BREAK = re.compile(
    rb"</(?:w:p|a:p|text:p|text:h|row|si|table:table-row)>|<(?:w:br|w:cr|text:line-break)/>"
)
_CELL = re.compile(rb"</(?:c|table:table-cell)>|<(?:w:tab|text:tab|text:s)/>")
_TAG = re.compile(rb"<[^>]*>")
_SCI = re.compile(rb"(?<![\w.])(\d\.\d+)E\+(\d{1,2})(?![\w.])")


def _xml_text(xml: bytes) -> bytes:
    """Paragraphs as lines, cells and tabs as tabs, runs joined (a value split over runs is
    one value again), entities decoded; numbers Excel stored as 4.111E+15 written out."""
    xml = _BREAK.sub(b"\n", xml)
    xml = _CELL.sub(b"\t", xml)
    text = _TAG.sub(b"", xml)
    text = _SCI.sub(_sci_int, text)
    return html.unescape(text.decode("utf-8", "replace")).encode("utf-8", "surrogatepass")


def _sci_int(m: re.Match[bytes]) -> bytes:
    mantissa, exp = m.group(1).decode(), int(m.group(2))
    whole, frac = mantissa.split(".")
    if len(frac) > exp:
        return m.group(0)
    return (whole + frac + "0" * (exp - len(frac))).encode()


def _check_zip_layout(zf: zipfile.ZipFile, size: int, kind: str) -> None:
    """Entries must not overlap (the "better zip bomb" reuses one compressed kernel)."""
    spans = []
    for info in zf.infolist():
        if info.flag_bits & 0x1:
            raise Encrypted(kind)
        start = info.header_offset
        # the local header is at least 30 bytes plus the name
        end = start + 30 + len(info.orig_filename.encode("utf-8", "replace")) + info.compress_size
        if end > size:
            raise DecodeError("zip entry runs past the end of the file")
        spans.append((start, end))
    spans.sort()
    for (_, prev_end), (start, _) in itertools.pairwise(spans):
        if start < prev_end:
            raise LimitExceeded("overlapping zip entries (zip bomb)", limit="overlap")


def _read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, budget: Budget) -> bytes:
    out = bytearray()
    with zf.open(info) as fh:
        while piece := fh.read(_PIECE):
            out += piece
            budget.take(len(piece))
            budget.ratio(len(out), info.compress_size)
            budget.tick()
    return bytes(out)


def _zip(data: bytes, kind: str, budget: Budget, depth: int) -> Pieces:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError) as e:
        raise DecodeError(f"corrupt {kind} file") from e
    with zf:
        infos = zf.infolist()
        if len(infos) > budget.limits.max_entries:
            raise LimitExceeded("too many archive entries", limit="entries")
        _check_zip_layout(zf, len(data), kind)
        names = {i.filename for i in infos}
        if kind == "zip" and "mimetype" in names:
            kind = _odf_kind(zf) or kind
        out: Pieces = []
        for info in infos:
            if info.is_dir():
                continue
            name = info.filename
            if kind in _OOXML_PARTS:
                if not _OOXML_PARTS[kind].match(name):
                    continue
            elif kind in _ODF and name not in ("content.xml", "styles.xml"):
                continue
            budget.entry()
            try:
                member = _read_member(zf, info, budget)
            except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as e:
                raise DecodeError(f"corrupt {kind} entry") from e
            if kind in _OOXML_PARTS or kind in _ODF:
                out.append((name[:128], _xml_text(member)))
            else:
                out += [(name[:128] if loc == name else f"{name[:128]}{loc[len(name):]}", text)
                        for loc, text in _inner(member, name, budget, depth)]
        return out


def _odf_kind(zf: zipfile.ZipFile) -> str | None:
    mime = zf.read("mimetype")[:100]
    for suffix, kind in ((b"text", "odt"), (b"spreadsheet", "ods"), (b"presentation", "odp")):
        if mime.startswith(b"application/vnd.oasis.opendocument." + suffix):
            return kind
    return None


# -- tar ------------------------------------------------------------------------------------


def _tar(data: bytes, budget: Budget, depth: int) -> Pieces:
    out: Pieces = []
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:") as tf:
            for member in tf:
                budget.entry()
                if not member.isfile():
                    continue
                fh = tf.extractfile(member)
                if fh is None:
                    continue
                content = fh.read(budget.limits.max_decoded_bytes - budget.used + 1)
                budget.take(len(content))
                out += _inner(content, member.name[:128], budget, depth)
    except tarfile.TarError as e:
        raise DecodeError("corrupt tar file") from e
    return out


# -- 7z -------------------------------------------------------------------------------------


class _Capped:
    """py7zr writer: one member in memory, charged to the budget as it is written."""

    def __init__(self, budget: Budget) -> None:
        self.budget = budget
        self.buf = bytearray()

    def write(self, s: bytes | bytearray) -> int:
        self.buf += s
        self.budget.take(len(s))
        self.budget.tick()
        return len(s)

    def read(self, size: int | None = None) -> bytes:
        return b""

    def seek(self, offset: int, whence: int = 0) -> int:
        return 0

    def flush(self) -> None:
        return None

    def size(self) -> int:
        return len(self.buf)

    def close(self) -> None:
        return None


def _sevenzip(data: bytes, budget: Budget, depth: int) -> Pieces:
    import py7zr
    import py7zr.exceptions
    import py7zr.io

    writers: dict[str, _Capped] = {}

    class Factory(py7zr.io.WriterFactory):
        def create(self, filename: str) -> py7zr.io.Py7zIO:
            budget.entry()
            writers[filename] = _Capped(budget)
            return writers[filename]  # type: ignore[return-value]

    try:
        with py7zr.SevenZipFile(io.BytesIO(data)) as archive:
            if archive.needs_password():
                raise Encrypted("7z")
            infos = archive.list()
            if len(infos) > budget.limits.max_entries:
                raise LimitExceeded("too many archive entries", limit="entries")
            declared = sum(i.uncompressed for i in infos)
            if declared > budget.limits.max_decoded_bytes or declared > max(
                    len(data) * budget.limits.max_ratio, budget.limits.ratio_floor_bytes):
                raise LimitExceeded("7z archive declares too much content", limit="ratio")
            archive.extract(factory=Factory())
    except py7zr.exceptions.PasswordRequired as e:
        raise Encrypted("7z") from e
    except (py7zr.exceptions.ArchiveError, py7zr.exceptions.Bad7zFile, EOFError,
            lzma.LZMAError, ValueError, KeyError) as e:
        raise DecodeError("corrupt 7z file") from e
    out: Pieces = []
    for name, writer in writers.items():
        out += _inner(bytes(writer.buf), name[:128], budget, depth)
    return out


# -- PDF ------------------------------------------------------------------------------------


def _pdf(data: bytes, budget: Budget) -> Pieces:
    import logging

    from pypdf import PdfReader
    from pypdf.errors import FileNotDecryptedError, PdfReadError, PdfStreamError

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            try:
                opened = reader.decrypt("")  # "owner password only" PDFs open for anyone
            except (FileNotDecryptedError, NotImplementedError) as e:
                raise Encrypted("pdf") from e
            if not opened:
                raise Encrypted("pdf")
        out: Pieces = []
        for n, page in enumerate(reader.pages):
            budget.entry()
            text = page.extract_text() or ""
            raw = text.encode("utf-8", "surrogatepass")
            budget.take(len(raw))
            out.append((f"page{n + 1}", raw))
        return out
    except Encrypted:
        raise
    except FileNotDecryptedError as e:
        raise Encrypted("pdf") from e
    except (PdfReadError, PdfStreamError, ValueError, KeyError, TypeError, IndexError,
            AttributeError, RecursionError, zlib.error) as e:
        if type(e).__name__ == "LimitReachedError":
            raise LimitExceeded("PDF stream too large", limit="decoded_size") from e
        raise DecodeError("corrupt pdf file") from e
