"""Redaction: values masked in place, container formats and content encodings kept."""

from __future__ import annotations

import gzip
import json
import urllib.parse

import brotli
import pytest

from gateway.dlp import Scanner
from gateway.errors import ContentError

CARD = "4111 1111 1111 1111"


def test_text_body_is_masked_in_place_keeping_length(scanner: Scanner) -> None:
    body = f"pay {CARD} now, mail jane@example.com".encode()
    out = scanner.redact(body, content_type="text/plain", content_encoding=None)
    assert out == b"pay 4111 **** **** 1111 now, mail jan*@*******.com"
    assert len(out) == len(body)


def test_only_the_requested_detectors_are_masked(scanner: Scanner) -> None:
    body = f"pay {CARD} now, mail jane@example.com".encode()
    out = scanner.redact(
        body, content_type="text/plain", content_encoding=None, detectors={"email_address"}
    )
    assert out == f"pay {CARD} now, mail jan*@*******.com".encode()


def test_body_without_matches_is_returned_unchanged(scanner: Scanner) -> None:
    body = b'{"a":  "nothing",   "b": [1, 2]}'
    assert scanner.redact(body, content_type="application/json", content_encoding=None) is body


def test_json_stays_valid_json_after_redaction(scanner: Scanner) -> None:
    doc = {"user": "Zoë", "card": CARD, "nested": json.dumps({"pan": 4111111111111111})}
    out = scanner.redact(
        json.dumps(doc).encode(), content_type="application/json", content_encoding=None
    )
    parsed = json.loads(out)
    assert parsed["user"] == "Zoë"
    assert parsed["card"] == "4111 **** **** 1111"
    assert json.loads(parsed["nested"]) == {"pan": "4111********1111"}
    assert "Zoë".encode() in out  # ensure_ascii=False
    assert b", " not in out  # compact separators


def test_json_repeated_keys_are_kept_and_each_value_redacted(scanner: Scanner) -> None:
    body = f'{{"note": "{CARD}", "n": "\\u00e9", "note": "{CARD}"}}'.encode()
    out = scanner.redact(body, content_type="application/json", content_encoding=None)
    assert out == '{"note":"4111 **** **** 1111","n":"é","note":"4111 **** **** 1111"}'.encode()


def test_redacted_json_rescans_clean(scanner: Scanner) -> None:
    body = json.dumps(
        {"k": CARD, "aws_secret_access_key": "MmuHOFnH4x6jbhd8F/aZwjDqrZnhG3emr2Au/T/Z"}
    )
    out = scanner.redact(body.encode(), content_type="application/json", content_encoding=None)
    result = scanner.scan_body(out, content_type="application/json", content_encoding=None)
    assert result.findings == ()


def test_urlencoded_form_is_re_encoded(scanner: Scanner) -> None:
    body = b"name=Jane+Doe&card=4111+1111+1111+1111&note=ok%21"
    out = scanner.redact(
        body, content_type="application/x-www-form-urlencoded", content_encoding=None
    )
    assert urllib.parse.parse_qsl(out.decode()) == [
        ("name", "Jane Doe"),
        ("card", "4111 **** **** 1111"),
        ("note", "ok!"),
    ]


def test_multipart_text_part_is_rewritten_with_the_same_boundary(scanner: Scanner) -> None:
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(32)
    body = (
        b"--BoUnDaRy\r\n"
        b'Content-Disposition: form-data; name="msg"\r\n\r\n'
        b"card " + CARD.encode() + b"\r\n"
        b"--BoUnDaRy\r\n"
        b'Content-Disposition: form-data; name="img"; filename="a.png"\r\n'
        b"Content-Type: image/png\r\n\r\n" + png + b"\r\n"
        b"--BoUnDaRy--\r\n"
    )
    out = scanner.redact(
        body, content_type="multipart/form-data; boundary=BoUnDaRy", content_encoding=None
    )
    assert out == body.replace(CARD.encode(), b"4111 **** **** 1111")


