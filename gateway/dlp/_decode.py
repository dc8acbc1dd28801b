"""Bounded content decoding, as a chain of small ``decode()``/``flush()`` steps.

mitmproxy's ``.content`` decodes without a cap, so the gateway decodes raw bytes itself.
Every step asks its codec for at most "room left + 1" bytes at a time (zlib's
``max_length``, brotli's ``output_buffer_limit``, zstandard's bounded ``read``), so a bomb
is stopped one small chunk past the cap instead of after it has been expanded.
"""

from __future__ import annotations

import io
import zlib
from collections.abc import Sequence
from typing import Protocol

import brotli
import zstandard

from gateway.errors import DecodeError, LimitExceeded

from ._limits import Limits

__all__ = [
    "CodecError",
    "StreamDecoder",
    "decode_body",
    "encode_body",
    "parse_encodings",
    "unscannable_reason",
]

_CHUNK = 64 * 1024
_ZSTD_MAX_WINDOW = 8 * 1024 * 1024  # RFC 9659: zstd content-coding windows are at most 8 MiB


class CodecError(DecodeError):
    """A DecodeError that carries its machine label (``decode_error:gzip``...)."""

    def __init__(self, message: str, *, label: str) -> None:
        self.label = label
        super().__init__(message)


def unscannable_reason(error: DecodeError | LimitExceeded) -> str:
    """Short label for ``ScanResult.unscannable`` and metrics."""
    if isinstance(error, LimitExceeded):
        return f"{error.reason}:{error.limit}"
    return error.label if isinstance(error, CodecError) else error.reason


class _Cap:
    """Output budget of one decoding step; raises LimitExceeded as soon as it is passed."""

    def __init__(self, limit: int, label: str) -> None:
        self.limit = limit
        self.label = label
        self.used = 0

    @property
    def request(self) -> int:
        """Bytes to ask a codec for next: small chunks, at most one past the budget (so an
        overflow is seen), never 0 (zlib reads ``max_length=0`` as unlimited)."""
        return min(_CHUNK, self.limit - self.used + 1)

    def take(self, n: int) -> None:
        self.used += n
        if self.used > self.limit:
            raise LimitExceeded(f"decoded output exceeds the {self.label} limit", limit=self.label)


class _Decoder(Protocol):
    def decode(self, data: bytes) -> bytes: ...
    def flush(self) -> bytes: ...


class _ZlibDecoder:
    """gzip (several members allowed, as RFC 1952 says) and deflate (zlib or raw)."""

    def __init__(self, coding: str, cap: _Cap) -> None:
        self.coding = coding
        self.cap = cap
        self.gzip = coding in ("gzip", "x-gzip")
        self.raw = False
        self.started = False
        self.obj = self._new()

    def _new(self) -> zlib._Decompress:
        if self.gzip:
            return zlib.decompressobj(16 + zlib.MAX_WBITS)
        return zlib.decompressobj(-zlib.MAX_WBITS if self.raw else zlib.MAX_WBITS)

    def decode(self, data: bytes) -> bytes:
        out = bytearray()
        while True:
            request = self.cap.request
            try:
                chunk = self.obj.decompress(data, request)
            except zlib.error as e:
                if not self.gzip and not self.started and not self.raw:
                    # "deflate" is often sent raw (no zlib header); retry once, as browsers do
                    self.raw = True
                    self.obj = self._new()
                    continue
                raise CodecError(
                    f"corrupt {self.coding} data", label=f"decode_error:{self.coding}"
                ) from e
            self.started = True
            self.cap.take(len(chunk))
            out += chunk
            data = self.obj.unconsumed_tail
            if self.obj.eof:
                rest = self.obj.unused_data
                if self.gzip and rest.startswith(b"\x1f\x8b"):
                    self.obj = self._new()
                    data = rest
                else:
                    break  # trailing garbage after the stream is ignored, like browsers do
            elif not data and len(chunk) < request:
                break  # input used up and no output pending (a full chunk may have more)
        return bytes(out)

    def flush(self) -> bytes:
        if not self.obj.eof:
            raise CodecError(f"truncated {self.coding} data", label=f"decode_error:{self.coding}")
        return b""


