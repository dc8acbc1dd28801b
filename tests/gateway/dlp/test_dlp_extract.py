"""What gets scanned: extraction by content type, locations, and file types by magic bytes."""

from __future__ import annotations

import bz2
import codecs
import gzip
import io
import json
import lzma
import random
import zipfile
from collections.abc import Callable

import pytest

from gateway.dlp import Limits, Scanner, sniff_file_type

CARD = "4111 1111 1111 1111"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64)


def _locations(scanner: Scanner, body: bytes, content_type: str | None) -> list[tuple[str, str]]:
    result = scanner.scan_body(body, content_type=content_type, content_encoding=None)
    assert result.unscannable is None
    return [(f.detector, f.location) for f in result.findings]


def test_plain_text_body_is_scanned_with_location_body(scanner: Scanner) -> None:
    body = f"my card is {CARD}".encode()
    assert _locations(scanner, body, "text/plain") == [("credit_card", "body")]


def test_text_charset_from_content_type_is_honoured(scanner: Scanner) -> None:
    body = f"карта {CARD}".encode("utf-16")
    assert _locations(scanner, body, "text/plain; charset=utf-16") == [("credit_card", "body")]


def test_invalid_utf8_does_not_stop_scanning(scanner: Scanner) -> None:
    body = b"\xff\xfe broken \xc3 bytes then " + CARD.encode()
    assert _locations(scanner, body, "text/plain") == [("credit_card", "body")]


def test_json_findings_carry_their_json_path(scanner: Scanner) -> None:
    doc = {"order": {"items": [{"note": "x"}, {"payment": CARD}]}, "email": "a.b@example.com"}
    found = _locations(scanner, json.dumps(doc).encode(), "application/json")
    assert ("credit_card", "json:$.order.items[1].payment") in found
    assert ("email_address", "json:$.email") in found


def test_json_escapes_are_undone_before_scanning(scanner: Scanner) -> None:
    body = b'{"k": "4111\\u00201111\\u00201111\\u0020111\\u0031"}'
    assert _locations(scanner, body, "application/json") == [("credit_card", "json:$.k")]


def test_json_number_holding_a_card_number_is_found(scanner: Scanner) -> None:
    assert _locations(scanner, b'{"pan": 4111111111111111}', "application/json") == [
        ("credit_card", "json:$.pan")
    ]


def test_json_keys_are_scanned_and_not_shown_when_not_identifiers(scanner: Scanner) -> None:
    body = json.dumps({"jane@example.com": 1}).encode()
    assert _locations(scanner, body, "application/json") == [("email_address", "json:$[?]")]


def test_json_inside_a_json_string_is_parsed_once(scanner: Scanner) -> None:
    inner = json.dumps({"card": CARD})
    body = json.dumps({"payload": inner}).encode()
    assert _locations(scanner, body, "application/vnd.api+json") == [
        ("credit_card", "json:$.payload/$.card")
    ]


@pytest.mark.parametrize("escape", [False, True])  # the fast path and the walk
def test_json_value_under_a_repeated_key_is_not_hidden(scanner: Scanner, escape: bool) -> None:
    # a dict keeps the last of two equal keys; the origin's parser may keep the first
    note = "caf\\u00e9" if escape else "hi"
    body = f'{{"note": "{CARD}", "x": {{"note": "{note}", "note": "{CARD}"}}, "note": "{note}"}}'
    assert _locations(scanner, body.encode(), "application/json") == [
        ("credit_card", "json:$.note"), ("credit_card", "json:$.x.note")
    ]


@pytest.mark.parametrize("compress", [gzip.compress, bz2.compress, lzma.compress])
@pytest.mark.parametrize("encode", ["base64", "hex"])
def test_short_compressed_stream_in_base64_or_hex_is_opened(
    scanner: Scanner, compress: Callable[[bytes], bytes], encode: str
) -> None:
    blob = compress(b"ssn 536-22-1234")  # 35-72 bytes: below the 64 a document needs
    text = blob.hex() if encode == "hex" else _b64(blob).decode()
    kind = {gzip.compress: "gzip", bz2.compress: "bzip2", lzma.compress: "xz"}[compress]
    assert _locations(scanner, json.dumps({"f": text}).encode(), "application/json") == [
        ("us_ssn", f"json:$.f/{encode}!{kind}")
    ]


