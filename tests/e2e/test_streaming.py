"""Streamed bodies are scanned chunk by chunk, never around the scanner.

A gateway of its own with a 1 KiB stream threshold (everything above streams), the shared
HTTPS origin, and the same policies as the other end-to-end tests.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.gateway_process import Gateway, proxied_client, start_routed_gateway
from tests.e2e.origin import Origin

pytestmark = pytest.mark.e2e

HERE = Path(__file__).parent
CARD = b"5555 5555 5555 4444"
UPLOAD = "https://www.googleapis.com/upload/drive/v3/files?uploadType=media"
CONFIG = """\
identity:
  ip_map: {"127.0.0.0/8": alice}
policy:
  dir: policies
  packs: [e2e, default]
dlp:
  limits: {stream_threshold: 1024}
"""


@pytest.fixture(scope="module")
def streaming_gateway(
    tmp_path_factory: pytest.TempPathFactory, origin: Origin, origin_pki: tuple[Path, Path, Path]
) -> Iterator[Gateway]:
    gw = start_routed_gateway(tmp_path_factory.mktemp("streaming-gateway"), origin.port,
                              origin_pki[0], CONFIG)
    yield gw
    gw.stop()


@pytest.fixture(scope="module")
def streaming_client(streaming_gateway: Gateway) -> Iterator[httpx.Client]:
    with proxied_client(streaming_gateway) as c:
        yield c


def _filler(size: int, seed: int) -> bytes:
    rnd = random.Random(seed)
    words = [b"lorem", b"ipsum", b"dolor", b"sit", b"amet", b"invoice", b"total", b"2024"]
    out = bytearray()
    while len(out) < size:
        out += rnd.choice(words) + b" "
    return bytes(out[:size])


def test_card_at_byte_5000_of_a_streamed_upload_is_found_and_the_upload_is_cut(
        streaming_gateway: Gateway, streaming_client: httpx.Client,
        fresh_origin: Origin) -> None:
    body = _filler(5000, 1) + b" card " + CARD + b" " + _filler(400_000, 2)
    try:
        r = streaming_client.post(UPLOAD, content=body,
                                  headers={"Content-Type": "text/plain"})
        outcome = f"{r.status_code} {r.text[:80]}"
        assert r.status_code >= 400
    except httpx.HTTPError as e:
        outcome = repr(e)  # the gateway cut the connection: that is a refusal too
    time.sleep(0.5)
    received = fresh_origin.requests_to("/upload/drive")
    print("client:", outcome, "origin got:", [len(x.body) for x in received])
    assert all(len(x.body) < len(body) for x in received)
    blocked = [e for e in streaming_gateway.events_for_host("www.googleapis.com")
               if e["action"] == "block"]
    assert len(blocked) == 1
    event = blocked[0]
    assert event["rule"] == "block-sensitive-uploads"
    assert [f["detector"] for f in event["findings"]] == ["credit_card"]  # type: ignore[index,union-attr]
    assert event["request"]["body_bytes"] == len(body)  # type: ignore[index]
    assert CARD.decode() not in streaming_gateway.audit_file.read_text()


def test_clean_streamed_upload_passes_intact(
        streaming_gateway: Gateway, streaming_client: httpx.Client,
        fresh_origin: Origin) -> None:
    body = _filler(600_000, 3)
    r = streaming_client.post("https://www.googleapis.com/upload/drive/v3/files?clean=1",
                              content=body, headers={"Content-Type": "text/plain"})
    assert r.status_code == 200
    [received] = fresh_origin.requests_to("/upload/drive")
    assert received.body == body


def test_chunked_upload_of_unknown_length_is_scanned_too(
        streaming_gateway: Gateway, streaming_client: httpx.Client,
        fresh_origin: Origin) -> None:
    secret = _filler(3000, 4) + b"card " + CARD[:7]
    rest = CARD[7:] + b" " + _filler(200_000, 5)

    def pieces() -> Iterator[bytes]:
        yield secret  # the card number is split across two chunks
        yield rest

    try:
        r = streaming_client.post(UPLOAD + "&chunked=1", content=pieces(),
                                  headers={"Content-Type": "text/plain"})
        assert r.status_code >= 400
    except httpx.HTTPError:
        pass
    assert fresh_origin.requests_to("/upload/drive") == []  # never a complete body
    def is_ours(e: dict[str, Any]) -> bool:
        return bool(e["action"] == "block"
                    and e["request"]["body_bytes"] == len(secret) + len(rest))

    blocked = [e for e in streaming_gateway.events_for_host("www.googleapis.com", want=is_ours)
               if is_ours(e)]
    assert len(blocked) == 1


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-be"])
def test_card_near_the_end_of_a_streamed_utf16_upload_is_found(
        streaming_gateway: Gateway, streaming_client: httpx.Client,
        fresh_origin: Origin, codec: str) -> None:
    """No charset: read by its byte-order mark ("utf-16"), or, with none, by where its NULs
    fall ("utf-16-be")."""
    text = _filler(400_000, 6) + b" card " + CARD + b" " + _filler(2000, 7)
    body = text.decode().encode(codec)
    try:
        r = streaming_client.post(UPLOAD + f"&{codec}=1", content=body,
                                  headers={"Content-Type": "text/plain"})
        assert r.status_code >= 400
    except httpx.HTTPError:
        pass  # the gateway cut the connection: that is a refusal too
    time.sleep(0.5)
    assert all(len(x.body) < len(body) for x in fresh_origin.requests_to("/upload/drive"))

    def is_ours(e: dict[str, Any]) -> bool:
        return bool(e["action"] == "block" and e["request"]["body_bytes"] == len(body))

    [event] = [e for e in streaming_gateway.events_for_host("www.googleapis.com", want=is_ours)
               if is_ours(e)]
    assert [f["detector"] for f in event["findings"]] == ["credit_card"]