class _BrotliDecoder:
    def __init__(self, cap: _Cap) -> None:
        self.cap = cap
        self.obj = brotli.Decompressor()

    def decode(self, data: bytes) -> bytes:
        out = bytearray()
        try:
            chunk = self.obj.process(data, output_buffer_limit=self.cap.request)
            self.cap.take(len(chunk))
            out += chunk
            # drain pending output in bounded steps; can_accept_more_data() alone is not
            # enough (brotli 1.2 reports True with output still pending)
            while chunk or not self.obj.can_accept_more_data():
                if self.obj.is_finished():
                    break
                chunk = self.obj.process(b"", output_buffer_limit=self.cap.request)
                self.cap.take(len(chunk))
                out += chunk
        except brotli.error as e:
            raise CodecError("corrupt br data", label="decode_error:br") from e
        return bytes(out)

    def flush(self) -> bytes:
        if not self.obj.is_finished():
            raise CodecError("truncated br data", label="decode_error:br")
        return b""


class _ZstdDecoder:
    """zstandard's stream reader gives bounded reads; input is buffered (it is the body)."""

    def __init__(self, cap: _Cap) -> None:
        self.cap = cap
        self.pending = bytearray()

    def decode(self, data: bytes) -> bytes:
        self.pending += data
        return b""

    def flush(self) -> bytes:
        out = bytearray()
        dctx = zstandard.ZstdDecompressor(max_window_size=_ZSTD_MAX_WINDOW)
        try:
            with dctx.stream_reader(io.BytesIO(self.pending), read_across_frames=True) as reader:
                while chunk := reader.read(self.cap.request):
                    self.cap.take(len(chunk))
                    out += chunk
        except zstandard.ZstdError as e:
            raise CodecError("corrupt zstd data", label="decode_error:zstd") from e
        return bytes(out)


_CODINGS = ("gzip", "x-gzip", "deflate", "br", "zstd")


def parse_encodings(header: str | None) -> list[str]:
    """Codings in the order they were applied; ``identity`` and empty items dropped."""
    if not header:
        return []
    return [c for c in (p.strip().lower() for p in header.split(",")) if c and c != "identity"]


def _decoder(coding: str, cap: _Cap) -> _Decoder:
    if coding in ("gzip", "x-gzip", "deflate"):
        return _ZlibDecoder(coding, cap)
    if coding == "br":
        return _BrotliDecoder(cap)
    if coding == "zstd":
        return _ZstdDecoder(cap)
    raise CodecError("unsupported content encoding", label=f"unsupported_encoding:{coding[:32]}")


def _output_cap(encoded_size: int, limits: Limits) -> _Cap:
    by_ratio = max(encoded_size * limits.max_ratio, limits.ratio_floor_bytes)
    if by_ratio < limits.max_decoded_bytes:
        return _Cap(by_ratio, "ratio")
    return _Cap(limits.max_decoded_bytes, "decoded_size")


def decode_body(body: bytes, content_encoding: str | None, limits: Limits) -> bytes:
    """Undo ``Content-Encoding`` (last applied first) within ``limits``.

    Raises LimitExceeded (body_size, depth, ratio, decoded_size) or CodecError.
    """
    if len(body) > limits.max_body_bytes:
        raise LimitExceeded("encoded body exceeds the size limit", limit="body_size")
    codings = parse_encodings(content_encoding)
    if len(codings) > limits.max_depth:
        raise LimitExceeded("too many stacked content encodings", limit="depth")
    decoders = [_decoder(c, _output_cap(len(body), limits)) for c in reversed(codings)]
    data = body
    for dec in decoders:
        out = bytearray()
        for i in range(0, len(data), _CHUNK):
            out += dec.decode(data[i : i + _CHUNK])
        out += dec.flush()
        data = bytes(out)
        del out
    return data