def test_text_that_starts_like_a_compressed_stream_is_still_text(scanner: Scanner) -> None:
    body = _b64(b"BZh, said Jane: my ssn is 536-22-1234")
    assert _locations(scanner, body, "text/plain") == [("us_ssn", "body/base64")]


def test_json_without_content_type_is_recognised_by_its_bytes(scanner: Scanner) -> None:
    result = scanner.scan_body(
        json.dumps([{"n": CARD}]).encode(), content_type=None, content_encoding=None
    )
    assert result.file_type == "json"
    assert [f.location for f in result.findings] == ["json:$[0].n"]


def test_invalid_json_is_scanned_as_text(scanner: Scanner) -> None:
    body = b'{"broken": "' + CARD.encode()
    assert _locations(scanner, body, "application/json") == [("credit_card", "body")]


def test_json_with_more_nodes_than_max_parts_is_scanned_as_text_and_flagged(
    scanner: Scanner,
) -> None:
    small = Scanner.build(scanner.detectors, hmac_key=b"k" * 32, limits=Limits(max_parts=50))
    body = json.dumps([str(i) for i in range(100)] + [CARD]).encode()
    result = small.scan_body(body, content_type="application/json", content_encoding=None)
    assert result.unscannable == "limit_exceeded:parts"
    assert [(f.detector, f.location) for f in result.findings] == [("credit_card", "body")]


def test_deeply_nested_json_does_not_crash_the_scanner(scanner: Scanner) -> None:
    body = b"[" * 100_000 + b"]" * 100_000
    result = scanner.scan_body(body, content_type="application/json", content_encoding=None)
    assert result.findings == ()


@pytest.mark.parametrize(
    "body",
    [
        b'{"items": [{"id": 12, "card": "4111111111111111", "tags": ["a", "", 3.25]}], "n": null}',
        b'[1, -2, 1.5, 12345678901234567890, {"x y": {"k": [true, false, []]}}, "ssn 536-22-1234"]',
        b'{"a": {"b": {"c": [[[["jane.doe@example.com"]]]]}}, "z": 0.1}',
        b'{"dob": "1984-02-03", "t": true, "n": {"k": 1}, "l": ["v", 2], "m" :\n 3, "e": ""}',
        # literals and empty containers between separators; brackets inside strings
        b'[null, 1, [], {}, "a", true, [[]], {"k": null, "v": [], "w": {}, "x": 5}, false]',
        b'{"a]": "x[", "b": {"c}": ["a{", "]"]}, "d": [1.5, -2, 3e-07]}',
        b'["' + b'x", "' * 300 + b'y", {"deep": [[[["tail"]]]]}]',  # many in a row
        b"[" * 255 + b'"ok"' + b"]" * 255,
        b"[" + b",".join([b'["x[[[[", {"k": "x{{"}]'] * 300) + b"]",  # depth 3, 601 opened
        b'{"a": "x", "a": "y"}',  # a repeated key: both members, in document order
        b'[1, {"b": [{"c": 1, "c": 2}]}]',  # a repeated key deep down
        b'{"a:": [1], "a:": {"b": 2}}',
    ],
)
def test_json_fast_path_segments_equal_the_walk(body: bytes) -> None:
    from gateway.dlp._extract import extract

    walked = extract(body, "application/json", Limits())
    quick = extract(body, "application/json", Limits(), fast=True)
    assert walked.fast is None and quick.fast is not None
    assert quick.fast.materialize() == walked.segments
    assert quick.fast.joined == b"\0".join(s.data for s in walked.segments[: walked.primary])


@pytest.mark.parametrize(
    "body",
    [
        b'{"a": 1e5}',  # repr differs from the text
        b'{"a": 1.10}',
        b'{"a": -0}',
        b'{"a": NaN}',
        b'{"a": " {\\"b\\": 1}"}',  # escapes
        b'{"a": "[1, 2]"}',  # JSON inside a string
        b'{"a": " \t {\"b\": 1}"}',
        '{"a": "\u00e9"}'.encode(),
        b'"only a string"',
        b"  null ",
        b'[1, [2, -0]]',
        b'[2.50, 1]',
        b'{"a": [Infinity]}',
        b'{"a": "x}',  # quotes unpaired
        b'{"a": "x"} "',
        b'{"a": "tab\there"}',  # a control byte in a string
        b'{"a": 1}\x06',
        b"[" * 256 + b"]" * 256,  # deeper than the walk goes
    ],
)
def test_json_fast_path_leaves_other_bodies_to_the_walk(body: bytes) -> None:
    from gateway.dlp._extract import extract

    assert extract(body, "application/json", Limits(), fast=True).fast is None


