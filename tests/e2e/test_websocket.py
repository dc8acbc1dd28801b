"""WebSocket messages are judged one by one: a clean one round-trips, a card number is dropped.

A gateway of its own routed to a loopback WebSocket origin (wsproto over TLS, the same test PKI
as the HTTPS origin) that echoes text messages and records what reaches it. The client speaks
CONNECT + TLS (trusting the gateway CA) + wsproto by hand. The e2e pack blocks card numbers
sent to ws.example.org (rule ``block-cards-on-ws-example``).
"""

from __future__ import annotations

import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from wsproto import ConnectionType, WSConnection
from wsproto.events import (
    AcceptConnection,
    BytesMessage,
    CloseConnection,
    Event,
    Message,
    Request,
    TextMessage,
)

from tests.e2e.gateway_process import Gateway, start_routed_gateway

pytestmark = pytest.mark.e2e

HOST = "ws.example.org"
CARD_MESSAGE = "please charge 4111 1111 1111 1111 today"
CONFIG = """\
identity:
  ip_map: {"127.0.0.0/8": alice}
policy:
  dir: policies
  packs: [e2e, default]
"""


@dataclass
class WsOrigin:
    port: int
    messages: list[str | bytes] = field(default_factory=list)
    closed: list[bool] = field(default_factory=list)  # one entry per finished connection
    lock: threading.Lock = field(default_factory=threading.Lock)


def _serve_one(raw: socket.socket, tls: ssl.SSLContext, origin: WsOrigin) -> None:
    try:
        sock = tls.wrap_socket(raw, server_side=True)
    except (OSError, ssl.SSLError):
        raw.close()
        return
    ws = WSConnection(ConnectionType.SERVER)
    sock.settimeout(30)
    try:
        while True:
            data = sock.recv(65536)
            ws.receive_data(data or None)
            for event in ws.events():
                if isinstance(event, Request):
                    sock.sendall(ws.send(AcceptConnection()))
                elif isinstance(event, Message):
                    with origin.lock:
                        origin.messages.append(event.data)
                    if event.message_finished:
                        sock.sendall(ws.send(TextMessage(data=event.data)
                                             if isinstance(event, TextMessage)
                                             else BytesMessage(data=event.data)))
                elif isinstance(event, CloseConnection):
                    sock.sendall(ws.send(event.response()))
                    return
            if not data:
                return
    except Exception:  # a reset or a protocol error: the connection is over
        return
    finally:
        with origin.lock:
            origin.closed.append(True)
        sock.close()


def serve_ws(cert: Path, key: Path) -> tuple[WsOrigin, socket.socket]:
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(cert, key)
    listener = socket.create_server(("127.0.0.1", 0))
    origin = WsOrigin(listener.getsockname()[1])

    def accept() -> None:
        while True:
            try:
                raw, _ = listener.accept()
            except OSError:
                return
            threading.Thread(target=_serve_one, args=(raw, tls, origin), daemon=True).start()

    threading.Thread(target=accept, daemon=True, name="ws-origin").start()
    return origin, listener


class WsClient:
    """CONNECT through the gateway, TLS with the gateway's CA, then a wsproto client."""

    def __init__(self, gw: Gateway, host: str, target: str = "/chat") -> None:
        raw = socket.create_connection(("127.0.0.1", gw.port), timeout=10)
        raw.sendall(f"CONNECT {host}:443 HTTP/1.1\r\nHost: {host}:443\r\n\r\n".encode())
        head = b""
        while b"\r\n\r\n" not in head:
            piece = raw.recv(4096)
            assert piece, f"proxy closed during CONNECT: {head!r}"
            head += piece
        assert head.split(b" ", 2)[1] == b"200", head
        ctx = ssl.create_default_context(cafile=str(gw.ca_cert))
        ctx.set_alpn_protocols(["http/1.1"])
        self.sock = ctx.wrap_socket(raw, server_hostname=host)
        self.ws = WSConnection(ConnectionType.CLIENT)
        self.sock.sendall(self.ws.send(Request(host=host, target=target)))
        events = self.events_until(lambda e: isinstance(e, AcceptConnection))
        assert any(isinstance(e, AcceptConnection) for e in events), events

    def send_text(self, text: str) -> None:
        self.sock.sendall(self.ws.send(TextMessage(data=text)))

    def events_until(self, done: Callable[[Event], bool], timeout: float = 10) -> list[Event]:
        """Read events until ``done(event)`` holds or the connection ends (EOF, reset)."""
        out: list[Event] = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                data = self.sock.recv(65536)
            except (OSError, ssl.SSLError):
                data = b""
            self.ws.receive_data(data or None)
            for event in self.ws.events():
                out.append(event)
                if done(event):
                    return out
            if not data:
                out.append(CloseConnection(code=1006, reason="connection lost"))
                return out
        raise TimeoutError(f"no end after {timeout}s: {out}")

    def close(self) -> None:
        self.sock.close()


@pytest.fixture(scope="module")
def ws_origin(origin_pki: tuple[Path, Path, Path]) -> Iterator[WsOrigin]:
    _, cert, key = origin_pki
    origin, listener = serve_ws(cert, key)
    yield origin
    listener.close()


@pytest.fixture(scope="module")
def ws_gateway(tmp_path_factory: pytest.TempPathFactory, ws_origin: WsOrigin,
               origin_pki: tuple[Path, Path, Path]) -> Iterator[Gateway]:
    gw = start_routed_gateway(tmp_path_factory.mktemp("ws-gateway"), ws_origin.port,
                              origin_pki[0], CONFIG)
    yield gw
    gw.stop()


def test_clean_message_round_trips_and_a_card_number_closes_the_socket(
        ws_gateway: Gateway, ws_origin: WsOrigin) -> None:
    client = WsClient(ws_gateway, HOST)
    try:
        client.send_text("hello over websocket")
        events = client.events_until(lambda e: isinstance(e, TextMessage))
        assert [e.data for e in events if isinstance(e, TextMessage)] == ["hello over websocket"]

        client.send_text(CARD_MESSAGE)
        after = client.events_until(lambda e: isinstance(e, CloseConnection))
        # the gateway closes (aborts) the connection: no echo of the card message comes back
        assert not [e for e in after if isinstance(e, Message)], after
        assert isinstance(after[-1], CloseConnection)
    finally:
        client.close()

    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and not ws_origin.closed:
        time.sleep(0.05)
    with ws_origin.lock:
        assert ws_origin.messages == ["hello over websocket"]
        assert ws_origin.closed, "the origin side of the socket was not closed"

    events = ws_gateway.events_for_host(HOST, timeout=5,
                                        want=lambda e: e.get("action") == "block")
    print("audit:", [(e.get("action"), e.get("direction"), e.get("rule")) for e in events])
    blocked = [e for e in events if e["action"] == "block"]
    assert len(blocked) == 1, events
    event = blocked[0]
    assert event["rule"] == "block-cards-on-ws-example"
    assert event["direction"] == "request"
    assert [f["detector"] for f in event["findings"]] == ["credit_card"]  # type: ignore[attr-defined]
    assert "4111 1111 1111 1111" not in ws_gateway.audit_file.read_text()
    # the clean message was judged and allowed as well
    assert any(e["action"] == "allow" for e in events)
