"""True file type from magic bytes, never from a name or a claimed content type."""

from __future__ import annotations

__all__ = ["ARCHIVE_TYPES", "TEXT_TYPES", "looks_textual", "sniff_file_type"]

_MAGIC: tuple[tuple[int, bytes, str], ...] = (
    (0, b"%PDF-", "pdf"),
    (0, b"\x89PNG\r\n\x1a\n", "png"),
    (0, b"\xff\xd8\xff", "jpeg"),
    (0, b"GIF87a", "gif"),
    (0, b"GIF89a", "gif"),
    (0, b"\x1f\x8b", "gzip"),
    (0, b"\x28\xb5\x2f\xfd", "zstd"),
    (0, b"BZh", "bzip2"),
    (0, b"\xfd7zXZ\x00", "xz"),
    (0, b"7z\xbc\xaf\x27\x1c", "7z"),
    (0, b"Rar!\x1a\x07", "rar"),
    (0, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "ole2"),  # legacy .doc/.xls/.ppt, .msg
    (0, b"\x7fELF", "elf"),
    (0, b"\x00asm", "wasm"),
    (0, b"SQLite format 3\x00", "sqlite"),
    (0, b"BM", "bmp"),
    (0, b"II*\x00", "tiff"),
    (0, b"MM\x00*", "tiff"),
    (0, b"\x00\x00\x01\x00", "ico"),
    (0, b"ID3", "mp3"),
    (0, b"OggS", "ogg"),
    (0, b"fLaC", "flac"),
    (4, b"ftyp", "mp4"),
    (257, b"ustar", "tar"),
)

TEXT_TYPES = frozenset({"text", "json", "xml", "html"})
ARCHIVE_TYPES = frozenset(
    {
        "pdf",
        "zip",
        "docx",
        "xlsx",
        "pptx",
        "gzip",
        "zstd",
        "bzip2",
        "xz",
        "7z",
        "rar",
        "ole2",
        "tar",
        "sqlite",
    }
)
"""Containers that can hold text we do not inspect yet: reported as unscannable."""

_SAMPLE = 4096
_CONTROL = frozenset(set(range(32)) - {9, 10, 12, 13, 27, 8})


def looks_textual(data: bytes) -> bool:
    """No NUL and few control bytes in the first 4 KiB (UTF-8 and 8-bit charsets pass)."""
    sample = data[:_SAMPLE]
    if b"\x00" in sample:
        return False
    controls = sum(1 for b in sample if b in _CONTROL)
    return controls * 20 <= len(sample)


def _zip_kind(data: bytes) -> str:
    # OOXML names its parts in local headers and the central directory; a byte search is
    # enough to tell the family and costs no decompression.
    if b"[Content_Types].xml" in data:
        for marker, kind in ((b"word/", "docx"), (b"xl/", "xlsx"), (b"ppt/", "pptx")):
            if marker in data:
                return kind
    return "zip"


def sniff_file_type(data: bytes) -> str | None:
    """Type name ("pdf", "docx", "png", "json", "text"...), or None for unknown binary."""
    if data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _zip_kind(data)
    if data.startswith(b"RIFF") and data[8:12] == b"WEBP" and not looks_textual(data):
        return "webp"
    textual = looks_textual(data)
    for offset, magic, kind in _MAGIC:
        if data[offset : offset + len(magic)] == magic:
            # A media magic in front of plain text is an evasion attempt, not an image: real
            # media has binary bytes right after the header. Containers are reported anyway.
            if kind in ARCHIVE_TYPES or not textual:
                return kind
            break
    if not textual:
        return None
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head[:1] in (b"{", b"["):
        return "json"
    if head.startswith((b"<!doctype html", b"<html")):
        return "html"
    if head.startswith(b"<?xml") or head.startswith(b"<svg"):
        return "xml"
    return "text"