def test_urlencoded_form_fields_are_decoded_and_located(scanner: Scanner) -> None:
    body = b"name=Jane&card=4111+1111+1111+1111&mail=jane%40example.com"
    found = _locations(scanner, body, "application/x-www-form-urlencoded")
    assert found == [("credit_card", "form:card"), ("email_address", "form:mail")]


def test_form_with_too_many_fields_is_unscannable(scanner: Scanner) -> None:
    small = Scanner.build(scanner.detectors, hmac_key=b"k" * 32, limits=Limits(max_parts=10))
    body = "&".join(f"f{i}=v" for i in range(20)).encode()
    result = small.scan_body(
        body, content_type="application/x-www-form-urlencoded", content_encoding=None
    )
    assert result.unscannable == "limit_exceeded:parts"


def _multipart(parts: list[tuple[str, str | None, str | None, bytes]], boundary: str) -> bytes:
    out = b""
    for name, filename, ctype, data in parts:
        disp = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
        out += f"--{boundary}\r\nContent-Disposition: {disp}\r\n".encode()
        if ctype:
            out += f"Content-Type: {ctype}\r\n".encode()
        out += b"\r\n" + data + b"\r\n"
    return out + f"--{boundary}--\r\n".encode()


@pytest.mark.parametrize(("filename", "ctype", "codec"), [
    (None, "text/plain; charset=utf-16", "utf-16"),  # declared (with a mark)
    ("notes.txt", None, "utf-16"),  # a byte-order mark alone
    ("notes.txt", "text/plain", "utf-16-le"),  # neither: told by its NULs
    ("notes.txt", None, "utf-32-be"),
])
def test_multipart_part_in_a_wide_charset_is_read(
    scanner: Scanner, filename: str | None, ctype: str | None, codec: str
) -> None:
    part = f"Zoë's card {CARD}".encode(codec)
    body = _multipart([("f", filename, ctype, part)], "bnd")
    where = "multipart:f" + (f"/{filename}" if filename else "")
    assert _locations(scanner, body, "multipart/form-data; boundary=bnd") == [
        ("credit_card", where)]


def test_multipart_text_fields_and_text_files_are_scanned(scanner: Scanner) -> None:
    body = _multipart(
        [
            ("comment", None, None, f"card {CARD}".encode()),
            ("upload", "notes.txt", "text/plain", b"ssn: 536-22-1234\n"),
            ("photo", "cat.png", "image/png", PNG + CARD.encode()),
        ],
        "XyZ",
    )
    result = scanner.scan_body(
        body, content_type="multipart/form-data; boundary=XyZ", content_encoding=None
    )
    assert [(f.detector, f.location) for f in result.findings] == [
        ("credit_card", "multipart:comment"),
        ("us_ssn", "multipart:upload/notes.txt"),
    ]
    assert result.file_type == "text"


def test_multipart_file_type_comes_from_magic_bytes_not_the_name(scanner: Scanner) -> None:
    body = _multipart([("f", "report.txt", "text/plain", PNG)], "b1")
    result = scanner.scan_body(
        body, content_type="multipart/form-data; boundary=b1", content_encoding=None
    )
    assert result.file_type == "png"
    assert result.findings == ()


def test_multipart_with_more_parts_than_max_parts_is_unscannable(scanner: Scanner) -> None:
    small = Scanner.build(scanner.detectors, hmac_key=b"k" * 32, limits=Limits(max_parts=5))
    body = _multipart([(f"f{i}", None, None, b"v") for i in range(10)], "b2")
    result = small.scan_body(
        body, content_type="multipart/form-data; boundary=b2", content_encoding=None
    )
    assert result.unscannable == "limit_exceeded:parts"


