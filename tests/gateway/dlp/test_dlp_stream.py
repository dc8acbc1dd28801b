"""Streaming scans: a value split anywhere across chunks is found; memory stays bounded."""

from __future__ import annotations

import gzip
import io
import random
import zipfile
import zlib

import brotli
import pytest
import zstandard

from gateway.dlp import Limits, Scanner, ScanResult

CARD = b"5555 5555 5555 4444"
SECRET = b"Mastercard " + CARD + b" exp 12/29"


def _filler(size: int, seed: int) -> bytes:
    rnd = random.Random(seed)
    words = [b"lorem", b"ipsum", b"dolor", b"sit", b"amet", b"order", b"total", b"2024"]
    out = bytearray()
    while len(out) < size:
        out += rnd.choice(words) + b" "
    return bytes(out[:size])


BODY = _filler(5000, 1) + b" " + SECRET + b" " + _filler(3000, 2)
CARD_AT = BODY.index(CARD)


def _stream(scanner: Scanner, chunks: list[bytes], content_type: str = "text/plain",
            content_encoding: str | None = None) -> ScanResult:
    st = scanner.open_stream(content_type=content_type, content_encoding=content_encoding)
    for c in chunks:
        st.feed(c)
    return st.finish()


def _split(data: bytes, n: int) -> list[bytes]:
    step = -(-len(data) // n)
    return [data[i : i + step] for i in range(0, len(data), step)]


def _detectors(result: ScanResult) -> list[str]:
    return [f.detector for f in result.findings]


def test_card_split_at_every_byte_offset_of_a_two_chunk_boundary(scanner: Scanner) -> None:
    for cut in range(CARD_AT - 3, CARD_AT + len(CARD) + 3):
        result = _stream(scanner, [BODY[:cut], BODY[cut:]])
        assert _detectors(result) == ["credit_card"], cut
        assert result.findings[0].context  # the keyword before it is still seen


@pytest.mark.parametrize("parts", [2, 3, 10])
def test_card_split_across_n_chunks(scanner: Scanner, parts: int) -> None:
    small = b"card " + CARD + b" ok"
    assert _detectors(_stream(scanner, _split(small, parts))) == ["credit_card"]
    assert _detectors(_stream(scanner, _split(BODY, parts))) == ["credit_card"]


def test_one_byte_chunks(scanner: Scanner) -> None:
    chunks = [BODY[i : i + 1] for i in range(len(BODY))]
    assert _detectors(_stream(scanner, chunks)) == ["credit_card"]


def test_streamed_findings_equal_the_buffered_ones(scanner: Scanner) -> None:
    body = BODY + b" mail ops@example.com and AKIAIOSFODNN7EXAMPLE "
    buffered = scanner.scan_body(body, content_type="text/plain", content_encoding=None)
    streamed = _stream(scanner, _split(body, 7))
    assert sorted((f.detector, f.hmac) for f in streamed.findings) == sorted(
        (f.detector, f.hmac) for f in buffered.findings)


@pytest.mark.parametrize(
    ("coding", "encode"),
    [
        ("gzip", gzip.compress),
        ("deflate", zlib.compress),
        ("br", brotli.compress),
        ("zstd", lambda b: zstandard.ZstdCompressor().compress(b)),
        ("gzip, br", lambda b: brotli.compress(gzip.compress(b))),
    ],
)
def test_content_encodings_are_undone_incrementally(scanner: Scanner, coding: str,
                                                     encode: object) -> None:
    assert callable(encode)
    data = encode(BODY)
    for parts in (2, 3, 10):
        assert _detectors(_stream(scanner, _split(data, parts), content_encoding=coding)) == [
            "credit_card"], (coding, parts)


def test_fullwidth_and_zero_width_digits_split_inside_a_character(scanner: Scanner) -> None:
    fullwidth = "".join(chr(0xFF10 + int(c)) for c in "5555555555554444")
    hidden = "card " + "\u200b".join(fullwidth) + " ok"
    data = hidden.encode()
    for cut in range(len(data)):
        assert _detectors(_stream(scanner, [data[:cut], data[cut:]])) == ["credit_card"], cut


def test_percent_encoded_form_split_inside_an_escape(scanner: Scanner) -> None:
    data = b"note=card%205555%205555%205555%204444&x=1"
    for cut in range(len(data)):
        result = _stream(scanner, [data[:cut], data[cut:]],
                         content_type="application/x-www-form-urlencoded")
        assert _detectors(result) == ["credit_card"], cut


def test_a_zip_upload_is_spooled_and_extracted(scanner: Scanner) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("notes/customers.txt", b"card " + CARD)
        z.writestr("noise.bin", random.Random(1).randbytes(20000))
    result = _stream(scanner, _split(buf.getvalue(), 5), content_type="application/zip")
    assert result.file_type == "zip"
    assert [(f.detector, f.location) for f in result.findings] == [
        ("credit_card", "file:notes/customers.txt")]


def test_a_gzip_bomb_stream_stops_early(scanner: Scanner) -> None:
    bomb = gzip.compress(b"\0" * (64 * 1024 * 1024))
    st = scanner.open_stream(content_type="text/plain", content_encoding="gzip")
    for piece in _split(bomb, 20):
        st.feed(piece)
    result = st.finish()
    assert result.unscannable == "limit_exceeded:ratio"
    assert result.bytes_scanned <= 2 * 1024 * 1024


def test_window_memory_stays_bounded_on_a_long_stream(scanner: Scanner) -> None:
    limits = Limits(stream_window=64 * 1024)
    scanner = scanner.with_limits(limits)
    st = scanner.open_stream(content_type="text/plain", content_encoding=None)
    chunk = _filler(64 * 1024, 3)
    peak = 0
    for i in range(200):  # 12.8 MiB
        st.feed(chunk if i != 150 else chunk[:100] + b" card " + CARD + b" " + chunk[130:])
        peak = max(peak, len(st._window))
    result = st.finish()
    assert _detectors(result) == ["credit_card"]
    assert peak <= limits.stream_window + 2 * len(chunk)
    assert result.bytes_scanned == 200 * len(chunk) - 30 + len(b" card " + CARD + b" ")


def test_a_match_flood_is_unscannable_not_unbounded(scanner: Scanner) -> None:
    scanner = scanner.with_limits(Limits(max_matches=50))
    result = _stream(scanner, [b"a@example.com " * 1000])
    assert result.unscannable == "limit_exceeded:matches"


def test_images_are_counted_not_scanned(scanner: Scanner) -> None:
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 10 + CARD
    result = _stream(scanner, [png])
    assert result.findings == () and result.file_type == "png"


def test_an_abandoned_stream_can_be_closed(scanner: Scanner) -> None:
    st = scanner.open_stream(content_type="text/plain", content_encoding=None)
    st.feed(b"card 5555 5555")
    st.close()
    with pytest.raises(RuntimeError):
        st.finish()
