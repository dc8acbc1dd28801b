"""Large and unknown-length bodies are scanned while they stream, never around the scanner.

mitmproxy's ``stream_large_bodies`` forwards a body without any hook seeing it. Here a body
above ``dlp.limits.stream_threshold`` (or of unknown length) gets a callable as its
``.stream``: every chunk goes through the engine's stream scanner and is forwarded one chunk
late, so the last chunk is always held back. At the end of the body the engine decides (and
records once). Forward: the held chunk is released. Block: the held chunk is never sent and
the connection to the receiving side is aborted, so it never sees a complete message.

WebSocket messages (text and binary) are judged one by one; a blocked message is dropped and
the connection closed.
"""

from __future__ import annotations

import logging
from typing import Any

from mitmproxy import connection, ctx, http

from addons._flow import (
    APP,
    REQUEST_DECISION,
    Holder,
    app_of,
    context_of,
    request_info,
    subject_of,
)
from addons._guard import guarded
from gateway.engine import BodyStream
from gateway.policy import Action, Direction

logger = logging.getLogger("casb")

STREAMED = "casb.streamed"
"""Flow metadata: directions whose body was judged by a stream (the buffered hooks skip it)."""
_NO_BODY = frozenset({"GET", "HEAD", "OPTIONS", "TRACE", "CONNECT"})


def _should_stream(headers: http.Headers, threshold: int, method: str | None) -> bool:
    length = headers.get("content-length")
    if length is not None:
        try:
            return int(length) > threshold
        except ValueError:
            return False  # mitmproxy refuses malformed lengths itself
    # chunked or HTTP/2 without a length: size unknown until the end
    return method is None or method.upper() not in _NO_BODY


def _abort(flow: http.HTTPFlow, conn: connection.Connection) -> bool:
    """Drop one side's TCP connection at once (mitmproxy cannot kill a flow in transit).

    Returns False when the connection could not be found.
    """
    ps: Any = ctx.master.addons.get("proxyserver")
    handler = ps.connections.get(flow.client_conn.id) if ps is not None else None
    io = handler.transports.get(conn) if handler is not None else None
    writer = io.writer if io is not None else None
    if writer is None:
        return False
    transport = getattr(writer, "transport", None)
    if transport is not None:
        transport.abort()  # no FIN after the data: a reset, the body stays incomplete
    else:
        writer.close()
    return True


class _Pump:
    """The callable mitmproxy hands each chunk to; ``b""`` marks the end of the body.

    It returns the pieces to forward: the previous chunk (the last one is held back until the
    verdict), nothing when a chunk is held, and never the rest of a blocked body.
    """

    def __init__(self, owner: Stream, flow: http.HTTPFlow, direction: Direction,
                 message: http.Message) -> None:
        self.owner = owner
        self.flow = flow
        self.direction: Direction = direction
        self.message = message
        self.body: BodyStream | None = None
        self.passthrough = False

    def _open(self) -> BodyStream:
        engine = self.owner.holder.engine
        subject, app = context_of(self.flow)
        status = self.flow.response.status_code if self.flow.response is not None else None
        return engine.open_stream(
            self.direction, request_info(self.flow), subject, app,
            content_type=self.message.headers.get("content-type"),
            content_encoding=self.message.headers.get("content-encoding"), status=status)

    def __call__(self, chunk: bytes) -> list[bytes]:
        # A list, never b"": mitmproxy frames every returned piece, and an empty piece of a
        # chunked body is the chunked terminator ("0\r\n\r\n"), which would end the body
        # at the origin early.
        out = self._pump(chunk)
        return [out] if out else []

    def _pump(self, chunk: bytes) -> bytes:
        if self.passthrough:
            return chunk
        try:
            if self.body is None:
                self.body = self._open()
                self.flow.metadata.setdefault(STREAMED, set()).add(self.direction)
            if chunk:
                return self.body.feed(chunk)
            verdict = self.body.finish()
            if self.direction == "request":
                self.flow.metadata[REQUEST_DECISION] = verdict.decision.id
            if verdict.decision.action is Action.BLOCK:
                self._cut()
                return b""
            return self.body.release()
        except Exception as error:
            return self._failed(chunk, error)

    def _cut(self) -> None:
        side = self.flow.server_conn if self.direction == "request" else self.flow.client_conn
        if not _abort(self.flow, side):
            # last resort: an exception stops mitmproxy's layer before the end of message
            raise RuntimeError("cannot cut a blocked streamed body")

    def _failed(self, chunk: bytes, error: Exception) -> bytes:
        logger.error("casb: stream scan failed: %s", type(error).__name__,
                     exc_info=(type(error), error, error.__traceback__))
        engine = self.owner.holder.engine
        verdict = engine.fail("stream", error, direction=self.direction,
                              req=request_info(self.flow), subject=subject_of(self.flow),
                              app=app_of(self.flow))
        if self.body is not None:
            self.body.close()
        if verdict.decision.action is Action.BLOCK:
            self._cut()
            return b""
        self.passthrough = True  # on_error: allow
        held = b""
        if self.body is not None:
            held, self.body._held = self.body._held, b""
        return held + chunk


class Stream:
    def __init__(self, holder: Holder) -> None:
        self.holder = holder

    @guarded("stream", "request")
    def requestheaders(self, flow: http.HTTPFlow) -> None:
        if flow.response is not None:
            return
        engine = self.holder.engine
        r = flow.request
        if not _should_stream(r.headers, engine.scanner.limits.stream_threshold, r.method):
            return
        # The request's headers leave now: classify and apply tenant restrictions here,
        # since the buffered ``request`` hooks only run once the body has gone.
        req = request_info(flow)
        flow.metadata[APP] = engine.classify(req, None)
        edit = engine.tenant_edit(req.host)
        for name in edit.remove:
            r.headers.pop(name, None)
        for name, value in edit.add:
            r.headers.add(name, value)
        r.stream = _Pump(self, flow, "request", r)

    @guarded("stream", "response")
    def responseheaders(self, flow: http.HTTPFlow) -> None:
        resp = flow.response
        if resp is None or REQUEST_DECISION not in flow.metadata:
            return  # our own page, or a request we did not judge
        if not _should_stream(resp.headers, self.holder.engine.scanner.limits.stream_threshold,
                              None):
            return
        resp.stream = _Pump(self, flow, "response", resp)

    def error(self, flow: http.HTTPFlow) -> None:
        for message in (flow.request, flow.response):
            pump = getattr(message, "stream", None) if message is not None else None
            if isinstance(pump, _Pump) and pump.body is not None:
                pump.body.close()

    @guarded("stream", "request")
    def websocket_message(self, flow: http.HTTPFlow) -> None:
        ws = flow.websocket
        if ws is None or not ws.messages:
            return
        message = ws.messages[-1]
        subject, app = context_of(flow)
        direction: Direction = "request" if message.from_client else "response"
        verdict = self.holder.engine.judge(
            direction, request_info(flow), subject, app, message.content,
            content_type="text/plain; charset=utf-8" if message.is_text else None,
            content_encoding=None)
        if verdict.decision.action is Action.BLOCK:
            message.drop()
            ws.close_code = 1008  # policy violation, as recorded on the flow
            ws.close_reason = f"blocked by policy ({verdict.decision.id})"
            _abort(flow, flow.server_conn)
            _abort(flow, flow.client_conn)