def test_multipart_without_closing_delimiter_is_still_scanned_as_text(scanner: Scanner) -> None:
    body = f"--b3\r\nContent-Disposition: form-data; name=a\r\n\r\n{CARD}".encode()
    result = scanner.scan_body(
        body, content_type="multipart/form-data; boundary=b3", content_encoding=None
    )
    assert result.unscannable == "decode_error"
    assert [f.detector for f in result.findings] == ["credit_card"]


def test_images_are_not_scanned_as_text(scanner: Scanner) -> None:
    result = scanner.scan_body(
        PNG + CARD.encode(), content_type="text/plain", content_encoding=None
    )
    assert result.file_type == "png"
    assert result.findings == ()
    assert result.unscannable is None
    assert result.bytes_scanned == 0


def test_text_behind_a_fake_image_magic_is_still_scanned(scanner: Scanner) -> None:
    body = b"BM hello " + CARD.encode()
    result = scanner.scan_body(body, content_type="image/bmp", content_encoding=None)
    assert [f.detector for f in result.findings] == ["credit_card"]


def _docx() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", f"<w:t>{CARD}</w:t>")
    return buf.getvalue()


def test_office_documents_are_extracted_and_scanned(scanner: Scanner) -> None:
    result = scanner.scan_body(_docx(), content_type="text/plain", content_encoding=None)
    assert result.file_type == "docx"
    assert result.unscannable is None
    assert [(f.detector, f.location) for f in result.findings] == [
        ("credit_card", "file:word/document.xml")
    ]


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "pdf"),
        (PNG, "png"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "jpeg"),
        (b"GIF89a\x01\x00\x01\x00\x80\x00\x00", "gif"),
        (b"\x1f\x8b\x08\x00\x00\x00\x00\x00", "gzip"),
        (b"PK\x03\x04\x14\x00\x00\x00", "zip"),
        (_docx(), "docx"),
        (b'  {"a": 1}', "json"),
        (b"<?xml version='1.0'?><a/>", "xml"),
        (b"<!DOCTYPE html><html></html>", "html"),
        (b"hello world", "text"),
        (bytes(range(256)), None),
    ],
)
def test_sniff_file_type_uses_magic_bytes(data: bytes, kind: str | None) -> None:
    assert sniff_file_type(data) == kind


def test_json_member_values_are_marked_as_following_their_key() -> None:
    from gateway.dlp._extract import extract

    body = b'{"dob": "1984-02-03", "t": true, "n": {"k": 1}, "l": ["v", 2], "m": 3}'
    for fast in (False, True):
        ex = extract(body, "application/json", Limits(), fast=fast)
        segments = ex.fast.materialize() if ex.fast is not None else ex.segments
        assert [(s.data, s.keyed) for s in segments] == [
            (b"dob", False), (b"1984-02-03", True), (b"t", False), (b"n", False),
            (b"k", False), (b"1", True), (b"l", False), (b"v", False), (b"2", False),
            (b"m", False), (b"3", True),
        ]


@pytest.mark.parametrize("fast", ["ascii", "walk"])
def test_json_key_is_context_for_its_value(scanner: Scanner, fast: str) -> None:
    def dob(doc: object) -> list[bool]:
        # a non-ASCII member sends the body down the walk instead of the fast path
        pad = {"x": "ok"} if fast == "ascii" else {"x": "\u00e9"}
        body = json.dumps([pad, doc], ensure_ascii=False).encode()
        result = scanner.scan_body(body, content_type="application/json", content_encoding=None)
        return [f.context for f in result.findings if f.detector == "date_of_birth"]

    assert dob({"dob": "1984-02-03"}) == [True]
    assert dob({"date_of_birth": "3 March 1985"}) == [True]
    assert dob({"born": 19840203, "x": "1984-02-03"}) == []  # only the value's own key
    assert dob({"dob": {"since": "1984-02-03"}}) == []
    assert dob({"dob": ["1984-02-03"]}) == []
    assert dob(["dob", "1984-02-03"]) == []  # an array item has no key
    assert dob({"created": "1984-02-03", "dob": None}) == []
    assert dob({"dob_and_more_than_fifteen_bytes": "1984-02-03"}) == []  # outside the window
    card = [f for f in scanner.scan_body(b'{"card": "4111111111111111"}',
                                         content_type="application/json",
                                         content_encoding=None).findings]
    assert [(f.detector, f.context) for f in card] == [("credit_card", True)]


