"""Bounded decoding: every coding we accept, stacked codings, and bombs stopped early."""

from __future__ import annotations

import gzip
import time
import tracemalloc
import zlib

import brotli
import pytest
import zstandard

from gateway.dlp import Limits, Scanner
from gateway.dlp._decode import decode_body
from gateway.errors import DecodeError, LimitExceeded

CARD_TEXT = b"customer card 4111 1111 1111 1111 exp 09/28\n" * 3
MiB = 1024 * 1024


def _raw_deflate(data: bytes) -> bytes:
    obj = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    return obj.compress(data) + obj.flush()


ENCODERS = {
    "gzip": gzip.compress,
    "x-gzip": gzip.compress,
    "deflate": zlib.compress,
    "br": brotli.compress,
    "zstd": lambda data: zstandard.ZstdCompressor().compress(data),
}


@pytest.mark.parametrize("coding", sorted(ENCODERS))
def test_each_supported_coding_is_decoded_and_scanned(scanner: Scanner, coding: str) -> None:
    body = ENCODERS[coding](CARD_TEXT)
    result = scanner.scan_body(body, content_type="text/plain", content_encoding=coding)
    assert result.unscannable is None
    assert result.bytes_scanned == len(CARD_TEXT)
    assert {f.detector for f in result.findings} == {"credit_card"}


def test_raw_deflate_without_zlib_header_is_accepted(scanner: Scanner) -> None:
    result = scanner.scan_body(
        _raw_deflate(CARD_TEXT), content_type="text/plain", content_encoding="deflate"
    )
    assert result.unscannable is None
    assert result.findings


def test_stacked_codings_are_undone_last_applied_first() -> None:
    body = brotli.compress(gzip.compress(CARD_TEXT))  # "gzip, br": gzip applied first
    assert decode_body(body, "gzip, br", Limits()) == CARD_TEXT
    with pytest.raises(DecodeError):
        decode_body(body, "br, gzip", Limits())


def test_identity_and_blank_items_are_ignored() -> None:
    assert decode_body(CARD_TEXT, " identity , ", Limits()) == CARD_TEXT


def test_multi_member_gzip_is_decoded_whole() -> None:
    body = gzip.compress(b"first ") + gzip.compress(b"second")
    assert decode_body(body, "gzip", Limits()) == b"first second"


@pytest.mark.parametrize(
    ("body", "coding", "reason"),
    [
        (b"not gzip at all", "gzip", "decode_error:gzip"),
        (gzip.compress(CARD_TEXT)[:-12], "gzip", "decode_error:gzip"),
        (b"\xff\xfe garbage", "br", "decode_error:br"),
        (b"garbage that is not zstd", "zstd", "decode_error:zstd"),
        (CARD_TEXT, "compress", "unsupported_encoding:compress"),
        (CARD_TEXT, "xyz", "unsupported_encoding:xyz"),
    ],
    ids=["corrupt-gzip", "truncated-gzip", "corrupt-br", "corrupt-zstd", "compress", "xyz"],
)
def test_corrupt_or_unknown_encoding_makes_body_unscannable(
    scanner: Scanner, body: bytes, coding: str, reason: str
) -> None:
    result = scanner.scan_body(body, content_type="text/plain", content_encoding=coding)
    assert result.unscannable == reason
    assert result.findings == ()
    assert result.bytes_scanned == 0


def test_error_messages_never_quote_body_content() -> None:
    secret = b"4111 1111 1111 1111 not gzip"
    with pytest.raises(DecodeError) as info:
        decode_body(secret, "gzip", Limits())
    assert "4111" not in str(info.value)


def test_body_over_max_body_bytes_is_not_decoded(scanner: Scanner) -> None:
    small = Scanner.build(scanner.detectors, hmac_key=b"k" * 32, limits=Limits(max_body_bytes=64))
    result = small.scan_body(CARD_TEXT, content_type="text/plain", content_encoding=None)
    assert result.unscannable == "limit_exceeded:body_size"


def test_more_stacked_codings_than_max_depth_is_refused() -> None:
    body = CARD_TEXT
    for _ in range(3):
        body = gzip.compress(body)
    assert decode_body(body, "gzip, gzip, gzip", Limits(max_depth=3)) == CARD_TEXT
    with pytest.raises(LimitExceeded) as info:
        decode_body(gzip.compress(body), "gzip, gzip, gzip, gzip", Limits(max_depth=3))
    assert info.value.limit == "depth"