def test_multipart_part_in_a_wide_charset_is_not_rewritten(scanner: Scanner) -> None:
    # its text is read as UTF-16; writing UTF-8 back would corrupt it: the rule blocks instead
    body = (b'--b\r\nContent-Disposition: form-data; name="f"; filename="a.txt"\r\n\r\n'
            + f"card {CARD}".encode("utf-16") + b"\r\n--b--\r\n")
    with pytest.raises(ContentError):
        scanner.redact(body, content_type="multipart/form-data; boundary=b",
                       content_encoding=None)


def test_unknown_binary_is_scanned_but_not_rewritten(scanner: Scanner) -> None:
    # a NUL makes it unknown binary: rewriting bytes inside a file of no known type could
    # corrupt it, so a redact rule blocks instead (as for a document)
    body = b"\0\x01\x02card " + CARD.encode() + b" ok"
    assert [f.detector for f in scanner.scan_body(body, content_type=None,
                                                  content_encoding=None).findings] == [
        "credit_card"]
    for ctype, data in ((None, body), ("multipart/form-data; boundary=b", (
            b'--b\r\nContent-Disposition: form-data; name="f"; filename="a.bin"\r\n\r\n'
            + body + b"\r\n--b--\r\n"))):
        with pytest.raises(ContentError):
            scanner.redact(data, content_type=ctype, content_encoding=None)


@pytest.mark.parametrize("coding", ["gzip", "br", "gzip, br"])
def test_content_encoding_is_reapplied(scanner: Scanner, coding: str) -> None:
    plain = f"card {CARD}".encode()
    body = plain
    for c in [c.strip() for c in coding.split(",")]:
        body = gzip.compress(body) if c == "gzip" else brotli.compress(body)
    out = scanner.redact(body, content_type="text/plain", content_encoding=coding)
    decoded = out
    for c in reversed([c.strip() for c in coding.split(",")]):
        decoded = gzip.decompress(decoded) if c == "gzip" else brotli.decompress(decoded)
    assert decoded == b"card 4111 **** **** 1111"


def test_corrupt_body_cannot_be_redacted(scanner: Scanner) -> None:
    with pytest.raises(ContentError):
        scanner.redact(b"not gzip", content_type="text/plain", content_encoding="gzip")


def test_non_utf8_text_is_redacted_in_its_own_charset(scanner: Scanner) -> None:
    body = f"Café card {CARD}".encode("latin-1")
    out = scanner.redact(body, content_type="text/plain; charset=latin-1", content_encoding=None)
    assert out == "Café card 4111 **** **** 1111".encode("latin-1")


def test_rewrite_hands_each_value_and_its_detector_to_the_replacer(scanner: Scanner) -> None:
    body = json.dumps({"card": "4111 1111 1111 1111", "who": "jane@example.com"}).encode()
    seen: list[tuple[str, str]] = []

    def replace(detector: str, value: str) -> str:
        seen.append((detector, value))
        return f"<{detector}>"

    out = scanner.rewrite(body, content_type="application/json", content_encoding=None,
                          replace=replace, detectors={"credit_card"})
    assert json.loads(out) == {"card": "<credit_card>", "who": "jane@example.com"}
    assert seen == [("credit_card", "4111 1111 1111 1111")]


def test_transform_rewrites_every_text_piece_and_keeps_the_structure(scanner: Scanner) -> None:
    body = gzip.compress(b"a=tok_1&b=keep")
    out = scanner.transform(body, content_type="application/x-www-form-urlencoded",
                            content_encoding="gzip", fn=lambda t: t.replace("tok_1", "value"))
    assert gzip.decompress(out) == b"a=value&b=keep"
    same = scanner.transform(body, content_type="application/x-www-form-urlencoded",
                             content_encoding="gzip", fn=lambda t: t)
    assert same is body