# -- the candidate filter: which segments _layers looks at -----------------------------------


def _flagged(*segments: bytes) -> set[int]:
    """Indices of the segments the Hyperscan candidate filter passes on to _layers."""
    from gateway.dlp._extract import _candidates

    starts, pos = [], 0
    for one in segments:
        starts.append(pos)
        pos += len(one) + 1
    return _candidates(b"\0".join(segments), starts)


def _decodes(segment: bytes) -> bool:
    """Whether _layers finds anything in a segment (the filter's oracle)."""
    from gateway.dlp._extract import Segment, _layers

    return bool(_layers(Segment("s", segment), Limits()))


def _b64(data: bytes, urlsafe: bool = False) -> bytes:
    import base64

    return base64.urlsafe_b64encode(data) if urlsafe else base64.b64encode(data)


@pytest.mark.parametrize(
    "segment",
    [
        _b64(f"card {CARD}".encode()),
        _b64(b"18 bytes of text!!"),  # 24 characters: the shortest run _blobs decodes
        _b64(b"18 bytes of text!!").rstrip(b"="),
        _b64("номер карты 4111 1111 1111 1111, спасибо".encode(), urlsafe=True),
        b"v: " + _b64("€ 4111 1111 1111 1111 ✓ 𝄞 emoji 😀".encode()),
        b"id=" + _b64("ab€cd€ef€gh€ij€kl€mn€".encode()) + b"&next=1",
        _b64(b"\t\r\nline one\r\nline two\ttabbed"),
        CARD.encode().hex().encode(),
        CARD.replace(" ", "").encode().hex().upper().encode(),
        b"hex:" + "ssn 536-22-1234 ✓ 😀 карта".encode().hex().encode() + b";",
        "€€€€€€€€".encode().hex().encode(),  # 3-byte characters only
        _b64(_docx()),  # documents: binary, kept for sniffing
        _docx().hex().encode(),
        b"a &#52;111 entity",
        b"4111%201111%201111%201111",
        _b64(gzip.compress(b"ssn 536-22-1234")),  # compressed streams under 64 bytes
        _b64(bz2.compress(b"ssn 536-22-1234"), urlsafe=True),
        gzip.compress(b"ssn 536-22-1234").hex().encode(),
        lzma.compress(b"ssn 536-22-1234").hex().upper().encode(),
    ],
)
def test_candidate_filter_passes_every_encoded_text(segment: bytes) -> None:
    assert _decodes(segment)
    assert _flagged(b"before", segment, b"after") == {1}


@pytest.mark.parametrize(
    "segment",
    [
        b"0b1e4f8bd5a14ac6a0b4c6a2d5ef3b21",  # uuids, hashes, ids: random bytes
        b"8F3A9C0D7E6B5A4C3D2E1F0A9B8C7D6E",
        b"d41d8cd98f00b204e9800998ecf8427e",
        b"4Jc9wq2KzR7vN1pXyT8mLb3sQf6hUdEa",
        b"AKIAIOSFODNN7EXAMPLE/wJalrXUtnFEMIbPxRfiCYEXAMPLEKEY",
        b"/" * 86,  # one character short of a document's run
        b"ff" * 43,  # 0xFF is never in UTF-8; too short for a document
        b"1700000000 and 12345678901234567890",  # numbers are hex runs too
    ],
)
def test_candidate_filter_skips_runs_that_cannot_decode_to_text(segment: bytes) -> None:
    assert not _decodes(segment)
    assert _flagged(segment) == set()


def test_candidate_filter_keeps_every_run_long_enough_for_a_document() -> None:
    # (a hex run is a base64 run too: a hex document's run is long enough as base64)
    assert _flagged(b"/" * 87, b"ff" * 44, b"/" * 86, b"ff" * 43) == {0, 1}


def test_candidate_filter_skips_random_uuids() -> None:

    rnd = random.Random(11)
    uuids = [f"{rnd.getrandbits(128):032x}".encode() for _ in range(2000)]
    flagged = _flagged(*uuids)
    assert len(flagged) <= 20  # hex groups pass one uuid in ~170: 1% is a loose bound
    assert not any(_decodes(uuids[i]) for i in flagged)


