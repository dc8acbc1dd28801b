"""Where events go: a size-rotated JSON-lines file and/or stdout.

Nothing is dropped silently: a sink that fails is counted, and the event goes to stderr so
the container log still holds it.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO, Protocol

from gateway.audit._event import AuditEvent
from gateway.errors import AuditError


class Sink(Protocol):
    name: str

    def write(self, line: str) -> None: ...

    def close(self) -> None: ...


class JsonlFileSink:
    """Append-only JSON lines, rotated to ``file.1 .. file.N`` when it grows past max_bytes."""

    name = "file"

    def __init__(self, path: str | Path, *, max_bytes: int, backups: int) -> None:
        self.path = Path(path)
        self.max_bytes = max_bytes
        self.backups = backups
        self._lock = threading.Lock()
        self._fh: IO[str] | None = None
        self._size = 0
        self._open()

    def _open(self) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
            self._fh = os.fdopen(fd, "a", encoding="utf-8")
            self._size = self._fh.tell()
        except OSError as e:
            raise AuditError(f"cannot open audit log {self.path}: {e.strerror}") from e

    def _rotate(self) -> None:
        assert self._fh is not None
        self._fh.close()
        if self.backups == 0:
            self.path.unlink(missing_ok=True)
        else:
            for i in range(self.backups - 1, 0, -1):
                src = self.path.with_name(f"{self.path.name}.{i}")
                if src.exists():
                    src.replace(self.path.with_name(f"{self.path.name}.{i + 1}"))
            self.path.replace(self.path.with_name(f"{self.path.name}.1"))
        self._open()

    def write(self, line: str) -> None:
        data = line + "\n"
        with self._lock:
            try:
                if self._fh is None:
                    self._open()
                assert self._fh is not None
                if self._size and self._size + len(data) > self.max_bytes:
                    self._rotate()
                    assert self._fh is not None
                self._fh.write(data)
                self._fh.flush()
                self._size += len(data.encode("utf-8"))
            except OSError as e:
                self._fh = None
                raise AuditError(f"cannot write audit log {self.path}: {e.strerror}") from e

    def close(self) -> None:
        with self._lock:
            if self._fh is not None:
                self._fh.close()
                self._fh = None


class StreamSink:
    """Events on a stream (stdout by default), for container log collectors."""

    name = "stdout"

    def __init__(self, stream: IO[str] | None = None) -> None:
        self._stream = stream
        self._lock = threading.Lock()

    def write(self, line: str) -> None:
        stream = self._stream or sys.stdout
        with self._lock:
            try:
                stream.write(line + "\n")
                stream.flush()
            except (OSError, ValueError) as e:
                raise AuditError(f"cannot write audit event to stdout: {e}") from e

    def close(self) -> None:
        return None


class SinkSettings(Protocol):
    """The audit section of the configuration (``gateway.config.AuditConfig``)."""

    @property
    def file(self) -> Path | None: ...
    @property
    def stdout(self) -> bool: ...
    @property
    def max_bytes(self) -> int: ...
    @property
    def backups(self) -> int: ...


def configured_sinks(settings: SinkSettings) -> list[Sink]:
    """The sinks the configuration asks for: the rotated file and/or stdout."""
    sinks: list[Sink] = []
    if settings.file is not None:
        sinks.append(JsonlFileSink(settings.file, max_bytes=settings.max_bytes,
                                   backups=settings.backups))
    if settings.stdout:
        sinks.append(StreamSink())
    return sinks


class AuditLog:
    """Fan an event out to every sink; failures are counted and fall back to stderr."""

    def __init__(
        self,
        sinks: Sequence[Sink],
        *,
        on_event: Callable[[AuditEvent], None] | None = None,
        on_failure: Callable[[str], None] | None = None,
    ) -> None:
        self.sinks = tuple(sinks)
        self._on_event = on_event
        self._on_failure = on_failure

    def emit(self, event: AuditEvent) -> None:
        line = event.model_dump_json(exclude_none=True)
        for sink in self.sinks:
            try:
                sink.write(line)
            except AuditError as e:
                if self._on_failure:
                    self._on_failure(sink.name)
                print(f"casb: audit sink {sink.name} failed ({e}); event follows", file=sys.stderr)
                print(line, file=sys.stderr, flush=True)
        if self._on_event:
            self._on_event(event)

    def close(self) -> None:
        for sink in self.sinks:
            sink.close()