def test_expansion_past_max_ratio_is_refused() -> None:
    body = gzip.compress(b"a" * 200_000)  # ~1000:1
    limits = Limits(max_ratio=100, ratio_floor_bytes=0)
    with pytest.raises(LimitExceeded) as info:
        decode_body(body, "gzip", limits)
    assert info.value.limit == "ratio"


def test_small_repetitive_bodies_stay_under_the_ratio_floor() -> None:
    body = gzip.compress(b'{"k": "v"}, ' * 10_000)  # >100:1 but only 120 KB decoded
    assert len(decode_body(body, "gzip", Limits())) == 120_000


def test_output_past_max_decoded_bytes_is_refused() -> None:
    body = zstandard.ZstdCompressor().compress(b"x" * (3 * MiB))
    with pytest.raises(LimitExceeded) as info:
        decode_body(body, "zstd", Limits(max_decoded_bytes=2 * MiB, max_ratio=10**6))
    assert info.value.limit == "decoded_size"


def _gzip_zeros(total: int) -> bytes:
    """Compress ``total`` zero bytes by streaming 1 MiB at a time (never holds the output)."""
    obj = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    chunk = bytes(MiB)
    parts = [obj.compress(chunk) for _ in range(total // MiB)]
    parts.append(obj.flush())
    return b"".join(parts)


@pytest.fixture(scope="module")
def gzip_bomb() -> bytes:
    return _gzip_zeros(1024 * MiB)  # 1 GiB of zeros, about 1 MB on the wire


def test_gzip_bomb_fails_fast_with_bounded_memory(scanner: Scanner, gzip_bomb: bytes) -> None:
    assert len(gzip_bomb) < 2 * MiB
    tracemalloc.start()
    began = time.perf_counter()
    try:
        result = scanner.scan_body(gzip_bomb, content_type="text/plain", content_encoding="gzip")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    elapsed = time.perf_counter() - began
    assert result.unscannable == "limit_exceeded:decoded_size"
    assert result.findings == ()
    # stopped at the 64 MiB cap plus one chunk, never near the 1 GiB it would expand to
    assert peak < Limits().max_decoded_bytes + 16 * MiB
    assert elapsed < 10


def test_gzip_bomb_under_a_small_cap_uses_memory_of_the_cap_only(gzip_bomb: bytes) -> None:
    limits = Limits(max_decoded_bytes=4 * MiB)
    tracemalloc.start()
    try:
        with pytest.raises(LimitExceeded):
            decode_body(gzip_bomb, "gzip", limits)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 4 * MiB + 4 * MiB  # the cap, plus the encoded input slices and slack


@pytest.mark.parametrize("coding", ["br", "zstd"])
def test_brotli_and_zstd_bombs_are_stopped_at_the_cap(coding: str) -> None:
    zeros = bytes(256 * MiB)
    body = (
        brotli.compress(zeros, quality=1)
        if coding == "br"
        else (zstandard.ZstdCompressor(level=1).compress(zeros))
    )
    del zeros
    limits = Limits(max_decoded_bytes=4 * MiB, max_ratio=10**9)
    tracemalloc.start()
    try:
        with pytest.raises(LimitExceeded) as info:
            decode_body(body, coding, limits)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert info.value.limit == "decoded_size"
    assert peak < 12 * MiB


def test_stacked_bomb_is_stopped_in_the_inner_layer() -> None:
    body = brotli.compress(_gzip_zeros(256 * MiB))
    with pytest.raises(LimitExceeded):
        decode_body(body, "gzip, br", Limits(max_decoded_bytes=4 * MiB))


@pytest.mark.parametrize("coding", sorted(ENCODERS))
def test_large_body_decodes_byte_exact_across_many_chunks(coding: str) -> None:
    original = b"".join(
        b"line %d of a long log, user%d@example.com\n" % (i, i) for i in range(60_000)
    )
    assert len(original) > 2 * MiB
    body = ENCODERS[coding](original)
    assert decode_body(body, coding, Limits()) == original