@pytest.mark.parametrize("seed", range(4))
def test_candidate_filter_passes_whatever_layers_would_decode(seed: int) -> None:
    # the filter must be a necessary condition: random texts (ASCII, accents, CJK, emoji,
    # control characters) at every alignment, base64 (both alphabets) and hex, and random
    # bytes; whatever _layers finds, the filter must have passed

    rnd = random.Random(seed)
    ranges = [(0x20, 0x7E), (0, 0x1F), (0xA0, 0x24F), (0x400, 0x4FF), (0x4E00, 0x4FFF),
              (0x1F600, 0x1F64F), (0xE000, 0xF8FF)]
    segments: list[bytes] = []
    for _ in range(1500):
        if rnd.random() < 0.2:
            raw = rnd.randbytes(rnd.randint(16, 40))
        else:
            picks = [rnd.choice(ranges) for _ in range(rnd.randint(1, 3))]
            text = "".join(chr(rnd.randint(*rnd.choice(picks))) for _ in range(rnd.randint(6, 40)))
            raw = text.encode("utf-8", "surrogatepass")
        encoded = rnd.choice([_b64(raw), _b64(raw, urlsafe=True), raw.hex().encode(),
                              raw.hex().upper().encode()])
        segments.append(rnd.choice([b"", b"k=", b"x "]) + encoded)
    expected = {i for i, one in enumerate(segments) if _decodes(one)}
    assert len(expected) > 500  # most are text
    assert expected <= _flagged(*segments)


def _random_json(rnd: random.Random, depth: int = 0) -> object:
    pick = rnd.random()
    if depth < 5 and pick < 0.3:
        return {rnd.choice(["a", "id", "k-1", "x y", "", "tags", "n0", "_z"]) + str(i):
                _random_json(rnd, depth + 1) for i in range(rnd.randint(0, 4))}
    if depth < 5 and pick < 0.55:
        return [_random_json(rnd, depth + 1) for _ in range(rnd.randint(0, 5))]
    return rnd.choice([None, True, False, 0, 7, -3, 12.5, -0.25, 1700000000, 4111111111111111,
                       "", "x", "4111 1111 1111 1111", " spaced ", "a:b,c", "]}", "-0", "1e5",
                       "true", "null"])


@pytest.mark.parametrize("seed", range(3))
def test_json_fast_path_equals_the_walk_on_random_documents(seed: int) -> None:
    # segments, locations and key marks of the fast path against the walk, over nested
    # objects and arrays with literals, empty strings and containers, and odd whitespace
    from gateway.dlp._extract import extract

    rnd = random.Random(seed)
    checked = 0
    for _ in range(300):
        doc = _random_json(rnd)
        if not isinstance(doc, dict | list):
            continue
        body = json.dumps(doc, indent=rnd.choice([None, 1, "\t"]),
                          separators=rnd.choice([None, (",", ":"), (" ,  ", " :\r\n ")])).encode()
        walked = extract(body, "application/json", Limits())
        quick = extract(body, "application/json", Limits(), fast=True)
        if quick.fast is None:
            continue
        assert quick.fast.materialize() == walked.segments, body
        checked += 1
    assert checked > 100


@pytest.mark.parametrize("first", [True, False])
def test_base64_group_regex_is_exactly_the_groups_that_read_as_utf8(first: bool) -> None:
    import re

    from gateway.dlp._extract import _b64_group_regex, _reads_as_utf8, _utf8_class

    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    group = re.compile(_b64_group_regex(first))
    rnd = random.Random(5)
    for _ in range(20000):
        v = [rnd.randrange(64) for _ in range(4)]
        text = "".join(alphabet[x] for x in v)
        if rnd.random() < 0.3:
            text = text.replace("+", "-").replace("/", "_")  # the URL-safe alphabet
        raw = (v[0] << 2 | v[1] >> 4, (v[1] & 15) << 4 | v[2] >> 2, (v[2] & 3) << 6 | v[3])
        expected = _reads_as_utf8(tuple(map(_utf8_class, raw)), first)
        assert (group.fullmatch(text) is not None) == expected, text


