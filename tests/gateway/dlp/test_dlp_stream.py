"""Streaming scans: a value split anywhere across chunks is found; memory stays bounded."""

from __future__ import annotations

import codecs
import gzip
import io
import random
import zipfile
import zlib
from collections.abc import Callable

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


def _stream(scanner: Scanner, chunks: list[bytes], content_type: str | None = "text/plain",
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


# -- text in other charsets: transcoded to UTF-8 as it streams ---------------------------------

WORDS = _filler(3000, 5).decode()
NBSP_CARD = "5555\u00a05555\u00a05555\u00a04444"
DASH_SSN = "536\u201322\u20131234"  # en dashes
PROSE = f"{WORDS} Café — Mastercard {NBSP_CARD} exp 12/29; SSN: {DASH_SSN} — fin {WORDS}"
"""Values only normalization reveals (NBSP, en dash), in every charset listed below."""
WIDE_CARD = "\u3000".join("".join(chr(0xFF10 + int(c)) for c in group)
                          for group in ("5555", "5555", "5555", "4444"))
JAPANESE = (PROSE.replace("Café —", "カード番号").replace("— fin", "以上")
            .replace(NBSP_CARD, WIDE_CARD).replace(DASH_SSN, "536\u221222\u22121234"))
"""Fullwidth digits, ideographic spaces and minus signs, which Shift_JIS can encode."""


def _seen(result: ScanResult) -> list[tuple[str, str, str]]:
    return sorted((f.detector, f.hmac, f.confidence.name) for f in result.findings)


@pytest.mark.parametrize(
    ("charset", "body"),
    [
        ("utf-16le", PROSE.encode("utf-16-le")),
        ("utf-16be", PROSE.encode("utf-16-be")),
        ("utf-16", PROSE.encode("utf-16")),  # with its byte-order mark
        ("utf-16", PROSE.encode("utf-16-le")),  # no mark: the host's order, as bytes.decode
        ("utf-32", PROSE.encode("utf-32")),
        ("utf-32be", PROSE.encode("utf-32-be")),
        ("windows-1252", PROSE.encode("cp1252")),
        ("Shift_JIS", JAPANESE.encode("shift_jis")),
        ("iso-2022-jp", JAPANESE.encode("iso-2022-jp")),  # stateful: escapes switch modes
        ("utf-7", JAPANESE.encode("utf-7")),
    ],
)
def test_text_in_another_charset_is_found_as_the_buffered_scan_finds_it(
        scanner: Scanner, charset: str, body: bytes) -> None:
    ctype = f"text/plain; charset={charset}"
    buffered = scanner.scan_body(body, content_type=ctype, content_encoding=None)
    assert {f.detector for f in buffered.findings} == {"credit_card", "us_ssn"}
    for parts in (1, 7, 64):
        streamed = _stream(scanner, _split(body, parts), content_type=ctype)
        assert _seen(streamed) == _seen(buffered), (charset, parts)
        assert streamed.unscannable is None


@pytest.mark.parametrize(
    ("ctype", "encode", "unit"),
    [
        ("text/plain; charset=utf-16le", lambda t: t.encode("utf-16-le"), 2),
        ("text/plain", lambda t: codecs.BOM_UTF16_BE + t.encode("utf-16-be"), 2),
        ("text/plain; charset=utf-32", lambda t: t.encode("utf-32"), 4),
        ("text/plain; charset=windows-1252", lambda t: t.encode("cp1252"), 1),
    ],
)
def test_a_transcoded_value_split_at_every_byte_offset(
        scanner: Scanner, ctype: str, encode: Callable[[str], bytes], unit: int) -> None:
    body = encode(PROSE)
    # buffered bodies read no mark without a charset: compare with the charset declared
    declared = ctype if "charset" in ctype else "text/plain; charset=utf-16"
    buffered = _seen(scanner.scan_body(body, content_type=declared, content_encoding=None))
    for value, detector in ((NBSP_CARD, "credit_card"), (DASH_SSN, "us_ssn")):
        at = len(encode(PROSE[: PROSE.index(value)]))  # a mark, if any, included
        want = [f for f in buffered if f[0] == detector]
        assert want
        for cut in range(at - 2 * unit, at + unit * len(value) + 2 * unit):
            got = _stream(scanner, [body[:cut], body[cut:]], content_type=ctype)
            assert [f for f in _seen(got) if f[0] == detector] == want, (detector, cut)
            assert got.unscannable is None


@pytest.mark.parametrize(
    ("ctype", "codec"),
    [("text/plain", "utf-16-le"), (None, "utf-16-be"), ("application/octet-stream", "utf-32-le"),
     ("text/plain", "utf-32-be")],
)
def test_wide_text_without_mark_or_charset_is_read_by_where_its_nuls_fall(
        scanner: Scanner, ctype: str | None, codec: str) -> None:
    """No mark, no charset: a streamed UTF-16/32 upload is read as the buffered body is (by
    its NULs in the first 4 KiB); before, it went through as UTF-8, every digit NUL-split."""
    body = PROSE.encode(codec)
    buffered = _seen(scanner.scan_body(body, content_type=ctype, content_encoding=None))
    assert {f[0] for f in buffered} == {"credit_card", "us_ssn"}
    unit = 4 if "32" in codec else 2
    at = len(PROSE[: PROSE.index(NBSP_CARD)].encode(codec))
    for cut in (*range(at - 2 * unit, at + unit * len(NBSP_CARD) + 2 * unit, 3), 1, 4095, 4097):
        got = _stream(scanner, [body[:cut], body[cut:]], content_type=ctype)
        assert _seen(got) == buffered, cut
        assert got.unscannable is None
    got = _stream(scanner, _split(body, 64), content_type=ctype)
    assert _seen(got) == buffered
    short = "card 5555 5555 5555 4444 ok".encode(codec)  # under 4 KiB: decided at the end
    assert _detectors(_stream(scanner, _split(short, 3), content_type=ctype)) == ["credit_card"]


def test_a_wrong_guess_of_wide_text_is_no_unscannable_body(scanner: Scanner) -> None:
    """NULs said UTF-16, then bytes that are no UTF-16 came: the guess was wrong, nothing is
    unscannable, and the UTF-8 reading found what the bytes hold."""
    body = WORDS.encode("utf-16-le") + b"\x00\xdc" * 64 + b" card " + CARD + b" ok"
    result = _stream(scanner, _split(body, 9), content_type="text/plain")
    assert result.unscannable is None
    assert _detectors(result) == ["credit_card"]


@pytest.mark.parametrize(
    ("ctype", "bom", "codec"),
    [
        ("text/plain", codecs.BOM_UTF16_LE, "utf-16-le"),
        ("text/plain", codecs.BOM_UTF16_BE, "utf-16-be"),
        (None, codecs.BOM_UTF32_LE, "utf-32-le"),
        ("application/octet-stream", codecs.BOM_UTF32_BE, "utf-32-be"),
    ],
)
def test_a_byte_order_mark_alone_names_the_charset(
        scanner: Scanner, ctype: str | None, bom: bytes, codec: str) -> None:
    body = bom + "card 5555 5555 5555 4444 ok".encode(codec)
    for chunks in ([body], [body[i : i + 1] for i in range(len(body))]):  # the mark split too
        assert _detectors(_stream(scanner, chunks, content_type=ctype)) == ["credit_card"]
    # a declared charset wins over the mark, as for buffered bodies
    raw = _stream(scanner, [body], content_type="text/plain; charset=utf-8")
    assert raw.findings == ()


def test_utf8_and_ascii_streams_are_scanned_as_they_are(scanner: Scanner) -> None:
    for ctype in ("text/plain", "text/plain; charset=utf-8", "text/plain; charset=US-ASCII",
                  "text/plain; charset=no-such-charset", "text/plain; charset=zlib", None):
        result = _stream(scanner, _split(BODY, 5), content_type=ctype)
        assert _detectors(result) == ["credit_card"], ctype
        assert result.bytes_scanned == len(BODY), ctype  # not decoded, not copied
    for start in (b"\xff", b"\xffx", b"\xef\xbb\xbf", b"\x00"):  # no wide mark
        body = start + b" card " + CARD
        assert _detectors(_stream(scanner, [body[:1], body[1:]])) == ["credit_card"], start


def test_fullwidth_digits_in_utf16_are_normalized_across_a_split(scanner: Scanner) -> None:
    fullwidth = "".join(chr(0xFF10 + int(c)) for c in "5555555555554444")
    data = ("card " + "\u200b".join(fullwidth) + " ok").encode("utf-16-le")
    for cut in range(len(data)):
        result = _stream(scanner, [data[:cut], data[cut:]],
                         content_type="text/plain; charset=utf-16le")
        assert _detectors(result) == ["credit_card"], cut


def test_undecodable_bytes_are_handled_as_the_buffered_scan_handles_them(
        scanner: Scanner) -> None:
    # a byte cp1252 leaves undefined is kept as a lone surrogate: it matches nothing
    body = PROSE.encode("cp1252").replace(b"Caf\xe9", b"Caf\x81")
    ctype = "text/plain; charset=windows-1252"
    buffered = scanner.scan_body(body, content_type=ctype, content_encoding=None)
    streamed = _stream(scanner, _split(body, 9), content_type=ctype)
    assert _seen(streamed) == _seen(buffered) and len(buffered.findings) == 2
    assert streamed.unscannable is None


@pytest.mark.parametrize(
    "bad", [b"\x00\xd8 \x00", b"\x00\xdc"], ids=["lone-surrogate", "lone-low-surrogate"])
def test_text_that_is_not_its_charset_is_unscannable(scanner: Scanner, bad: bytes) -> None:
    head = ("card " + CARD.decode() + " then ").encode("utf-16-le")
    tail = ("card 4111 1111 1111 1111 " + WORDS).encode("utf-16-le")
    result = _stream(scanner, [head, bad + tail], content_type="text/plain; charset=utf-16le")
    assert result.unscannable == "decode_error:utf-16-le"
    assert _detectors(result) == ["credit_card"]  # what came before is still judged
    cut = _stream(scanner, [head + b"x"], content_type="text/plain; charset=utf-16le")
    assert cut.unscannable == "decode_error:utf-16-le"  # half a character at the end
    assert _detectors(cut) == ["credit_card"]


def test_a_utf7_decoder_cannot_hold_back_an_unbounded_run(scanner: Scanner) -> None:
    scanner = scanner.with_limits(Limits(stream_window=4096))
    st = scanner.open_stream(content_type="text/plain; charset=utf-7", content_encoding=None)
    st.feed(b"card " + CARD + b" +")
    for _ in range(10):
        st.feed(b"AGEAYgBj" * 100)  # a base64 run that never ends
    result = st.finish()
    assert result.unscannable == "limit_exceeded:stream_window"
    assert _detectors(result) == ["credit_card"]


def test_window_memory_stays_bounded_on_a_long_utf16_stream(scanner: Scanner) -> None:
    limits = Limits(stream_window=64 * 1024)
    scanner = scanner.with_limits(limits)
    st = scanner.open_stream(content_type="text/plain; charset=utf-16", content_encoding=None)
    words = _filler(32 * 1024, 3).decode()
    body = codecs.BOM_UTF16_LE + (words * 90 + " card " + CARD.decode() + " " + words * 10
                                  ).encode("utf-16-le")  # 6.4 MiB, the card near the end
    step = 64 * 1024 + 1  # odd: chunks end inside a character
    peak = 0
    for at in range(0, len(body), step):
        st.feed(body[at : at + step])
        peak = max(peak, len(st._window))
    result = st.finish()
    assert _detectors(result) == ["credit_card"]
    assert peak <= limits.stream_window + 2 * step
    assert result.bytes_scanned == (len(body) - 2) // 2  # ASCII text: one byte a character


# -- CSV: the header, kept from the stream's start, labels the columns below it -------------


def _export(rows: int, seed: int) -> bytes:
    """A patient export whose quoted notes hold delimiters, newlines and dates."""
    rng = random.Random(seed)
    lines = ['name,"notes, free text",dob,nhs_number,diagnosis']
    for i in range(rows):
        digits = [rng.randrange(10) for _ in range(9)]
        check = (11 - sum(x * (10 - k) for k, x in enumerate(digits)) % 11) % 11
        nhs = "".join(map(str, digits)) + str(check % 10)  # a check of 10 fails: fine too
        day = f"{rng.randint(1, 28):02d}"
        note = rng.choice(["", "ok", f'"seen, again\n2003-04-{day}, ""fine"""', '"a\nb"'])
        lines.append(f'"Doe, J {i}",{note},19{rng.randint(40, 99)}-02-{day},{nhs},'
                     f"E{rng.randint(10, 14)}.{rng.randint(0, 9)}")
    return "\n".join(lines).encode()


def _judged(result: ScanResult) -> list[tuple[str, str, str, bool]]:
    return sorted((f.detector, f.hmac, f.confidence.name, f.context) for f in result.findings)


@pytest.mark.parametrize("chunk", [13, 97, 4096, 1 << 20])  # 13: the header split
def test_a_streamed_csv_finds_what_the_buffered_scan_finds(scanner: Scanner, chunk: int) -> None:
    body = _export(400, 1)
    buffered = scanner.scan_body(body, content_type="text/csv", content_encoding=None)
    births = [f for f in buffered.findings if f.detector == "date_of_birth"]
    assert len(births) == 400 and all(f.context for f in births)
    streamed = _stream(scanner, [body[i : i + chunk] for i in range(0, len(body), chunk)],
                       content_type="text/csv")
    assert _judged(streamed) == _judged(buffered)


def test_a_csv_longer_than_the_stream_window_keeps_its_header(scanner: Scanner) -> None:
    small = scanner.with_limits(Limits(stream_window=4096))
    body = _export(3000, 2)  # about 40 stream windows, quotes open across window edges
    buffered = small.scan_body(body, content_type="text/csv", content_encoding=None)
    assert sum(f.detector == "date_of_birth" for f in buffered.findings) == 3000
    st = small.open_stream(content_type="text/csv", content_encoding=None)
    peak = 0
    for i in range(0, len(body), 1000):
        st.feed(body[i : i + 1000])
        peak = max(peak, len(st._window))
    assert _judged(st.finish()) == _judged(buffered)
    assert peak < 4 * 4096


def test_a_streamed_csv_without_a_naming_header_finds_no_weak_values(scanner: Scanner) -> None:
    body = b"who,what,when,ref,code\n" + _export(300, 3).partition(b"\n")[2]
    for content_type in ("text/csv", "text/plain"):
        streamed = _stream(scanner, _split(body, 9), content_type=content_type)
        assert not {"date_of_birth", "icd10_code", "uk_nhs_number"} & set(_detectors(streamed))


@pytest.mark.parametrize("bom", [codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_LE])
def test_a_byte_order_mark_in_front_of_utf8_text_hides_nothing(
        scanner: Scanner, bom: bytes) -> None:
    """Only a mark says UTF-16/32: the bytes are read that way and as UTF-8, as buffered."""
    body = bom + b"note: card " + CARD + b" then more text ok!"
    body += b"x" * (-len(body) % 4)  # whole UTF-16/32 code units: no decode error
    for chunks in ([body], _split(body, 7), [body[i : i + 1] for i in range(len(body))]):
        result = _stream(scanner, chunks, content_type="text/plain")
        assert "credit_card" in _detectors(result)
    buffered = scanner.scan_body(body, content_type="text/plain", content_encoding=None)
    assert "credit_card" in [f.detector for f in buffered.findings]


def _plain_export(rows: int) -> bytes:
    """A table without quotes (what untyped text must look like to be read as one)."""
    rng = random.Random(rows)
    lines = ["name;dob;nhs_number;diagnosis"]
    for i in range(rows):
        digits = [rng.randrange(10) for _ in range(9)]
        check = (11 - sum(x * (10 - k) for k, x in enumerate(digits)) % 11) % 11
        lines.append(f"Person {i};19{rng.randint(40, 99)}-03-{rng.randint(1, 28):02d};"
                     f"{''.join(map(str, digits))}{check % 10};E11.{rng.randint(0, 9)}")
    return "\n".join(lines).encode()


@pytest.mark.parametrize("content_type", ["text/plain", None])
@pytest.mark.parametrize("chunk", [7, 97, 4096, 1 << 20])
def test_an_untyped_streamed_table_is_read_by_its_header_as_buffered(
    scanner: Scanner, content_type: str | None, chunk: int
) -> None:
    body = _plain_export(400)
    buffered = scanner.scan_body(body, content_type=content_type, content_encoding=None)
    births = [f for f in buffered.findings if f.detector == "date_of_birth"]
    assert len(births) == 400 and all(f.context for f in births)
    streamed = _stream(scanner, [body[i : i + chunk] for i in range(0, len(body), chunk)],
                       content_type=content_type)
    assert _judged(streamed) == _judged(buffered)
