"""Normalization evasions: fullwidth, zero-width, bidi, odd separators; spans map back."""

from __future__ import annotations

import pytest

from gateway.dlp import Scanner
from gateway.dlp._normalize import normalize_bytes

CARD = "5555555555554444"


def _cards(scanner: Scanner, text: str) -> list[tuple[str, int, int]]:
    return [(f.masked, a, b) for f, a, b in scanner.scan_spans(text)
            if f.detector == "credit_card"]


def _fullwidth(s: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in s)


@pytest.mark.parametrize(
    "hidden",
    [
        _fullwidth(CARD),  # fullwidth digits
        "\u200b".join(CARD),  # zero-width space between every digit
        "\u200d".join(CARD[:8]) + "\ufeff" + CARD[8:],  # ZWJ and BOM
        "\u202e" + CARD + "\u202c",  # right-to-left override around it
        "5555\u00a05555\u00a05555\u00a04444",  # NBSP separators
        "5555\u20095555\u20075555\u202f4444",  # thin, figure, narrow no-break spaces
        "5555\u20115555\u20115555\u20114444",  # non-breaking hyphens
        "".join(chr(0x0660 + int(c)) for c in CARD),  # Arabic-Indic digits
        "".join(chr(0x1D7CE + int(c)) for c in CARD),  # mathematical bold digits
    ],
)
def test_hidden_card_is_found_and_its_span_is_the_original_text(
        scanner: Scanner, hidden: str) -> None:
    text = f"héllo, pay with {hidden} thanks"
    [(masked, start, end)] = _cards(scanner, text)
    assert text[start:end].strip("\u202e\u202c") == hidden.strip("\u202e\u202c")
    assert "*" in masked


def test_spans_are_string_offsets_even_after_multibyte_text(scanner: Scanner) -> None:
    text = "日本語のテキスト " + CARD + " 終わり"
    [(_, start, end)] = _cards(scanner, text)
    assert text[start:end] == CARD


def test_ascii_spans(scanner: Scanner) -> None:
    text = "a 5555-5555-5555-4444 b ops@example.com"
    spans = {f.detector: (a, b) for f, a, b in scanner.scan_spans(text)}
    assert text[slice(*spans["credit_card"])] == "5555-5555-5555-4444"
    assert text[slice(*spans["email_address"])] == "ops@example.com"


def test_zero_width_hidden_value_hashes_like_the_plain_value(scanner: Scanner) -> None:
    [plain] = [f for f in scanner.scan_text(CARD) if f.detector == "credit_card"]
    [hidden] = [f for f in scanner.scan_text("\u200b".join(CARD)) if f.detector == "credit_card"]
    assert plain.hmac == hidden.hmac


def test_redaction_masks_the_original_bytes_of_a_hidden_value(scanner: Scanner) -> None:
    body = f"pay {_fullwidth(CARD)} now".encode()
    out = scanner.redact(body, content_type="text/plain; charset=utf-8", content_encoding=None)
    text = out.decode()
    assert text.startswith("pay ") and text.endswith(" now")
    assert "*" in text
    assert not [f for f in scanner.scan_text(text) if f.detector == "credit_card"]


def test_ascii_is_returned_without_a_map() -> None:
    n = normalize_bytes(b"plain ascii 1234")
    assert n.map is None and n.data == b"plain ascii 1234"


def test_offset_map_round_trips_every_changed_character() -> None:
    original = "a\u200bb\uff11c\u00a0d\u2011e".encode()
    n = normalize_bytes(original)
    assert n.data == b"ab1c d-e"
    assert n.map is not None
    # "1" (normalized bytes 2..3) comes from the 3-byte fullwidth digit
    assert original[n.map.start(2) : n.map.end(3)] == "\uff11".encode()
    assert original[n.map.start(0) : n.map.end(len(n.data))] == original