@pytest.mark.parametrize(
    ("body", "charset"),
    [
        # a lone surrogate, a cut code unit
        ("card 4111 1111 1111 1111".encode("utf-16-le") + b"\x00\xd8", "utf-16-le"),
        ("card 4111 1111 1111 1111".encode("utf-32-le") + b"\x00\x00", "utf-32-le"),
    ],
)
def test_malformed_utf16_and_utf32_text_is_unscannable_not_an_exception(
    scanner: Scanner, body: bytes, charset: str
) -> None:
    result = scanner.scan_body(body, content_type=f"text/plain; charset={charset}",
                               content_encoding=None)
    assert result.unscannable is not None and result.unscannable.startswith("decode_error")


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"])
def test_wide_json_and_text_without_a_mark_or_charset_are_read(
    scanner: Scanner, codec: str
) -> None:
    # json.loads reads such bytes, so an origin may: they must not pass as unknown binary
    doc = json.dumps({"note": f"Zoë's card {CARD}"}, ensure_ascii=False).encode(codec)
    assert _locations(scanner, doc, "application/json") == [("credit_card", "json:$.note")]
    text = f"Zoë's card {CARD}, thanks".encode(codec)
    assert _locations(scanner, text, None) == [("credit_card", "body")]


@pytest.mark.parametrize(
    "body",
    [
        random.Random(3).randbytes(4096) + b"\0" * 64,
        b"".join(n.to_bytes(2, "little") for n in range(40000, 42000)),  # 16-bit samples
        "card 4111 1111 1111 1111".encode("utf-16-le") + b"\x00",  # a cut code unit
    ],
)
def test_binary_with_nuls_is_not_read_as_wide_text(scanner: Scanner, body: bytes) -> None:
    """Its bytes are scanned as they are (unknown binary), not decoded as UTF-16."""
    result = scanner.scan_body(body, content_type=None, content_encoding=None)
    assert (result.findings, result.unscannable, result.bytes_scanned) == ((), None, len(body))


@pytest.mark.parametrize("ctype", ["text/plain", "application/octet-stream", None])
def test_a_nul_in_front_of_text_hides_nothing(scanner: Scanner, ctype: str | None) -> None:
    """A NUL makes a body unknown binary; its bytes are still scanned, as a stream's are
    (before, one leading NUL let a buffered body through unread)."""
    for body in (b"\0note: card " + CARD.encode() + b" ok",
                 b"\x00\x01\x02\x03" * 8 + b"card " + CARD.encode() + b"\0\0"):
        assert _locations(scanner, body, ctype) == [("credit_card", "body")]
        part = _multipart([("f", "notes.bin", ctype, body)], "bnd")
        assert _locations(scanner, part, "multipart/form-data; boundary=bnd") == [
            ("credit_card", "multipart:f/notes.bin")]


def test_wide_text_without_a_mark_and_a_lone_surrogate_is_unscannable(
    scanner: Scanner,
) -> None:
    body = "card 4111 1111 1111 1111".encode("utf-16-le") + b"\x00\xd8"  # not binary either
    result = scanner.scan_body(body, content_type=None, content_encoding=None)
    assert result.unscannable is not None and result.unscannable.startswith("decode_error")


@pytest.mark.parametrize("codec", ["zlib", "base64", "rot13", "hex", "no-such-charset"])
def test_a_charset_that_is_no_text_encoding_reads_as_utf8(scanner: Scanner, codec: str) -> None:
    result = scanner.scan_body(b"card 4111 1111 1111 1111", content_encoding=None,
                               content_type=f"text/plain; charset={codec}")
    assert [f.detector for f in result.findings] == ["credit_card"]
    assert result.unscannable is None


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"])
@pytest.mark.parametrize("content_type", ["text/plain", None])
def test_utf16_and_utf32_text_with_a_byte_order_mark_and_no_charset_is_read(
    scanner: Scanner, codec: str, content_type: str | None
) -> None:
    bom = {"utf-16-le": codecs.BOM_UTF16_LE, "utf-16-be": codecs.BOM_UTF16_BE,
           "utf-32-le": codecs.BOM_UTF32_LE, "utf-32-be": codecs.BOM_UTF32_BE}[codec]
    body = bom + "card 4111 1111 1111 1111 on file".encode(codec)
    result = scanner.scan_body(body, content_type=content_type, content_encoding=None)
    assert [f.detector for f in result.findings] == ["credit_card"]
    redacted = scanner.redact(body, content_type=content_type, content_encoding=None)
    assert "4111 1111" not in redacted.decode(codec.split("-")[0] + "-" + codec.split("-")[1])