def encode_body(data: bytes, codings: Sequence[str]) -> bytes:
    """Apply ``codings`` in order (to re-encode a redacted body as it came)."""
    for coding in codings:
        if coding in ("gzip", "x-gzip"):
            obj = zlib.compressobj(6, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
            data = obj.compress(data) + obj.flush()
        elif coding == "deflate":
            data = zlib.compress(data)
        elif coding == "br":
            data = brotli.compress(data)
        elif coding == "zstd":
            data = zstandard.ZstdCompressor().compress(data)
        else:
            raise CodecError(
                "unsupported content encoding", label=f"unsupported_encoding:{coding[:32]}"
            )
    return data


# -- streaming ------------------------------------------------------------------------------


class _RatioCap(_Cap):
    """A stream's budget grows with what came in: at most ``max_ratio`` decoded bytes per
    encoded byte (after ``ratio_floor_bytes``), whatever the stream's length."""

    def __init__(self, owner: StreamDecoder, limits: Limits) -> None:
        super().__init__(limits.ratio_floor_bytes, "ratio")
        self.owner = owner
        self.ratio = limits.max_ratio
        self.floor = limits.ratio_floor_bytes

    def _refresh(self) -> None:
        self.limit = max(self.owner.encoded * self.ratio, self.floor)

    @property
    def request(self) -> int:
        self._refresh()
        return min(_CHUNK, self.limit - self.used + 1)

    def take(self, n: int) -> None:
        self._refresh()
        super().take(n)


class _ZstdStreamDecoder:
    """Incremental zstd: the stream writer hands over output in ``_CHUNK`` pieces, each
    charged to the budget as it comes, so a bomb stops one piece past the cap."""

    def __init__(self, cap: _Cap) -> None:
        self.cap = cap
        self.out = bytearray()
        dctx = zstandard.ZstdDecompressor(max_window_size=_ZSTD_MAX_WINDOW)
        self.writer = dctx.stream_writer(
            self, write_size=_CHUNK, write_return_read=True  # type: ignore[arg-type]
        )

    def write(self, data: bytes) -> int:  # called by zstandard with decoded output
        self.cap.take(len(data))
        self.out += data
        return len(data)

    def decode(self, data: bytes) -> bytes:
        try:
            self.writer.write(data)
        except zstandard.ZstdError as e:
            raise CodecError("corrupt zstd data", label="decode_error:zstd") from e
        out = bytes(self.out)
        self.out.clear()
        return out

    def flush(self) -> bytes:
        return b""


class StreamDecoder:
    """Undo ``Content-Encoding`` chunk by chunk, with a ratio budget and bounded memory.

    ``decode(chunk)`` returns what the chunk decodes to (possibly nothing yet); ``flush()``
    checks the stream ended cleanly. Raises LimitExceeded or CodecError like decode_body.
    """

    def __init__(self, content_encoding: str | None, limits: Limits) -> None:
        codings = parse_encodings(content_encoding)
        if len(codings) > limits.max_depth:
            raise LimitExceeded("too many stacked content encodings", limit="depth")
        self.encoded = 0
        self.decoders: list[_Decoder] = []
        for coding in reversed(codings):
            cap = _RatioCap(self, limits)
            self.decoders.append(
                _ZstdStreamDecoder(cap) if coding == "zstd" else _decoder(coding, cap)
            )

    def decode(self, chunk: bytes) -> bytes:
        self.encoded += len(chunk)
        data = chunk
        for dec in self.decoders:
            if not data:
                break
            data = dec.decode(data)
        return data

    def flush(self) -> bytes:
        data = b""
        for dec in self.decoders:
            data = (dec.decode(data) if data else b"") + dec.flush()
        return data
